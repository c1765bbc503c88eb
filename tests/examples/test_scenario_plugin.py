"""examples/scenario_plugin: generated "Leader + k" scenarios reach the grid through the
balance_scenarios hook, are simulated in both stages and labelled in the records and reports."""

from __future__ import annotations

import importlib.util
import json

import numpy as np

from tests.conftest import run_balance
from tests.examples.conftest import EXAMPLES
from tests.stages.tiny import read_stage, write_tiny

PLUGIN = EXAMPLES / "scenario_plugin" / "escalating_swarm.py"
NEW = ["Leader + 2", "Leader + 4", "Leader + 8"]


def load_plugin():
    spec = importlib.util.spec_from_file_location("escalating_swarm_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scenarios_follow_the_config_sizes(tmp_path):
    from balance.session import open_session

    config = write_tiny(tmp_path / "tiny.toml")  # Boss [60], Swarm [25, 10, 10, 10]
    swarms = load_plugin().escalating_swarms(open_session(config).config)
    assert [(s.name, s.enemy_hp) for s in swarms] == [
        ("Leader + 2", (60, 10, 10)), ("Leader + 4", (60, 10, 10, 10, 10)), ("Leader + 8", (60,) + (10,) * 8)]


def test_listed_as_a_local_plugin():
    result = run_balance("plugins", "--format", "json", "--plugin", str(PLUGIN))
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert plugins["escalating_swarm"]["distribution"] == "local"
    assert plugins["escalating_swarm"]["provides"] == [f"scenario {n}" for n in NEW]


def test_run_with_the_plugin_from_the_config(tmp_path):
    config = write_tiny(tmp_path / "tiny.toml")
    # [plugins] load in the config, relative to the config file (a copy of the plugin sits next to it)
    (tmp_path / "escalating_swarm.py").write_text(PLUGIN.read_text())
    config.write_text(config.read_text() + '\n[plugins]\nload = ["escalating_swarm.py"]\n')
    out = tmp_path / "run"
    result = run_balance("run", str(config), "--out", str(out), "--reporters", "stage1_pruning_report,stage2_pairing_report")
    assert result.returncode == 0, result.stderr
    from balance_plugins.store.store import MsgpackStore

    run = MsgpackStore().open(out)
    for stage in ("stage1", "stage2"):
        labels = list(run.stage_reader(stage).schema.column("by_scenario").labels)
        assert labels == ["Boss", "Swarm", *NEW], stage
    s1 = read_stage(out, "stage1")
    per_scenario = s1["by_scenario"].astype(float).mean(axis=0)
    # each step adds minions behind the same leader: more to defeat, more turns on average
    assert per_scenario[2] < per_scenario[3] < per_scenario[4]
    assert np.isfinite(read_stage(out, "stage2")["by_scenario"]).all()
    report = (out / "reports" / "stage1" / "stage1_pruning_report.md").read_text()
    assert "Leader + 8 [60, 10, 10, 10, 10, 10, 10, 10, 10]" in report
