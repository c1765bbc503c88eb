"""The default executor: a local process pool over every core (or in-process for one worker).

One pool serves every step of a run (stage records, solos, confirmation, ...) until ``close``:
starting a pool per step cost each step its workers' start-up (imports, loading the compiled
kernel), about 2 s per step on 2 busy cores. Each worker receives the session spec once (pool
initializer); each step's task travels pickled with its ranges and is unpickled (and prepared)
once per worker and step. Results come back as compact columns. At most ``2 × workers`` ranges are
in flight, so memory stays flat however many ranges a step has; results are yielded in submission
order.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from balance.hookspecs import hookimpl
from balance.work import Columns, SessionSpec, Task, cores, prepared_state, run_unit, start_worker

_spec: SessionSpec | None = None
#: The worker's current step: (token, task).
_task: tuple[int, Task] | None = None


def _init(spec: SessionSpec) -> None:
    global _spec
    _spec = spec
    # One core per worker: numpy's own thread pools would fight the process pool.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _start() -> None:
    start_worker(_spec)


def _run(token: int, blob: bytes, start: int, stop: int) -> tuple[int, int, Columns]:
    global _task
    if _task is None or _task[0] != token:
        _task = (token, pickle.loads(blob))  # the same object for the step: prepared once
    return run_unit(_spec, _task[1], start, stop)


class LocalExecutor:
    name = "local"

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._pool_for: tuple[SessionSpec, int] | None = None
        self._tokens = itertools.count()

    def workers(self, requested: int) -> int:
        return requested or cores()

    def map(
        self, spec: SessionSpec, task: Task, units: Iterable[tuple[int, int]], workers: int
    ) -> Iterator[tuple[int, int, Columns]]:
        workers = self.workers(workers)
        if workers == 1:
            for start, stop in units:
                yield start, stop, task.compute(prepared_state(spec, task), start, stop)
            return
        pool = self._pool_of(spec, workers)
        token, blob = next(self._tokens), pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
        try:
            pending: deque = deque()
            for start, stop in units:
                pending.append(pool.submit(_run, token, blob, start, stop))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:  # a failed or abandoned step: its queued ranges must not run on
            self.close()
            raise

    def start(self, spec: SessionSpec, workers: int) -> None:
        """Start the workers now, each opening the session and loading the compiled kernel, while
        the main process prepares the first step (the runner calls this before the stages). A
        failure here is not reported: the step's own preparation meets it again and says so."""
        workers = self.workers(workers)
        if workers > 1:
            pool = self._pool_of(spec, workers)
            for _ in range(workers):  # one process is spawned per job while none is idle
                pool.submit(_start)

    def _pool_of(self, spec: SessionSpec, workers: int) -> ProcessPoolExecutor:
        if self._pool_for != (spec, workers):
            self.close()
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(spec,))
            self._pool_for = (spec, workers)
        return self._pool

    def close(self) -> None:
        """Stop the workers (the runner calls this when a run's stages are done)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._pool_for = None, None


@hookimpl
def balance_executors():
    return [LocalExecutor()]
