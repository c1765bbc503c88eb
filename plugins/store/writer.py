"""Streams a stage's columnar blocks into shards: one shard per contiguous range of work items.

Small writes are coalesced into frames of ``frame_records`` rows (so readers see large blocks) and
frames into shards of about ``shard_records`` rows; a non-contiguous write starts a new shard, so
every shard covers exactly one ``[start, stop)`` range and resume knows which ranges are done.
A shard is written to ``NNNNNN.shard.tmp``, fsynced, renamed, and only then listed in the manifest;
whatever was not yet in a completed shard when the process died is simply redone.
Memory is bounded by one frame of pending rows.
"""

from __future__ import annotations

import bisect
import errno
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from balance.errors import StoreError
from balance.records import Schema
from balance_plugins.store import fsio, manifest, shardfile
from balance_plugins.store.manifest import StageStats

if TYPE_CHECKING:
    from balance_plugins.store.store import Run

DEFAULT_FRAME_RECORDS = 1 << 16
DEFAULT_SHARD_RECORDS = 1 << 20


def merge_ranges(ranges) -> list[tuple[int, int]]:
    """Sorted, merged ``[start, stop)`` ranges (adjacent ranges are joined)."""
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


class _OpenShard:
    """The shard currently being written (a temp file)."""

    def __init__(self, seq: int, path_tmp, start: int):
        self.seq = seq
        self.tmp = path_tmp
        self.start = start
        self.stop = start  # rows written to frames so far end here
        self.frames = 0
        self.crc = 0
        self.nbytes = 0
        self.fd: int | None = None


