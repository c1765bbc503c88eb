"""The result store contract: what a store, an open run, a stage writer and a stage reader offer.

The runner, the stages and the reporters use a store only through these protocols, so a store
plugin (``balance_stores``) can keep results anywhere: the built-in ``msgpack`` store keeps a run
directory of a JSON manifest and checksummed shards; ``tests/store/memory_store.py`` keeps them in
memory. A store implements the storage (create/open/resume a run, write and read columnar blocks
and small side tables, say what the run holds); the queries reporters need (top-N, one-pass
aggregates, quantiles, the two-pass tier scan) come from :class:`balance.queries.BlockQueries` on
top of :meth:`StageReader.iter_blocks`, so every store answers them identically.

Records are *columnar blocks*: one row per work item, the columns a stage's
:class:`~balance.records.Schema` declares.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np

from balance import __version__
from balance.records import Schema

#: Stage states a run reports.
STATUSES = ("pending", "running", "complete")


def _plugins(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return {str(k): str(v) for k, v in value}


@attrs.frozen
class RunInfo:
    """What the caller knows about a run when creating it (a store never interprets ``config``).

    ``plugins`` maps plugin name -> version; ``stages`` lists the stages the run will have, so that
    a run can show them as ``pending`` before they start.
    """

    config: dict[str, Any] = attrs.field(factory=dict)
    master_seed: int = 0
    plugins: dict[str, str] = attrs.field(factory=dict, converter=_plugins)
    project_version: str = __version__
    stages: tuple[str, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen
class StageSummary:
    """What a run says about one stage (the manifest's entry, in any store)."""

    status: str = "pending"
    records: int = 0
    #: ISO 8601 times, or None before the stage started / finished.
    started: str | None = None
    finished: str | None = None
    #: The free-form, JSON-able info the stage gave when it started writing.
    info: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class RunSummary:
    """A run's manifest as the core sees it: how it was created and where each stage stands."""

    info: RunInfo
    #: ISO 8601 creation time.
    created: str
    stages: dict[str, StageSummary] = attrs.field(factory=dict)


@attrs.frozen
class Block:
    """Records of work items ``[start, stop)``: ``columns`` maps name -> array of ``stop - start`` rows."""

    start: int
    stop: int
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return self.stop - self.start


class StageWriter(Protocol):
    """Streams one stage's records into a run. Writes may come in any order of ranges; a range
    becomes durable (listed by :meth:`missing_ranges` as done) when the store says so."""

    stage: str
    schema: Schema

    def missing_ranges(self, total: int | None = None) -> list[tuple[int, int]]:
        """The ``[start, stop)`` ranges of ``[0, total)`` whose records are not yet durable: what a
        resumed run still has to compute."""

    def write(self, start: int, stop: int, columns: Mapping[str, Any]) -> None:
        """Add the records of work items ``[start, stop)`` (columns per the schema; the caller may
        reuse its arrays after the call)."""

    def finish(self, stats: Mapping[str, Any] | None = None) -> None:
        """Make everything durable, check ``[0, total)`` is covered and mark the stage complete
        with its work figures (items, combats, wall_seconds, peak_memory_bytes, ...)."""


@runtime_checkable
class StageReader(Protocol):
    """Streams one stage's records back, in work-item order, with bounded memory.

    A store implements the members below; :class:`balance.queries.BlockQueries` adds ``blocks``,
    ``top_n``, ``aggregate``, ``quantiles``, ``scan`` and ``tiers`` on top of ``iter_blocks``.
    """

    stage: str
    schema: Schema

    @property
    def count(self) -> int:
        """Records the reader delivers (those of skipped corrupt parts excluded once known)."""

    @property
    def skipped(self) -> int:
        """Records of corrupt parts skipped so far (readers opened with ``skip_corrupt``)."""

    def iter_blocks(self, columns: Sequence[str] | None = None) -> Iterator[Block]:
        """Every block in work-item order, restricted to ``columns`` (default: all)."""


class Run(Protocol):
    """An open run: its stages' records and side tables. ``create``/``resume`` give writable runs."""

    #: Where the run lives (a directory for the built-in store); used in messages.
    dir: Path
    #: Records per shard the runner asks for (``performance.shard_records``); a store that has no
    #: shards may ignore it.
    shard_records: int

    def summary(self) -> RunSummary:
        """The run's manifest: its :class:`RunInfo`, creation time and each stage's state."""

    def stage_status(self, stage: str) -> str:
        """One of :data:`STATUSES`: ``pending`` (never started, or unknown), ``running`` (started and
        not finished, e.g. killed) or ``complete``."""

    def stage_complete(self, stage: str) -> bool:
        """Whether every record of ``stage`` is durable (``StageWriter.finish`` returned)."""

    def stage_info(self, stage: str) -> dict[str, Any]:
        """The free-form info ``stage`` gave when it started writing."""

    def stage_writer(self, stage: str, schema: Schema, total: int | None = None,
                     info: Mapping[str, Any] | None = None) -> StageWriter:
        """Start, or continue after a resume, writing ``stage``; ``total`` is its number of work
        items; the schema and total must match an earlier attempt's."""

    def stage_reader(self, stage: str, skip_corrupt: bool = False) -> StageReader:
        """Read ``stage``'s records; with ``skip_corrupt``, damaged parts are skipped and counted."""

    def write_table(self, stage: str, name: str, obj: Any) -> None:
        """Keep a small side table with the stage (msgpack-able data; numpy arrays allowed)."""

    def read_table(self, stage: str, name: str) -> Any:
        """A side table written by :meth:`write_table`, as written."""

    def has_table(self, stage: str, name: str) -> bool:
        """Whether the stage has the side table ``name``."""


class Store(Protocol):
    """Creates, opens and resumes runs (``store`` in the config selects one by name)."""

    name: str

    def has_run(self, run_dir: Path) -> bool:
        """Whether ``run_dir`` already holds a run of this store."""

    def create(self, run_dir: Path, info: RunInfo) -> Run:
        """A new, writable run in ``run_dir`` (which must not hold one)."""

    def open(self, run_dir: Path) -> Run:
        """An existing run, read-only."""

    def resume(self, run_dir: Path) -> Run:
        """An existing run, writable, with incomplete work cleaned away."""
