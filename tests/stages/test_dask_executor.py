"""The Dask executor on a real LocalCluster with 2 workers gives bit-for-bit the local results."""

from __future__ import annotations

import pytest

from tests.conftest import run_balance
from tests.stages.tiny import assert_same_results, write_tiny

pytest.importorskip("dask.distributed")


def test_dask_localcluster_matches_local_executor(tmp_path):
    config = write_tiny(tmp_path / "tiny.toml", seed=3)
    local, dask = tmp_path / "local", tmp_path / "dask"
    a = run_balance("run", str(config), "--out", str(local), "--workers", "2", "--no-reports")
    assert a.returncode == 0, a.stderr
    b = run_balance("run", str(config), "--out", str(dask), "--executor", "dask", "--workers", "2", "--no-reports")
    assert b.returncode == 0, b.stderr
    assert_same_results(local, dask)


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