class StageWriter:
    """Writes one stage's records. Get it from :meth:`Run.stage_writer`."""

    def __init__(self, run: Run, stage: str, schema: Schema, frame_records: int = DEFAULT_FRAME_RECORDS,
                 shard_records: int = DEFAULT_SHARD_RECORDS):
        self.run = run
        self.stage = stage
        self.schema = schema
        self.frame_records = max(1, int(frame_records))
        self.shard_records = max(1, int(shard_records))
        self._entry = run.manifest["stages"][stage]
        self.total: int | None = self._entry.get("total")
        self._done = merge_ranges((s["start"], s["stop"]) for s in self._entry["shards"])
        self._next_seq = 1 + max((int(s["name"].rsplit("/", 1)[1]) for s in self._entry["shards"]), default=-1)
        self._shard: _OpenShard | None = None
        self._pending: list[dict[str, np.ndarray]] = []
        self._pending_rows = 0
        self._failed: str | None = None
        self._closed = False

    # -- queries ----------------------------------------------------------------------------------

    def done_ranges(self) -> list[tuple[int, int]]:
        """Merged ``[start, stop)`` ranges whose records are in completed shards (durable)."""
        return list(self._done)

    def missing_ranges(self, total: int | None = None) -> list[tuple[int, int]]:
        """The ranges of ``[0, total)`` not yet durable (``total`` defaults to the stage's total)."""
        total = self.total if total is None else total
        if total is None:
            raise StoreError(f"{self.stage}: missing_ranges needs the stage's total item count")
        out, pos = [], 0
        for a, b in self._done:
            if a > pos:
                out.append((pos, min(a, total)))
            pos = max(pos, b)
        if pos < total:
            out.append((pos, total))
        return [(a, b) for a, b in out if b > a]

    # -- writing ----------------------------------------------------------------------------------

    def write(self, start: int, stop: int, columns: Mapping[str, Any]) -> None:
        """Add the records of work items ``[start, stop)`` (one row per item, columns per the schema)."""
        self._check_usable()
        start, stop = int(start), int(stop)
        if stop <= start:
            if stop == start:
                return
            raise StoreError(f"{self.stage}: empty or reversed range [{start}, {stop})")
        if start < 0 or (self.total is not None and stop > self.total):
            raise StoreError(f"{self.stage}: range [{start}, {stop}) is outside [0, {self.total})")
        try:
            arrays = self.schema.check_block(columns, stop - start)
        except ValueError as exc:
            raise StoreError(f"{self.stage}: block [{start}, {stop}): {exc}") from None
        self._check_overlap(start, stop)
        if self._shard is not None and start != self._pending_end():
            self._close_shard()  # a gap or jump: the open shard's range ends here
        if self._shard is None:
            self._open_shard(start)
        self._pending_rows += stop - start
        if self._pending_rows < self.frame_records:
            # the rows wait for more: copy them, the caller may reuse its buffers after we return
            arrays = {n: a.copy() for n, a in arrays.items()}
        self._pending.append(arrays)
        if self._pending_rows >= self.frame_records:
            self._emit_frames(keep_tail=True)
        if self._shard is not None and self._pending_end() - self._shard.start >= self.shard_records:
            self._close_shard()

    def flush(self) -> None:
        """Complete the open shard now (its records become durable and appear in ``done_ranges``)."""
        self._check_usable()
        if self._shard is not None:
            self._close_shard()

    def close(self) -> None:
        """Flush and stop writing, leaving the stage ``running`` (a later resume continues it)."""
        if not self._closed and self._failed is None:
            self.flush()
        self._closed = True

    def finish(self, stats: StageStats | Mapping[str, Any] | None = None) -> None:
        """Flush, check that ``[0, total)`` is fully covered (when the total is known) and mark the
        stage ``complete`` with its work figures."""
        self.flush()
        if self.total is not None and self._done != ([(0, self.total)] if self.total else []):
            missing = self.missing_ranges()
            raise StoreError(f"{self.stage} cannot be marked complete: {sum(b - a for a, b in missing)} "
                             f"work items missing, first range [{missing[0][0]}, {missing[0][1]})")
        if isinstance(stats, StageStats):
            stats = stats.to_dict()
        self._entry["stats"] = dict(stats) if stats is not None else None
        self._entry["status"] = "complete"
        self._entry["finished"] = manifest.now()
        manifest.refresh_totals(self.run.manifest)
        manifest.save(self.run.dir, self.run.manifest)
        self._closed = True

    def abandon(self) -> None:
        """Drop the open temp shard and pending rows without completing them (for error paths)."""
        self._discard_shard()
        self._closed = True

    def __enter__(self) -> StageWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()

    # -- internals --------------------------------------------------------------------------------

    def _check_usable(self) -> None:
        if self._failed:
            raise StoreError(f"{self.stage} writer stopped after an earlier error: {self._failed}")
        if self._closed:
            raise StoreError(f"{self.stage} writer is closed")

    def _pending_end(self) -> int:
        return self._shard.stop + self._pending_rows if self._shard is not None else -1

    def _check_overlap(self, start: int, stop: int) -> None:
        i = bisect.bisect_right(self._done, (start, float("inf")))
        for a, b in self._done[max(0, i - 1): i + 1]:
            if a < stop and start < b:
                raise StoreError(f"{self.stage}: range [{start}, {stop}) overlaps completed range [{a}, {b})")
        if self._shard is not None and self._shard.start < stop and start < self._pending_end():
            raise StoreError(f"{self.stage}: range [{start}, {stop}) overlaps the open shard "
                             f"[{self._shard.start}, {self._pending_end()})")

    def _shard_name(self, seq: int) -> str:
        return f"{self.stage}/{seq:06d}"

    def _io_error(self, exc: OSError, what: str) -> StoreError:
        """Remove the partial shard, remember the failure and describe it in one clear line."""
        lost = (self._shard.start, self._pending_end()) if self._shard else None
        self._discard_shard()
        reason = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        msg = (f"cannot write {what} in {self.run.dir}: {reason}; the partial shard was removed, "
               f"the {len(self._entry['shards'])} completed shards of {self.stage} and the manifest are intact")
        if lost:
            msg += f" (records [{lost[0]}, {lost[1]}) must be redone: resume the run)"
        self._failed = msg
        return StoreError(msg)

    def _open_shard(self, start: int) -> None:
        seq = self._next_seq
        self._next_seq += 1
        tmp = self.run.dir / self.stage / f"{seq:06d}.shard.tmp"
        shard = _OpenShard(seq, tmp, start)
        self._shard = shard
        try:
            shard.fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            self._put(shardfile.MAGIC)
            self._put_frame(shardfile.header_obj(self.stage, self._shard_name(seq), start, self.schema))
        except OSError as exc:
            raise self._io_error(exc, f"shard {self._shard_name(seq)}") from exc

    def _put(self, data) -> None:
        fsio.write_all(self._shard.fd, data)
        self._shard.crc = shardfile.crc32(data, self._shard.crc)
        self._shard.nbytes += len(memoryview(data).cast("B"))

    def _put_frame(self, obj) -> None:
        head, payload = shardfile.encode_frame(obj)
        self._put(head)
        self._put(payload)

    def _emit_frames(self, keep_tail: bool) -> None:
        """Write pending rows as frames of ``frame_records``; keep a short tail pending if asked."""
        if not self._pending_rows:
            return
        names = self.schema.names
        if len(self._pending) == 1:
            merged = self._pending[0]
        else:
            merged = {n: np.concatenate([p[n] for p in self._pending]) for n in names}
        total = self._pending_rows
        n_full = total // self.frame_records * self.frame_records if keep_tail else total
        shard = self._shard
        try:
            for a in range(0, n_full, self.frame_records):
                b = min(a + self.frame_records, n_full)
                start = shard.stop
                arrays = [merged[n][a:b] for n in names]
                self._put_frame(shardfile.block_obj(start, start + (b - a), arrays))
                shard.stop = start + (b - a)
                shard.frames += 1
        except OSError as exc:
            raise self._io_error(exc, f"shard {self._shard_name(shard.seq)}") from exc
        tail = total - n_full
        # copy the tail so the merged arrays can be freed
        self._pending = [{n: merged[n][n_full:].copy() for n in names}] if tail else []
        self._pending_rows = tail

    def _close_shard(self) -> None:
        self._emit_frames(keep_tail=False)
        shard = self._shard
        name = self._shard_name(shard.seq)
        final = shard.tmp.with_name(f"{shard.seq:06d}.shard")
        try:
            self._put_frame(shardfile.end_obj(shard.stop - shard.start, shard.frames))
            os.fsync(shard.fd)
            os.close(shard.fd)
            shard.fd = None
            os.replace(shard.tmp, final)
            fsio.fsync_dir(final.parent)
        except OSError as exc:
            raise self._io_error(exc, f"shard {name}") from exc
        entry = {"name": name, "file": f"{self.stage}/{final.name}", "start": shard.start, "stop": shard.stop,
                 "records": shard.stop - shard.start, "bytes": shard.nbytes, "frames": shard.frames,
                 "crc32": f"{shard.crc:08x}"}
        self._shard = None
        self._entry["shards"].append(entry)
        self._entry["records"] += entry["records"]
        self._entry["bytes"] += entry["bytes"]
        try:
            manifest.save(self.run.dir, self.run.manifest)
        except StoreError as exc:
            # the shard is complete but unlisted: take it back out so memory matches the disk
            self._entry["shards"].pop()
            self._entry["records"] -= entry["records"]
            self._entry["bytes"] -= entry["bytes"]
            fsio.remove_quietly(final)
            self._failed = str(exc)
            raise
        self._done = merge_ranges([*self._done, (entry["start"], entry["stop"])])

    def _discard_shard(self) -> None:
        shard, self._shard = self._shard, None
        self._pending, self._pending_rows = [], 0
        if shard is None:
            return
        if shard.fd is not None:
            try:
                os.close(shard.fd)
            except OSError:
                pass
        fsio.remove_quietly(shard.tmp)
