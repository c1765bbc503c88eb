"""Streams a stage's records back, shard by shard and block by block, verifying every frame.

Memory is one frame (block) at a time plus whatever the caller keeps. A missing, truncated or
corrupt shard raises a :class:`~balance.errors.StoreError` naming it and the byte offset; with
``skip_corrupt=True`` the reader goes on and counts the records it could not deliver (the
manifest's record count of the shard minus the records already read from it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from balance.errors import StoreError
from balance.queries import BlockQueries
from balance.records import Schema
from balance.store import Block
from balance_plugins.store import shardfile

if TYPE_CHECKING:
    from balance_plugins.store.store import Run


class StageReader(BlockQueries):
    """Reads one stage of a run (:class:`balance.store.StageReader`); the queries (top-N,
    aggregates, tiers) come from :class:`~balance.queries.BlockQueries`. Get it from
    :meth:`Run.stage_reader`."""

    def __init__(self, run: Run, stage: str, skip_corrupt: bool = False):
        entry = run.manifest["stages"].get(stage)
        if entry is None or entry.get("schema") is None:
            known = ", ".join(sorted(s for s, e in run.manifest["stages"].items() if e.get("schema"))) or "none"
            raise StoreError(f"{run.dir} has no records for stage {stage} (stages with records: {known})")
        self.run = run
        self.stage = stage
        self.skip_corrupt = skip_corrupt
        self.schema = Schema.from_dict(entry["schema"])
        self.status: str = entry["status"]
        self.shards: list[dict[str, Any]] = sorted(entry["shards"], key=lambda s: s["start"])
        self.total_records: int = sum(s["records"] for s in self.shards)
        #: shard name -> (records not delivered, the error line), filled while reading
        self.corrupt: dict[str, tuple[int, str]] = {}

    @property
    def skipped(self) -> int:
        """Records of corrupt or missing shards that were skipped (known after a full pass)."""
        return sum(n for n, _ in self.corrupt.values())

    @property
    def count(self) -> int:
        """Records the reader delivers: the manifest's count minus those skipped so far."""
        return self.total_records - self.skipped

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def iter_blocks(self, columns: Sequence[str] | None = None) -> Iterator[Block]:
        """Every block in work-item order, restricted to ``columns`` (default: all)."""
        names = list(self.schema.names if columns is None else columns)
        for name in names:
            self.schema.column(name)  # KeyError naming the columns if unknown
        for shard in self.shards:
            yield from self._shard_blocks(shard, names)

    def _shard_blocks(self, shard: dict[str, Any], names: list[str]) -> Iterator[Block]:
        path = self.run.dir / shard["file"]
        delivered = 0
        try:
            with open(path, "rb") as f:
                size = path.stat().st_size
                # a size mismatch is reported after the frames: their checks name the exact byte
                crc = int(shard["crc32"], 16)
                if self.skip_corrupt and _whole_file_only_differs(f, size, self.schema, shard, crc):
                    # every frame verifies but the file is not the one the manifest lists (a shard
                    # of another run, say): none of its records may be mixed in
                    raise shardfile.ShardCorrupt(0, "file checksum differs from the manifest")
                for b0, b1, cols in shardfile.iter_blocks(f, size, self.schema, shard["start"], shard["stop"], crc):
                    delivered += b1 - b0
                    yield Block(b0, b1, {n: cols[n] for n in names})
                if size != shard["bytes"]:
                    raise shardfile.ShardCorrupt(size, f"size is {size} bytes, the manifest says {shard['bytes']}")
        except shardfile.ShardCorrupt as exc:
            msg = f"shard {shard['name']} is corrupt at byte {exc.offset}: {exc.reason}"
            if not self.skip_corrupt:
                raise StoreError(msg) from None
            self.corrupt[shard["name"]] = (shard["records"] - delivered, msg)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError):
                msg = f"shard {shard['name']} is missing: {shard['file']} does not exist in {self.run.dir}"
            else:
                msg = f"shard {shard['name']} cannot be read: {exc.strerror or exc}"
            if not self.skip_corrupt:
                raise StoreError(msg) from exc
            self.corrupt[shard["name"]] = (shard["records"] - delivered, msg)
        else:
            self.corrupt.pop(shard["name"], None)


def _whole_file_only_differs(f, size: int, schema: Schema, shard: dict[str, Any], crc: int) -> bool:
    """True when the file's CRC differs from the manifest's while every frame verifies.

    Only ``--skip-corrupt`` needs this: a damaged frame stops delivery at that frame, but a file
    whose frames are all sound is only caught by the whole-file CRC, after its records were read.
    The streaming CRC costs one more read of the file (from the page cache) and nothing when it
    matches; the dry frame pass runs only on a mismatch.
    """
    running = 0
    while chunk := f.read(1 << 20):
        running = shardfile.crc32(chunk, running)
    f.seek(0)
    if running == crc:
        return False
    try:
        for _ in shardfile.iter_blocks(f, size, schema, shard["start"], shard["stop"], None):
            pass
    except shardfile.ShardCorrupt:
        return False  # a frame-level fault: the normal pass delivers the frames before it
    finally:
        f.seek(0)
    return True
