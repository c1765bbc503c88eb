"""Streams a stage's records back, shard by shard and block by block, verifying every frame.

Memory is one frame (block) at a time plus whatever the caller keeps. A missing, truncated or
corrupt shard raises a :class:`~balance.errors.StoreError` naming it and the byte offset; with
``skip_corrupt=True`` the reader goes on and counts the records it could not deliver (the
manifest's record count of the shard minus the records already read from it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from balance.errors import StoreError
from balance.records import Schema
from balance_plugins.store import shardfile
from balance_plugins.store.aggregates import Aggregator
from balance_plugins.store.select import TopN

if TYPE_CHECKING:
    from balance_plugins.store.store import Run
    from balance_plugins.store.tiers import ScanResult, TierResult


@attrs.frozen
class Block:
    """Records of work items ``[start, stop)``: ``columns`` maps name -> array of ``stop - start`` rows."""

    start: int
    stop: int
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return self.stop - self.start


class StageReader:
    """Reads one stage of a run. Get it from :meth:`Run.stage_reader`."""

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

    def blocks(self, columns: Sequence[str] | None = None) -> Iterator[dict[str, np.ndarray]]:
        """Every block as a dict of arrays, in work-item order."""
        for block in self.iter_blocks(columns):
            yield block.columns

    def _shard_blocks(self, shard: dict[str, Any], names: list[str]) -> Iterator[Block]:
        path = self.run.dir / shard["file"]
        delivered = 0
        try:
            with open(path, "rb") as f:
                size = path.stat().st_size
                # a size mismatch is reported after the frames: their checks name the exact byte
                crc = int(shard["crc32"], 16)
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

    # -- one-pass queries -----------------------------------------------------------------------

    def top_n(self, n: int, score: str = "overall", ascending: bool = True,
              tiebreak: Sequence[str] = ("a_index", "b_index"), columns: Sequence[str] | None = None
              ) -> dict[str, np.ndarray]:
        """The ``n`` best records by ``score`` (lower is better when ``ascending``), ties broken by
        ``tiebreak`` ascending, best first; ``columns`` default to all. One pass, O(n + block) memory."""
        cols = list(self.schema.names if columns is None else columns)
        top = TopN(n, score, ascending, tiebreak, cols)
        for block in self.blocks(list(dict.fromkeys([score, *tiebreak, *cols]))):
            top.add(block)
        empty = {c.name: np.empty((0, *c.shape), c.np_dtype) for c in self.schema.columns}
        res = top.result(empty)
        return {c: res[c] for c in dict.fromkeys([*cols, score, *tiebreak])}

    def aggregate(self, aggregators: dict[str, Aggregator]) -> dict[str, Any]:
        """Feed every record to the aggregators in one pass; return their results by key."""
        from balance_plugins.store.aggregates import needed_columns

        cols = needed_columns(aggregators)
        for block in self.blocks(cols or [self.schema.names[0]]):
            for agg in aggregators.values():
                agg.add(block)
        return {k: a.result() for k, a in aggregators.items()}

    def quantiles(self, column: str, qs: Sequence[float], exact: bool = True) -> dict[float, float]:
        """Quantiles of a scalar column ('lower' method: the value of rank floor(q × (count-1))).
        ``exact`` takes two passes; otherwise one pass, to within 2^-11 of the value."""
        from balance_plugins.store import tiers

        return tiers.quantiles(self, column, qs, exact)

    # -- the two-pass reporter API ---------------------------------------------------------------

    def scan(self, score: str = "overall", ascending: bool = True, tiebreak: Sequence[str] = ("a_index", "b_index"),
             top: int = 5000, quantiles: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
             aggregators: dict[str, Aggregator] | None = None, top_columns: Sequence[str] | None = None
             ) -> ScanResult:
        """Pass 1: count, approximate quantiles of the score, the top N and all-record aggregates."""
        from balance_plugins.store import tiers

        return tiers.scan(self, score, ascending, tiebreak, top, quantiles, aggregators or {}, top_columns)

    def tiers(self, first: ScanResult, percents: Sequence[float], aggregators: dict[str, Aggregator]
              ) -> dict[float, TierResult]:
        """Pass 2: for each p, the aggregates over the best ceil(p% × count) records (deterministic
        tie-break), with the tier's exact threshold record and median score."""
        from balance_plugins.store import tiers

        return tiers.tiers(self, first, percents, aggregators)
