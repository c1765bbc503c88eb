"""The Dask executor on a real LocalCluster with 2 workers gives bit-for-bit the local results.

The cluster is started once here and handed to ``balance run --scheduler``: without an address the
executor starts a LocalCluster for every piece of work (stage 1, stage 2's solos, pairs and
confirmation), and in a tiny run those cluster starts took most of the test's time. The executor's
own LocalCluster (no ``--scheduler``) is tested in test_dask_workers.py."""

from __future__ import annotations

import pytest

from tests.conftest import run_balance
from tests.stages.tiny import assert_same_results, write_tiny

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


def test_dask_localcluster_matches_local_executor(tmp_path, cluster):
    config = write_tiny(tmp_path / "tiny.toml", seed=3)
    local, dask = tmp_path / "local", tmp_path / "dask"
    a = run_balance("run", str(config), "--out", str(local), "--workers", "2", "--no-reports")
    assert a.returncode == 0, a.stderr
    b = run_balance("run", str(config), "--out", str(dask), "--executor", "dask", "--scheduler",
                    cluster.scheduler_address, "--no-reports")
    assert b.returncode == 0, b.stderr
    assert_same_results(local, dask)
    # the run's work went to this cluster (a run that ignored --scheduler would start its own)
    assert "run_unit" in cluster.scheduler.task_prefixes


def test_scheduler_needs_dask_executor(tmp_path):
    config = write_tiny(tmp_path / "tiny.toml")
    result = run_balance("run", str(config), "--out", str(tmp_path / "x"), "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --scheduler needs --executor dask"


def test_scheduler_address_is_used(tmp_path):
    # Nothing listens there: a run that ignored --scheduler would quietly start a LocalCluster.
    config = write_tiny(tmp_path / "tiny.toml")
    result = run_balance("run", str(config), "--out", str(tmp_path / "x"), "--executor", "dask",
                         "--scheduler", "tcp://127.0.0.1:9", "--no-reports")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Dask scheduler tcp://127.0.0.1:9: ")
