"""examples/policy_plugin: the ``finisher`` policy is loaded as a local plugin, selected by the
config, reads only the kernel's view numbers, and chooses measurably differently from ``default``."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import run_balance
from tests.examples.conftest import D20_CONFIG, EXAMPLES
from tests.stages.tiny import read_stage, read_table

PLUGIN = EXAMPLES / "policy_plugin" / "finisher.py"


def finisher():
    spec = importlib.util.spec_from_file_location("finisher_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Finisher()


def test_choices_on_a_hand_made_view():
    view = SimpleNamespace(
        expected=np.array([[9.0, 4.0], [9.0, 4.0], [9.0, 4.0], [2.0, 3.0]]),
        kill_chance=np.array([[0.2, 0.9], [0.2, 0.3], [0.2, 0.9], [0.6, 0.6]]),
    )
    usable = np.array([[True, True], [True, True], [True, False], [True, True]])
    # lane 0: finish with slot 1; lane 1: nobody finishes -> most expected damage; lane 2: slot 1
    # would finish but is not usable; lane 3: equal kill chances -> the larger expected damage
    assert finisher().choose(view, usable).tolist() == [1, 0, 0, 1]


def test_needs_a_kill_chance_in_the_view():
    view = SimpleNamespace(expected=np.zeros((1, 2)))
    with pytest.raises(ValueError, match="kill_chance"):
        finisher().choose(view, np.ones((1, 2), bool))


def test_run_with_finisher_differs_from_default(d20_run, d20_site, tmp_path):
    config = tmp_path / "d20_finisher.toml"
    config.write_text(D20_CONFIG.read_text().replace("[stage2]\n", '[stage2]\npolicy = "finisher"\n'))
    out = tmp_path / "run"
    result = run_balance("run", str(config), "--plugin", str(PLUGIN), "--out", str(out),
                         "--reporters", "stage2_pairing_report", env=d20_site)
    assert result.returncode == 0, result.stderr
    report = (out / "reports" / "stage2" / "stage2_pairing_report.md").read_text()
    assert "**Policy** (attack choice each turn): finisher" in report

    default, fin = read_stage(d20_run, "stage2"), read_stage(out, "stage2")
    np.testing.assert_array_equal(default["a"], fin["a"])  # same stage 1, same pairs
    np.testing.assert_array_equal(default["b"], fin["b"])
    moved = np.abs(default["usage_a_scenario"].astype(float) - fin["usage_a_scenario"].astype(float)).max(axis=1)
    assert (moved > 0.05).mean() > 0.25  # a quarter of all pairs split their turns differently
    # Against the goblin swarm the finisher turns from the area attack to the single-target attack
    # that can drop the goblin in front (and, as it happens, does worse than the default there).
    types = np.asarray(read_table(out, "stage2", "attacks")["attack_type"])
    a_burst, b_burst = types[fin["a"]] == "burst", types[fin["b"]] == "burst"
    mixed = a_burst != b_burst
    goblins = 1

    def burst_share(records):
        usage = np.where(a_burst[:, None], records["usage_a_scenario"], records["usage_b_scenario"])
        return usage[mixed, goblins].astype(float).mean()

    assert burst_share(fin) < burst_share(default) - 0.1


def test_raced_finisher_is_never_slower_than_its_plans(tmp_path):
    """``raced_finisher`` reuses the engine's race: on the d20 kernel it is not slower than either
    attack alone nor than ``finisher`` turn by turn, beyond 3 combined standard errors (the same
    evaluation dice for all: seed 4, stream 0)."""
    import sys

    from balance.builds import Build
    from balance.engine import Simulator
    from balance.grid import Buff, Grid, Profile, Scenario

    spec = importlib.util.spec_from_file_location("finisher_raced_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.path.insert(0, str(EXAMPLES / "d20_rules"))
    try:
        from balance_d20.kernel import D20Kernel
    finally:
        sys.path.remove(str(EXAMPLES / "d20_rules"))
    builds = [Build("melee", limits=["opening_strike"]), Build("burst"), Build("melee", ["cleave"])]
    grid = Grid((Profile("A", (4, 0, 1, 0, 14, 0)), Profile("B", (6, 0, 3, 0, 17, 2))), (Buff("No Buffs"),),
                (Scenario("S", (30, 30)), Scenario("T", (12, 12, 12))))
    pairs = np.array([[0, 1], [1, 2], [0, 2]])

    def overall(policy, cand):
        res = Simulator(D20Kernel(), builds, grid, (5, 3, 3, 3, 15, 0), 60, policy).run(cand, 60, seed=4)
        return res.means().mean(axis=1), np.sqrt((res.ses() ** 2).sum(axis=1)) / res.turn_sum.shape[1]

    raced, raced_se = overall(module.RacedFinisher(), pairs)
    fin, fin_se = overall(module.Finisher(), pairs)
    solo, solo_se = overall(module.RacedFinisher(), np.arange(3))
    for i, (a, b) in enumerate(pairs):
        for m, se in ((fin[i], fin_se[i]), (solo[a], solo_se[a]), (solo[b], solo_se[b])):
            assert raced[i] - m <= 3 * np.hypot(raced_se[i], se), (i, raced[i], m)
