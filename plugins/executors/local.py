"""The default executor: a local process pool over every core (or in-process for one worker).

Each worker receives the session spec and the task once (pool initializer) and then only index
ranges; results come back as compact columns. At most ``2 × workers`` ranges are in flight, so
memory stays flat however many ranges a stage has; results are yielded in submission order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from balance.hookspecs import hookimpl
from balance.work import Columns, SessionSpec, Task, prepared_state, run_unit

_worker_job: tuple[SessionSpec, Task] | None = None


def _init(spec: SessionSpec, task: Task) -> None:
    global _worker_job
    _worker_job = (spec, task)
    # One core per worker: numpy's own thread pools would fight the process pool.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _run(start: int, stop: int) -> tuple[int, int, Columns]:
    spec, task = _worker_job
    return run_unit(spec, task, start, stop)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor:
    name = "local"

    def workers(self, requested: int) -> int:
        return requested or default_workers()

    def map(
        self, spec: SessionSpec, task: Task, units: Iterable[tuple[int, int]], workers: int
    ) -> Iterator[tuple[int, int, Columns]]:
        workers = self.workers(workers)
        if workers == 1:
            for start, stop in units:
                yield start, stop, task.compute(prepared_state(spec, task), start, stop)
            return
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(spec, task)) as pool:
            pending: deque = deque()
            for start, stop in units:
                pending.append(pool.submit(_run, start, stop))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


@hookimpl
def balance_executors():
    return [LocalExecutor()]
