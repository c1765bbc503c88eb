"""Work units: how a stage's batches reach workers and come back as compact columns.

A stage describes its work as a :class:`Task` (small, picklable: which attacks, which runs, which
seed) and a sequence of index ranges. An executor ships the session spec and the task to each
worker once; the worker reopens the session (config and plugins, so the catalog is loaded once per
worker), calls ``task.prepare(session)`` once and then ``task.compute(state, start, stop)`` for each
range. Results depend only on the task and the range, never on which worker ran it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Protocol

import attrs
import numpy as np


@attrs.frozen
class SessionSpec:
    """How a worker reopens the parent's session: the same config and plugin options."""

    config_path: str | None
    disable: tuple[str, ...] = ()
    load: tuple[str, ...] = ()

    def open(self):
        from balance.session import open_session

        return open_session(self.config_path, disable=self.disable, load=self.load)


Columns = dict[str, np.ndarray]


class Task(Protocol):
    """One stage's work, divided into index ranges."""

    def prepare(self, session: Any) -> Any:
        """Per-worker state built once (compiled attack tables, simulators)."""

    def compute(self, state: Any, start: int, stop: int) -> Columns:
        """The records of items ``start..stop-1`` as columns."""


@attrs.frozen(eq=False)
class Records:
    """``task`` whose columns come back as the stage's records already are: in the ``schema``'s
    dtypes, cast in the worker (stage 2's pairs travel as 81 bytes instead of 216, and the main
    process, which shares the cores with the workers, no longer casts them). The casts are the
    writer's own (:meth:`Schema.check_block`), so the records are the same; columns it refuses
    travel as they are, for the writer to refuse with its message."""

    task: Any
    schema: Any

    def prepare(self, session: Any) -> Any:
        return self.task.prepare(session)

    def compute(self, state: Any, start: int, stop: int) -> Columns:
        columns = self.task.compute(state, start, stop)
        try:
            return self.schema.check_block(columns, stop - start)
        except ValueError:
            return columns


#: The worker's current (task, state): stages run one after another, so one task at a time.
_prepared: tuple[Any, Any] | None = None


def prepared_state(spec: SessionSpec, task: Task) -> Any:
    """The worker's state for this task, built on first use and kept while the task is current."""
    global _prepared
    if _prepared is None or _prepared[0] is not task:
        _prepared = (task, task.prepare(spec.open()))
    return _prepared[1]


def start_worker(spec: SessionSpec) -> None:
    """A worker's start-up before its first step: the imports and plugins (opening the session) and
    the kernel's compiled code (``warm_up``), so that an executor starting its workers early lets
    them do this while the main process still enumerates and tabulates the builds."""
    spec.open().warm_up_kernel()


def run_unit(spec: SessionSpec, task: Task, start: int, stop: int) -> tuple[int, int, Columns]:
    return start, stop, task.compute(prepared_state(spec, task), start, stop)


def ranges(start: int, stop: int, size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of at most ``size`` items covering ``start..stop-1``."""
    for lo in range(start, stop, size):
        yield lo, min(lo + size, stop)


def cores() -> int:
    """The cores this process may run on: the default number of worker processes."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
