"""`balance build check` and `balance builds`, run as a user would (a new process)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_balance
from tests.vitality_rules.test_counts import PINNED, TOTALS


def test_check_legal_build():
    r = run_balance("build", "check", "melee_dg + power_attack, brutal [unreliable_1]")
    assert r.returncode == 0, r.stderr
    # Default budget: the embedded default config (tier 4, dual_natured) -> 6.
    assert r.stdout == "melee_dg + brutal, power_attack [unreliable_1]\ncost 5 (budget 6)\nlegal\n"


def test_check_illegal_build_lists_every_broken_rule():
    r = run_balance("build", "check", "area + double_tap, ricochet [unreliable_1, cooldown]", "--budget", "4")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "area + double_tap, ricochet [cooldown, unreliable_1]",
        "cost 16 (budget 4)",
        "upgrade double_tap is not allowed on area attacks",
        "upgrade ricochet is not allowed on area attacks",
        "at most one of double_tap, explosive_critical, ricochet",
        "cost 16 exceeds budget 4",
    ]


def test_check_budget_option_changes_verdict():
    text = "ranged + double_tap, overhit, bleed"
    assert run_balance("build", "check", text).returncode == 1  # 9 > 6
    r = run_balance("build", "check", text, "--budget", "9")
    assert r.returncode == 0 and r.stdout.endswith("cost 9 (budget 9)\nlegal\n")


def test_check_unknown_name_exit_2():
    r = run_balance("build", "check", "melee_dg + powr_attack")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.strip() == 'error: unknown upgrade "powr_attack" (did you mean power_attack?)'
    r = run_balance("build", "check", "melee_dg + unreliable_1")
    assert r.returncode == 2
    assert "unreliable_1 is a limit, not an upgrade" in r.stderr


def test_check_json():
    r = run_balance("build", "check", "area + brutal [cooldown]", "--budget", "4", "--format", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout) == {
        "build": "area + brutal [cooldown]", "cost": 6, "budget": 4, "legal": False,
        "problems": ["cost 6 exceeds budget 4"],
    }


def test_builds_count_by_type_json_is_exact():
    r = run_balance("builds", "--budget", "6", "--count", "--by-type", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"total": TOTALS[6], "by_type": PINNED[6]}
    assert list(json.loads(r.stdout)["by_type"]) == list(PINNED[6])  # catalog order
    assert r.stdout == json.dumps({"total": TOTALS[6], "by_type": PINNED[6]}) + "\n"


def test_builds_count_text_and_default_budget():
    r = run_balance("builds", "--count")
    assert r.returncode == 0 and r.stdout == f"{TOTALS[6]}\n"
    r = run_balance("builds", "--budget", "2", "--by-type")
    assert r.stdout.splitlines()[-1].split() == ["total", str(TOTALS[2])]
    assert r.stdout.splitlines()[3].split() == ["area", "12"]


def test_builds_list_one_per_line_with_cost():
    r = run_balance("builds", "--budget", "2", "--type", "direct_area_damage")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert len(lines) == PINNED[2]["direct_area_damage"]
    assert lines[:2] == ["direct_area_damage  (cost 0)", "direct_area_damage [careful]  (cost 2)"]
    r = run_balance("builds", "--budget", "4", "--type", "area", "--format", "json")
    rows = json.loads(r.stdout)
    assert len(rows) == PINNED[4]["area"]
    # Canonical order: every limit set of the bare type comes before the first upgrade.
    assert rows[1] == {"build": "area [bloodied]", "attack_type": "area", "upgrades": [], "limits": ["bloodied"], "cost": 4}
    assert all(row["cost"] <= 4 for row in rows)


def test_builds_type_filter_count_and_unknown_type():
    r = run_balance("builds", "--budget", "8", "--type", "area", "--count", "--by-type", "--format", "json")
    assert json.loads(r.stdout) == {"total": PINNED[8]["area"], "by_type": {"area": PINNED[8]["area"]}}
    r = run_balance("builds", "--type", "aera")
    assert r.returncode == 2
    assert r.stderr.strip() == 'error: unknown attack type "aera" (did you mean area?)'


def test_negative_budget_is_a_usage_error():
    r = run_balance("builds", "--budget", "-1")
    assert r.returncode == 2 and "budget must not be negative" in r.stderr


def test_default_budget_comes_from_the_config(tmp_path):
    text = (Path(__file__).resolve().parents[2] / "balance" / "config" / "default.toml").read_text()
    # The budget keys are the rule system's (its defaults: tier 4, dual_natured); the file sets them.
    text = text.replace('rules = "vitality"\n', 'rules = "vitality"\ntier = 3\narchetype = "versatile_master"\n')
    text = text.replace("attacker = [2, 2, 2, 2, 4]", "attacker = [2, 2, 2, 2, 3]")
    config = tmp_path / "small.toml"
    config.write_text(text)
    # Tier 3 versatile_master: 2 points per attack.
    r = run_balance("builds", "--count", "--config", str(config))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{TOTALS[2]}\n"
    r = run_balance("build", "check", "ranged + brutal [passive]", "--config", str(config))
    assert r.returncode == 1
    assert r.stdout.splitlines()[1:] == ["cost 3 (budget 2)", "cost 3 exceeds budget 2"]
