"""The d20 example declares its budget keys and rule table through the same core mechanism as
Vitality: a config's ``[rules.d20]`` changes its numbers, with the same one-line errors."""

from __future__ import annotations

import json
import re

from tests.conftest import run_balance
from tests.examples.conftest import D20_CONFIG as CONFIG


def changed(tmp_path, text: str):
    """d20.toml with ``[rules.d20]`` changes (``rules = "d20"`` left out: TOML cannot hold both)."""
    path = tmp_path / "d20_changed.toml"
    path.write_text(CONFIG.read_text().replace('rules = "d20"', "") + f"\n[rules.d20]\n{text}\n")
    return path


def test_a_d20_cost_change_drops_the_builds_the_rules_say(tmp_path, d20_site):
    """power_strike 1 -> 2 points at budget 5: a build with it costs 1 more (2 more on burst, whose
    factor is 2), so exactly those with it costing more than 4 (3 on burst) drop out."""
    listed = run_balance("builds", "--config", str(CONFIG), env=d20_site)
    assert listed.returncode == 0, listed.stderr
    old = [re.fullmatch(r"(.*)  \(cost (\d+)\)", line).groups() for line in listed.stdout.splitlines()]
    drop = sum(1 for text, cost in old if "power_strike" in text
               and int(cost) > 5 - (2 if text.startswith("burst") else 1))
    assert drop > 0
    cfg = changed(tmp_path, "upgrades.power_strike.cost = 2")
    count = run_balance("builds", "--count", "--format", "json", "--config", str(cfg), env=d20_site)
    assert count.returncode == 0, count.stderr
    assert json.loads(count.stdout)["total"] == len(old) - drop
    shown = run_balance("rules", "show", "--changed", "--config", str(cfg), env=d20_site)
    assert "upgrades.power_strike.cost" in shown.stdout and "# changed (default 1)" in shown.stdout
    assert '# budget keys: tier = 5, archetype = "champion"; 5 points per attack' in shown.stdout


def test_d20_budget_keys_and_bad_changes_are_one_line_errors(tmp_path, d20_site):
    bad = changed(tmp_path, "upgrades.power_strik.cost = 2")
    result = run_balance("rules", "show", "--config", str(bad), env=d20_site)
    assert result.stderr.strip() == ("config error: rules.d20.upgrades.power_strik.cost: unknown rule "
                                     "(did you mean upgrades.power_strike.cost?)")
    level = tmp_path / "level.toml"
    level.write_text(CONFIG.read_text().replace("tier = 5 ", "tier = 25 "))
    result = run_balance("rules", "show", "--config", str(level), env=d20_site)
    assert result.returncode == 2
    assert result.stderr.strip() == "config error: tier: unknown tier 25 (known: 1-20)"
    bonus = changed(tmp_path, "archetypes.champion = 5")
    shown = run_balance("rules", "show", "--format", "json", "--config", str(bonus), env=d20_site)
    assert json.loads(shown.stdout)["points_per_attack"] == 5 // 2 + 5
