"""The local executor keeps one process pool for all the steps of a run, and closes it when told.

Steps (stage records, solos, confirmation, ...) each call ``map``; starting a pool per step cost
every step its workers' start-up. The task records the pid that computed and prepared each item."""

from __future__ import annotations

import os

import numpy as np
import pytest

from balance.work import SessionSpec, ranges
from balance_plugins.executors.local import LocalExecutor
from tests.stages.where_task import WhereTask

ITEMS, UNIT = 40, 5


def collect(executor, task=None, workers: int = 2):
    out = list(executor.map(SessionSpec(None), task or WhereTask(), ranges(0, ITEMS, UNIT), workers))
    assert [(s, e) for s, e, _ in out] == list(ranges(0, ITEMS, UNIT))  # submission order
    cols = {k: np.concatenate([c[k] for _, _, c in out]) for k in out[0][2]}
    np.testing.assert_array_equal(cols["square"], np.arange(ITEMS) ** 2)
    return cols


class Broken(WhereTask):
    def compute(self, state, start, stop):
        if start >= 2 * UNIT:
            raise RuntimeError("broken on purpose")
        return super().compute(state, start, stop)


def test_steps_of_a_run_share_one_pool_and_each_step_prepares_its_own_task():
    executor = LocalExecutor()
    try:
        first, second = collect(executor), collect(executor)
    finally:
        executor.close()
    pids = set(first["pid"].tolist())
    assert os.getpid() not in pids
    assert set(second["pid"].tolist()) <= pids, "the second step started new worker processes"
    # each step's task is prepared in the worker that runs it (a stale state would be the first task's)
    for cols in (first, second):
        np.testing.assert_array_equal(cols["prepared_pid"], cols["pid"])
    for pid in pids:  # close() waited for the workers to exit
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_failed_step_closes_the_pool_and_the_next_step_starts_a_new_one():
    executor = LocalExecutor()
    try:
        first = collect(executor)
        with pytest.raises(RuntimeError, match="broken on purpose"):
            collect(executor, Broken())
        assert executor._pool is None, "the failed step's queued ranges could still run"
        after = collect(executor)
    finally:
        executor.close()
    assert not set(after["pid"].tolist()) & set(first["pid"].tolist())


def test_another_worker_count_gets_another_pool():
    executor = LocalExecutor()
    try:
        two = collect(executor, workers=2)
        three = collect(executor, workers=3)
    finally:
        executor.close()
    assert not set(three["pid"].tolist()) & set(two["pid"].tolist())


def test_workers_started_early_are_the_ones_that_run_the_first_step():
    """``start`` spawns every worker before the first ``map`` (so that they start up while the main
    process prepares); the first step then runs in those processes, with its results unchanged."""
    executor = LocalExecutor()
    try:
        executor.start(SessionSpec(None), 2)
        started = {p.pid for p in executor._pool._processes.values()}
        assert len(started) == 2 and os.getpid() not in started
        cols = collect(executor)
    finally:
        executor.close()
    assert set(cols["pid"].tolist()) <= started


def test_start_with_one_worker_starts_no_process():
    executor = LocalExecutor()
    executor.start(SessionSpec(None), 1)
    assert executor._pool is None
