"""examples/vitality_upgrade adds an upgrade (keen_edge) and a limit (last_stand) to the built-in
Vitality rules from outside the package, through the ``balance_rule_extensions`` hook: they are
enumerated, costed, simulated, listed in the rule table and recorded in a run, whose resume without
the plugin is refused.

Combat effects are checked exactly, not statistically: with common random numbers (dice depend on
cell, run, turn and die role, never on the attack), an upgrade made of the same effects as a
built-in one gives the same combats, and one that only adds accuracy and crit range ends no combat
later than the plain attack.
"""

from __future__ import annotations

import json

from balance.builds import parse_build
from balance.session import open_session
from tests.conftest import run_balance
from tests.examples.conftest import EXAMPLES
from tests.stages.tiny import write_tiny

PLUGIN = EXAMPLES / "vitality_upgrade" / "keen_edge.py"


def simulate(build: str, *args: str) -> dict:
    result = run_balance("simulate", build, "--runs", "30", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return {(c["profile"], c["scenario"]): c["mean"] for c in json.loads(result.stdout)["cells"]}


def test_the_plugin_adds_entries_that_enumerate_and_cost_as_declared():
    plain = open_session()
    extended = open_session(load=[str(PLUGIN)])
    assert "keen_edge" not in plain.rules.catalog.upgrade_cost
    assert extended.rules.build_cost(parse_build("melee_ac + keen_edge [last_stand]")) == 4
    assert extended.rules.build_cost(parse_build("area + keen_edge")) == 4  # doubled on area types
    assert extended.rules.check_build(parse_build("direct_damage + keen_edge"), 6) == [
        "upgrade keen_edge is not allowed on direct attacks"]
    # Every old build is still legal, and the new ones are exactly those naming an added entry.
    old = {b.id for b in plain.rules.enumerate_builds(6)}
    new = list(extended.rules.enumerate_builds(6))
    added = [b for b in new if b.id not in old]
    assert old <= {b.id for b in new}
    assert added and all("keen_edge" in b.upgrades or "last_stand" in b.limits for b in added)
    assert extended.rule_table.values["upgrades.keen_edge.cost"] == 2
    assert extended.rule_table.values["limits.last_stand.bonus_t"] == 8


def test_the_added_upgrade_changes_combat():
    """keen_edge only adds accuracy and crit range: no combat ends later than the plain attack."""
    plain = simulate("melee_ac")
    keen = simulate("melee_ac + keen_edge", "--plugin", str(PLUGIN))
    assert all(keen[cell] <= plain[cell] for cell in plain)
    assert sum(keen.values()) < sum(plain.values())


def test_an_added_upgrade_with_a_builtin_effect_plays_exactly_like_it(tmp_path):
    twin = tmp_path / "twin.py"
    twin.write_text(
        "from balance import hookimpl\n"
        "from balance_rules.vitality.catalog import Upgrade\n\n"
        "@hookimpl\n"
        "def balance_rule_extensions(rules):\n"
        "    return [Upgrade('brutal_twin', cost=2, effects={'brutal'})]\n"
    )
    assert simulate("melee_dg + brutal_twin, power_attack", "--plugin", str(twin)) == simulate(
        "melee_dg + brutal, power_attack")


def test_the_added_upgrade_is_overridable(tmp_path):
    cfg = write_tiny(tmp_path / "tiny.toml")
    text = cfg.read_text()
    cfg.write_text(text + "\n[rules.vitality]\nupgrades.keen_edge.cost = 1\n")
    bad = run_balance("rules", "show", "--config", str(cfg), "--plugin", str(PLUGIN))
    assert bad.stderr.strip() == ('config error: rules: a file that changes rules in [rules.NAME] names the rule '
                                  'system with name = "NAME" inside [rules] (or leaves it out), not rules = "NAME"')
    cfg.write_text(text.replace('rules = "vitality"\n', "") + "\n[rules.vitality]\nupgrades.keen_edge.cost = 1\n")
    shown = run_balance("rules", "show", "--changed", "--config", str(cfg), "--plugin", str(PLUGIN))
    assert shown.returncode == 0, shown.stderr
    assert "upgrades.keen_edge.cost" in shown.stdout and "# changed (default 2)" in shown.stdout
    assert "upgrades.keen_edge.cost" in shown.stdout and "# changed (default 2)" in shown.stdout


def test_a_run_records_the_extended_table_and_its_resume_needs_the_plugin(tmp_path):
    cfg = write_tiny(tmp_path / "tiny.toml")
    cfg.write_text(cfg.read_text().replace('rules = "vitality"\n', "")
                   + "\n[rules.vitality]\nupgrades.power_attack.cost = 2\n")
    plugin = tmp_path / "keen_edge.py"
    plugin.write_text(PLUGIN.read_text())
    out = tmp_path / "run"
    done = run_balance("run", str(cfg), "--out", str(out), "--stage", "stage1", "--workers", "1",
                       "--plugin", str(plugin), "--reporters", "stage1_pruning_report")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    table = manifest["config"]["rule_table"]
    assert table["rules"] == "vitality" and table["values"]["upgrades.keen_edge.cost"] == 2
    assert table["values"]["upgrades.power_attack.cost"] == 2
    # The shared report header lists the change before any figure.
    head = (out / "reports" / "stage1" / "stage1_pruning_report.md").read_text().split("## Run")[0]
    assert "`upgrades.power_attack.cost = 2 (default 1)`" in head
    # The plugin changes its upgrade's cost: the same config, but the rules would change under the run.
    plugin.write_text(plugin.read_text().replace('Upgrade("keen_edge", cost=2', 'Upgrade("keen_edge", cost=3'))
    again = run_balance("run", "--resume", str(out), "--stage", "stage1", "--workers", "1", "--trust-run-plugins")
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        f"config error: rules.vitality.upgrades.keen_edge.cost: differs from the rule table {out} was run with "
        "(2 then, 3 now); cannot resume it with other rules: start a new run directory"]
