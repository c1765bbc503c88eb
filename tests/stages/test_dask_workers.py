"""The Dask executor runs the work on the cluster's worker processes, never in the client.

A task records the pid and the Dask worker address of the process that computed each item; the
results must come from processes other than this (the client's) one, and, against a LocalCluster
started here, from that cluster's own workers."""

from __future__ import annotations

import os

import numpy as np
import pytest

from balance.work import SessionSpec, ranges
from balance_plugins.executors.dask_executor import DaskExecutor
from tests.stages.where_task import WhereTask

distributed = pytest.importorskip("dask.distributed")

ITEMS, UNIT = 40, 5


def collect(executor, workers: int):
    out = list(executor.map(SessionSpec(None), WhereTask(), ranges(0, ITEMS, UNIT), workers))
    assert [(s, e) for s, e, _ in out] == list(ranges(0, ITEMS, UNIT))  # submission order
    cols = {k: np.concatenate([c[k] for _, _, c in out]) for k in out[0][2]}
    np.testing.assert_array_equal(cols["square"], np.arange(ITEMS) ** 2)
    return cols


def test_default_local_cluster_computes_in_worker_processes():
    executor = DaskExecutor()
    try:
        cols = collect(executor, workers=2)
        again = collect(executor, workers=2)  # the run's next step: the same cluster's workers
        cluster = executor._open[2]
    finally:
        executor.close()
    pids = set(cols["pid"].tolist())
    assert os.getpid() not in pids, "the Dask executor computed items in the client process"
    assert set(cols["prepared_pid"].tolist()) == pids  # state was prepared in the worker that used it
    assert all(w.startswith("tcp://") for w in cols["worker"]), "items computed outside a Dask worker"
    assert set(again["pid"].tolist()) <= pids, "the second step started another cluster"
    assert cluster.status.name == "closed", "close() left the LocalCluster it started running"


def test_a_given_scheduler_gets_the_work_on_its_workers():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            worker_pids = client.run(os.getpid)  # {worker address: pid}
            executor = DaskExecutor()
            executor.scheduler = cluster.scheduler_address
            cols = collect(executor, workers=0)
            executor.close()
            assert cluster.status.name == "running"  # the executor did not close a cluster it did not start
    finally:
        cluster.close()
    assert os.getpid() not in worker_pids.values()
    for worker, pid in zip(cols["worker"], cols["pid"]):
        assert worker_pids.get(worker) == pid, f"item computed by pid {pid}, not by a worker of the cluster"
    assert set(cols["worker"]) <= set(worker_pids)
