"""A second result store, ``memory``: runs kept in this process's memory, nothing on disk.

It exists to prove the store contract (:mod:`balance.store`) is enough: it knows nothing of the
msgpack store, implements only storage (blocks in, blocks out, side tables, stage states) and gets
every query the reports ask (top-N, aggregates, tiers) from :class:`balance.queries.BlockQueries`.
Load it as a plugin (``--plugin tests/store/memory_store.py``) and select it with
``store = "memory"``. Runs live as long as the plugin manager that provided the store.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from balance import hookimpl
from balance.errors import StoreError
from balance.queries import BlockQueries
from balance.records import Schema
from balance.store import Block, RunInfo, RunSummary, StageSummary


class _Stage:
    def __init__(self) -> None:
        self.status = "pending"
        self.schema: Schema | None = None
        self.total: int | None = None
        self.info: dict[str, Any] = {}
        self.blocks: list[Block] = []
        self.tables: dict[str, Any] = {}
        self.started: str | None = None
        self.finished: str | None = None

    def done(self) -> list[tuple[int, int]]:
        spans: list[list[int]] = []
        for a, b in sorted((blk.start, blk.stop) for blk in self.blocks):
            if spans and a <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], b)
            else:
                spans.append([a, b])
        return [(a, b) for a, b in spans]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class MemoryWriter:
    def __init__(self, stage: str, entry: _Stage):
        self.stage = stage
        self.schema = entry.schema
        self._entry = entry

    def missing_ranges(self, total: int | None = None) -> list[tuple[int, int]]:
        total = self._entry.total if total is None else total
        out, pos = [], 0
        for a, b in self._entry.done():
            if a > pos:
                out.append((pos, a))
            pos = max(pos, b)
        if pos < total:
            out.append((pos, total))
        return out

    def write(self, start: int, stop: int, columns: Mapping[str, Any]) -> None:
        try:
            arrays = self.schema.check_block(columns, stop - start)
        except ValueError as exc:
            raise StoreError(f"{self.stage}: block [{start}, {stop}): {exc}") from None
        self._entry.blocks.append(Block(start, stop, {k: v.copy() for k, v in arrays.items()}))

    def finish(self, stats: Mapping[str, Any] | None = None) -> None:
        if self._entry.total is not None and self.missing_ranges():
            raise StoreError(f"{self.stage} cannot be marked complete: work items are missing")
        self._entry.blocks.sort(key=lambda blk: blk.start)
        self._entry.status = "complete"
        self._entry.finished = _now()


class MemoryReader(BlockQueries):
    def __init__(self, stage: str, entry: _Stage):
        if entry.schema is None:
            raise StoreError(f"no records for stage {stage}")
        self.stage = stage
        self.schema = entry.schema
        self.complete = entry.status == "complete"
        self._blocks = sorted(entry.blocks, key=lambda blk: blk.start)
        self.count = sum(len(blk) for blk in self._blocks)
        self.skipped = 0

    def iter_blocks(self, columns: Sequence[str] | None = None) -> Iterator[Block]:
        names = list(self.schema.names if columns is None else columns)
        for name in names:
            self.schema.column(name)
        for blk in self._blocks:
            yield Block(blk.start, blk.stop, {n: blk.columns[n] for n in names})


class MemoryRun:
    def __init__(self, run_dir: Path, info: RunInfo):
        self.dir = run_dir
        self.info = info
        self.created = _now()
        self.shard_records = 0
        self.stages: dict[str, _Stage] = {name: _Stage() for name in info.stages}

    def summary(self) -> RunSummary:
        return RunSummary(self.info, self.created, {
            name: StageSummary(st.status, sum(len(b) for b in st.blocks), st.started, st.finished, dict(st.info))
            for name, st in self.stages.items()
        })

    def stage_status(self, stage: str) -> str:
        return self.stages[stage].status if stage in self.stages else "pending"

    def stage_complete(self, stage: str) -> bool:
        return self.stage_status(stage) == "complete"

    def stage_info(self, stage: str) -> dict[str, Any]:
        return dict(self.stages[stage].info) if stage in self.stages else {}

    def stage_writer(self, stage: str, schema: Schema, total: int | None = None,
                     info: Mapping[str, Any] | None = None) -> MemoryWriter:
        entry = self.stages.setdefault(stage, _Stage())
        if entry.schema is not None and entry.schema != schema:
            raise StoreError(f"{stage} was started with another record schema")
        entry.schema, entry.total = schema, total
        entry.info = dict(info or {})
        entry.started = entry.started or _now()
        if entry.status != "complete":
            entry.status = "running"
        return MemoryWriter(stage, entry)

    def stage_reader(self, stage: str, skip_corrupt: bool = False) -> MemoryReader:
        if stage not in self.stages:
            raise StoreError(f"no records for stage {stage}")
        return MemoryReader(stage, self.stages[stage])

    def write_table(self, stage: str, name: str, obj: Any) -> None:
        self.stages.setdefault(stage, _Stage()).tables[name] = copy.deepcopy(_plain(obj))

    def read_table(self, stage: str, name: str) -> Any:
        try:
            return copy.deepcopy(self.stages[stage].tables[name])
        except KeyError:
            raise StoreError(f"no table {stage}/{name}") from None

    def has_table(self, stage: str, name: str) -> bool:
        return stage in self.stages and name in self.stages[stage].tables


def _plain(obj: Any) -> Any:
    """Tables read back as the msgpack store returns them: tuples as lists, numpy scalars as numbers."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


class MemoryStore:
    name = "memory"

    def __init__(self) -> None:
        self.runs: dict[Path, MemoryRun] = {}

    def has_run(self, run_dir: Path) -> bool:
        return Path(run_dir).resolve() in self.runs

    def create(self, run_dir: Path, info: RunInfo) -> MemoryRun:
        key = Path(run_dir).resolve()
        if key in self.runs:
            raise StoreError(f"{run_dir} already holds a run")
        self.runs[key] = MemoryRun(Path(run_dir), info)
        return self.runs[key]

    def open(self, run_dir: Path) -> MemoryRun:
        try:
            return self.runs[Path(run_dir).resolve()]
        except KeyError:
            raise StoreError(f"{run_dir} holds no run in memory") from None

    resume = open


@hookimpl
def balance_stores():
    return [MemoryStore()]
