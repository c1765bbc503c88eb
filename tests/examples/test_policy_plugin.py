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
