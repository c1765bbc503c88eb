"""Fixtures: a synthetic run (known random records, real schemas) with 300 stage-2 pairs, a real
small run made by ``balance run``, and the reports of each (written once per session)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from balance.reporting import write_reports
from balance.session import open_session
from balance_plugins.stages.synthetic import make_run
from tests.conftest import run_balance

REAL_CONFIG = textwrap.dedent("""\
    rules = "vitality"
    points_per_attack = 2
    max_turns = 60
    seed = 5

    [[profiles]]
    name = "Nimble"
    stats = [2, 2, 4, 0, 4]

    [[profiles]]
    name = "Bulwark"
    stats = [2, 2, 0, 4, 4]

    [[buffs]]
    name = "Plain"

    [[scenarios]]
    name = "Giant"
    enemy_hp = [100]

    [[scenarios]]
    name = "Horde"
    enemy_hp = [25, 25, 10, 10, 10]

    [stage1]
    runs = 4

    [stage1.prune]
    strategy = "hybrid"
    overall_percent = 10.0
    specialist_percent = 3.0
    enhancement_percent = 5.0

    [stage2]
    runs = 2
    confirm_top = 8
    confirm_runs = 4
    """)


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory) -> Path:
    """25 stage-2 attacks = 300 pairs; tiny frames and shards so reading crosses many boundaries."""
    return make_run(tmp_path_factory.mktemp("syn") / "run", budget=3, n_stage2=25, seed=11, confirm_top=12,
                    frame_records=64, shard_records=100, block=50)


@pytest.fixture(scope="session")
def real_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("real")
    (base / "config.toml").write_text(REAL_CONFIG)
    out = base / "run"
    # One worker: the reports do not depend on the worker count (tests/stages/test_run_end_to_end.py
    # proves the records do not), and a pool of workers is started for every step of a run.
    res = run_balance("run", str(base / "config.toml"), "--out", str(out), "--no-reports", "--workers", "1")
    assert res.returncode == 0, res.stderr
    return out


def write_all(run_dir: Path, out: Path, **kw) -> Path:
    session = open_session(run_dir / "config.toml")
    write_reports(session, run_dir, out, **kw)
    return out


@pytest.fixture(scope="session")
def syn_reports(synthetic_run, tmp_path_factory) -> Path:
    return write_all(synthetic_run, tmp_path_factory.mktemp("syn_reports"))


@pytest.fixture(scope="session")
def real_reports(real_run, tmp_path_factory) -> Path:
    return write_all(real_run, tmp_path_factory.mktemp("real_reports"))


@pytest.fixture(params=["synthetic", "real"])
def run_and_reports(request):
    """(run directory, report folder) for both the synthetic and the real run."""
    if request.param == "synthetic":
        return request.getfixturevalue("synthetic_run"), request.getfixturevalue("syn_reports")
    return request.getfixturevalue("real_run"), request.getfixturevalue("real_reports")


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
