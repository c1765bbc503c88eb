"""``balance run --set``: one config key changed on the command line, and sweeps (``KEY=V1,V2,...``),
on a small real Vitality config (stage 1 only, two cells, a few seconds a run)."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from balance.cli.main import main
from balance_plugins.store import MsgpackStore
from tests.conftest import run_balance
from tests.reports.helpers import section, tables

CONFIG = """\
rules = "vitality"
tier = 4
points_per_attack = 4
attacker = [2, 2, 2, 2, 4]
max_turns = 60
seed = 7
stages = ["stage1"]

[[profiles]]
name = "Tanky"
stats = [2, 2, 0, 4, 4]

[[scenarios]]
name = "Boss"
enemy_hp = [60]

[[scenarios]]
name = "Swarm"
enemy_hp = [25, 10, 10, 10]

[stage1]
runs = 4
"""
KEY = "rules.vitality.limits.charges_1.cost"


@pytest.mark.parametrize("setting, line", [
    ("stage1.runz=3", "config error: stage1.runz: unknown key (did you mean runs?)"),
    ("stage1.runs=abc", 'config error: stage1.runs: expected an integer, got "abc"'),
    ("seed", "error: --set seed: expected KEY=VALUE (e.g. --set stage1.runs=10)"),
    ("seed.x=1", "config error: seed: is a value, not a table: --set seed.x cannot set a key inside it"),
    ("rules.vitality.limits.charges_9.cost=2",
     "config error: rules.vitality.limits.charges_9.cost: unknown rule (did you mean limits.charges_2.cost?)"),
    (f"{KEY}=-1", f"config error: {KEY}: expected at least 0, got -1"),
    # A sweep checks every value before any run: the third is refused, nothing is created.
    (f"{KEY}=1,2,x", f'config error: {KEY}: expected an integer, got "x"'),
    ("stage1.runs=2,2", "error: --set stage1.runs=2,2: a value is listed twice"),
])
def test_a_bad_setting_is_one_line_before_any_work(tmp_path, capsys, setting, line):
    out = tmp_path / "out"
    assert main(["run", "--set", setting, "--out", str(out), "--no-reports"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [line]
    assert not out.exists()


def test_two_swept_keys_are_refused(capsys):
    assert main(["run", "--set", "seed=1,2", "--set", "max_turns=50,60"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: --set: one key may take several values (a sweep), and seed and max_turns both do")


def records(run_dir) -> dict[str, np.ndarray]:
    """Stage-1 mean turns per cell by build id."""
    run = MsgpackStore().open(run_dir)
    ids = run.read_table("stage1", "attacks")["id"]
    out = {}
    for block in run.stage_reader("stage1").blocks(["attack", "cell_mean"]):
        for a, cells in zip(block["attack"], block["cell_mean"]):
            out[ids[a]] = np.asarray(cells)
    return out


def all_columns(run_dir) -> dict[str, np.ndarray]:
    """Every stage-1 column in attack order, and the kept table."""
    run = MsgpackStore().open(run_dir)
    blocks = list(run.stage_reader("stage1").blocks())
    out = {k: np.concatenate([np.asarray(b[k]) for b in blocks]) for k in blocks[0]}
    order = np.argsort(out["attack"])
    return {**{k: v[order] for k, v in out.items()}, "kept": np.asarray(run.read_table("stage1", "kept")["attack"])}


def test_a_sweep_runs_one_directory_per_value_and_compares_them(tmp_path):
    (tmp_path / "c.toml").write_text(CONFIG)
    out = tmp_path / "sweep"
    cmd = ["run", str(tmp_path / "c.toml"), "--set", f"{KEY}=1,2,3", "--set", "stage1.runs=3",
           "--out", str(out), "--no-reports", "--workers", "1"]
    res = run_balance(*cmd)
    assert res.returncode == 0, res.stderr
    dirs = [out / f"{KEY}={v}" for v in (1, 2, 3)]
    builds = []
    for value, run_dir in zip((1, 2, 3), dirs):
        recorded = tomllib.loads((run_dir / "config.toml").read_text())
        assert recorded["rules"]["vitality"]["limits"]["charges_1"]["cost"] == value
        assert recorded["stage1"]["runs"] == 3  # the fixed setting, in every variant
        builds.append(records(run_dir))
    # A dearer limit leaves fewer legal builds, only ever a subset (the budget is fixed).
    assert len(builds[0]) > len(builds[1]) > len(builds[2])
    assert set(builds[2]) <= set(builds[1]) <= set(builds[0])
    assert any("charges_1" in b for b in builds[0]) and any("charges_1" in b for b in builds[2])
    # A die depends on the seed, cell, run and turn, not on a build's place in the enumeration:
    # a build legal in two variants of a cost rolls and scores exactly alike (what would let a
    # sweep share stage-1 work).
    for b in builds[1:]:
        assert all(np.array_equal(builds[0][k], v) for k, v in b.items())

    page = (out / "sweep.md").read_text()
    for value in (2, 3):
        part = section(page, f"`{KEY} = {value}` against `{KEY} = 1`")
        assert f"| `` {KEY} `` | `` 1 `` | `` {value} `` | yes |" in part
        (head, rows), = tables(section(part, "Enhancements whose cost changed"))
        assert [(r[0], r[1], r[2]) for r in rows] == [("`charges_1` (limit)", "1", str(value))]
        # The same effect at a higher price: fewer turns saved per point paid (less negative).
        a, b = (float(r.split(" ")[0]) for r in rows[0][3:5])
        assert a < b < 0

    # A cost decides legality only (the rule system says so): the variants after the first copy the
    # stage-1 records of the builds they share with it; the result equals a run of its own, every
    # column and the pruning, record for record.
    assert res.stderr.count("records copied from") == 2
    alone = tmp_path / "alone"
    solo = run_balance("run", str(tmp_path / "c.toml"), "--set", f"{KEY}=2", "--set", "stage1.runs=3",
                       "--out", str(alone), "--no-reports", "--workers", "1")
    assert solo.returncode == 0, solo.stderr
    assert "records copied" not in solo.stderr
    shared, own = all_columns(dirs[1]), all_columns(alone)
    assert shared.keys() == own.keys()
    for k in own:
        assert np.array_equal(shared[k], own[k]), k

    # The same command again continues the sweep (every variant is complete: nothing reruns) ...
    again = run_balance(*cmd)
    assert again.returncode == 0, again.stderr
    assert "stage1:" not in again.stderr and "sweep page:" in again.stderr
    # ... and one asking for other numbers into the same folders stops, naming the key.
    other = run_balance(*[c if c != "stage1.runs=3" else "stage1.runs=4" for c in cmd])
    assert other.returncode != 0
    assert "stage1.runs" in other.stderr and len(other.stderr.strip().splitlines()) == 1


def test_a_sweep_of_a_rule_that_changes_combat_simulates_every_variant(tmp_path):
    (tmp_path / "c.toml").write_text(CONFIG)
    key = "rules.vitality.thresholds.brutal_excess_t"
    res = run_balance("run", str(tmp_path / "c.toml"), "--set", f"{key}=5,3", "--set", "stage1.runs=2",
                      "--out", str(tmp_path / "s"), "--no-reports", "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert "records copied" not in res.stderr
    assert res.stderr.count("stage1: ") == 2  # both variants simulated every build
    page = (tmp_path / "s" / "sweep.md").read_text()
    assert f"`{key} = 3` against `{key} = 5`" in page
