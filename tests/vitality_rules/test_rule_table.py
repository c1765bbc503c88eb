"""Vitality's rules as data: the config's ``[rules.vitality]`` overrides reach legality, enumeration
and both kernels (numpy and compiled), with one-line errors for unknown names and bad values.

Combat checks use direct_damage, which auto-hits with a flat roll and never crits: its turns against
one enemy are exact arithmetic (rulebook sections 1-4), so the expected figures below are derived,
not measured. Thanks to common random numbers, a bonus that only adds to a roll ends every combat
no later, so the power_attack check is an exact inequality per cell, not a statistical one.
"""

from __future__ import annotations

import json
import math

import pytest

from balance.builds import parse_build
from balance.session import open_session
from balance_rules.vitality.rules import VitalityRules
from tests.conftest import run_balance

#: Attacker [2, 2, 2, 2, 4]: T = 4, damage bonus T + power = 6. Profiles (rulebook section 1):
#: Evasive [2, 2, 4, 0, 4] has Durability 5 + 4 + 0 = 9, Tanky [2, 2, 0, 4, 4] 5 + 4 + 4 = 13.
T, DMG_BASE, DUR = 4, 6, {"Evasive": 9, "Tanky": 13}


def write(tmp_path, text: str, name: str = "c.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def simulate(*args: str) -> dict:
    result = run_balance("simulate", *args, "--format", "json", "--scenario", "Boss")
    assert result.returncode == 0, result.stderr
    return {c["profile"]: c for c in json.loads(result.stdout)["cells"]}


def direct_turns(direct_flat: int, profile: str, hp: int = 100, finishing_hp: int = 0) -> int:
    """Turns of direct_damage against one enemy: damage d = (flat - T) + damage bonus - Durability
    every turn; with finishing_blow_1 the enemy falls once its HP is within 1..finishing_hp."""
    d = direct_flat - T + DMG_BASE - DUR[profile]
    turns = 0
    while hp > 0:
        hp -= d
        turns += 1
        if 1 <= hp <= finishing_hp:
            hp = 0
    return turns


# -- legality and enumeration ---------------------------------------------------------------------


def test_a_cost_override_changes_legality_and_counts_as_the_rules_say(tmp_path):
    """power_attack 1 -> 2 points: a build with it costs 1 more on single-target types and 2 more on
    area types (cost factor 2), so the builds that drop out are exactly those with power_attack
    whose old cost was above budget - 1 (single) or budget - 2 (area)."""
    base = VitalityRules()
    changed = VitalityRules(base.ruleset.with_table({"upgrades.power_attack.cost": 2}))
    budget = 6
    old = list(base.enumerate_builds(budget))
    dropped = {}
    for b in old:
        factor = base.catalog.type_factor[b.attack_type]
        if "power_attack" in b.upgrades and base.build_cost(b) > budget - factor:
            dropped[b.attack_type] = dropped.get(b.attack_type, 0) + 1
    old_counts = base.count_builds(budget)
    new_counts = changed.count_builds(budget)
    assert dropped["melee_dg"] > 0 and dropped["area"] > 0
    assert new_counts == {t: n - dropped.get(t, 0) for t, n in old_counts.items()}
    assert {b.id for b in changed.enumerate_builds(budget)} <= {b.id for b in old}
    # The same through a config file, as a user writes it.
    cfg = write(tmp_path, "[rules.vitality]\nupgrades.power_attack.cost = 2\n")
    result = run_balance("builds", "--count", "--by-type", "--format", "json", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["by_type"] == new_counts
    one = parse_build("melee_dg + power_attack")
    assert base.check_build(one, 1) == [] and changed.check_build(one, 1) != []
    assert changed.build_cost(one) == 2


def test_the_area_cost_factor_is_a_rule(tmp_path):
    rules = VitalityRules(VitalityRules().ruleset.with_table({"area_cost_factor": 1}))
    assert rules.build_cost(parse_build("area + power_attack, brutal")) == 3  # 1 + 2, not doubled


def test_the_budget_table_is_a_rule(tmp_path):
    cfg = write(tmp_path, "[rules.vitality]\nbudgets.dual_natured.tier_4 = 2\n")
    session = open_session(cfg)
    assert session.budget == 2
    assert session.rules.count_builds(2) == VitalityRules().count_builds(2)


# -- combat: numpy and compiled kernels -----------------------------------------------------------


@pytest.mark.parametrize("compiled", [True, False])
def test_a_bonus_override_moves_turns_by_the_derived_amount(tmp_path, compiled):
    """direct_damage's flat roll 15 -> 23: +8 damage a turn, turns derived per profile."""
    opts = f"[rule_options]\ncompiled = {str(compiled).lower()}\n"
    cfg = write(tmp_path, opts + "[rules.vitality]\nattack_types.direct_damage.direct_flat = 23\n")
    plain = write(tmp_path, opts, "plain.toml")
    before = simulate("direct_damage", "--runs", "5", "--config", str(plain))
    after = simulate("direct_damage", "--runs", "5", "--config", str(cfg))
    for profile in DUR:
        assert before[profile]["mean"] == direct_turns(15, profile), profile
        assert after[profile]["mean"] == direct_turns(23, profile), profile
        assert after[profile]["mean"] < before[profile]["mean"]


@pytest.mark.parametrize("compiled", [True, False])
def test_a_threshold_override_reaches_both_kernels(tmp_path, compiled):
    """finishing_blow_1 defeats a target left at 1..N HP: N = 5 (default) and 12 give the turns
    derived for each (numba freezes globals at compile time, so this proves the threshold is data)."""
    opts = f"[rule_options]\ncompiled = {str(compiled).lower()}\n"
    for n in (5, 12, 0):
        cfg = write(tmp_path, opts + f"[rules.vitality]\nthresholds.finishing_blow_hp = {n}\n", f"f{n}.toml")
        got = simulate("direct_damage + finishing_blow_1", "--runs", "3", "--config", str(cfg))
        for profile in DUR:
            assert got[profile]["mean"] == direct_turns(15, profile, finishing_hp=n), (n, profile)


def test_a_damage_bonus_override_ends_no_combat_later(tmp_path):
    """power_attack damage_t 1 -> 3 (+8 damage at T 4): with the same dice every combat ends no
    later, so each cell's mean turns can only fall, and falls overall."""
    cfg = write(tmp_path, "[rules.vitality]\nupgrades.power_attack.damage_t = 3\n")
    before = simulate("melee_dg + power_attack", "--runs", "40")
    after = simulate("melee_dg + power_attack", "--runs", "40", "--config", str(cfg))
    assert all(after[p]["mean"] <= before[p]["mean"] for p in before)
    assert sum(a["mean"] for a in after.values()) < sum(b["mean"] for b in before.values())


def test_the_decision_is_a_rule(tmp_path):
    session = open_session(write(tmp_path, "[rules.vitality]\ndecisions.armor_piercing_keeps_buff = false\n"))
    assert session.rules.kernel(session.config.rule_options).ap_keeps_buff is False
    assert open_session().rules.kernel({}).ap_keeps_buff is True


# -- errors, show -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("upgrades.power_atack.cost = 2",
     "config error: rules.vitality.upgrades.power_atack.cost: unknown rule (did you mean upgrades.power_attack.cost?)"),
    ('upgrades.power_attack.cost = "two"',
     'config error: rules.vitality.upgrades.power_attack.cost: expected an integer, got "two"'),
    ("upgrades.power_attack.cost = -1",
     "config error: rules.vitality.upgrades.power_attack.cost: expected at least 0, got -1"),
    ("decisions.armor_piercing_keeps_buff = 1",
     "config error: rules.vitality.decisions.armor_piercing_keeps_buff: expected true or false, got 1"),
    ("limits.unreliable_1.dc = 21",
     "config error: rules.vitality.limits.unreliable_1.dc: expected a d20 result from 1 to 20, got 21"),
    ("upgrades.brutal.damage_t = 100000",
     "config error: rules.vitality.upgrades.brutal.damage_t: 100,000 is beyond the limit of 1,000 (either way)"),
])
def test_bad_overrides_give_one_line_and_exit_2(tmp_path, text, expected):
    cfg = write(tmp_path, f"[rules.vitality]\n{text}\n")
    result = run_balance("rules", "show", "--config", str(cfg))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [expected]


def test_overrides_for_another_rule_system_are_refused(tmp_path):
    cfg = write(tmp_path, 'rules = { name = "vitality", d20 = { max_upgrades = 1 } }\n')
    result = run_balance("rules", "show", "--config", str(cfg))
    assert result.returncode == 2
    assert result.stderr.strip() == ("config error: rules.d20: changes rule system d20, and this run uses vitality "
                                     "(write them in [rules.vitality], or set rules.name)")


def test_rules_show_prints_the_effective_table_and_marks_overrides(tmp_path):
    cfg = write(tmp_path, "[rules.vitality]\nupgrades.power_attack.cost = 2\nthresholds.brutal_excess_t = 4\n")
    result = run_balance("rules", "show", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("upgrades.power_attack.cost") and line.endswith("= 2  # changed (default 1)")
               for line in lines)
    assert any(line.startswith("upgrades.accurate_attack.cost") and line.endswith("= 1") for line in lines)
    data = json.loads(run_balance("rules", "show", "--format", "json", "--config", str(cfg)).stdout)
    assert data["overrides"] == {"upgrades.power_attack.cost": 2, "thresholds.brutal_excess_t": 4}
    assert data["values"]["limits.charges_1.bonus_t"] == 6 and data["budget_keys"] == {"tier": 4, "archetype": "dual_natured"}
    # Every catalog number is in the table once (23 upgrades × 6 numbers + slayer HPs, 23 limits × 2 + DCs, ...).
    assert sum(k.startswith("upgrades.") and k.endswith(".cost") for k in data["values"]) == 23
    assert sum(k.startswith("limits.") and k.endswith(".bonus_t") for k in data["values"]) == 23


def test_the_effective_config_round_trips_with_its_overrides(tmp_path):
    cfg = write(tmp_path, "[rules.vitality]\nupgrades.power_attack.cost = 2\n")
    shown = run_balance("config", "show", str(cfg))
    assert shown.returncode == 0, shown.stderr
    again = write(tmp_path, shown.stdout, "again.toml")
    assert open_session(again).rule_table.overrides == {"upgrades.power_attack.cost": (1, 2)}
    assert math.isclose(open_session(again).budget, 6)


@pytest.mark.parametrize("compiled", [True, False])
def test_the_followup_decision_reaches_both_kernels(tmp_path, compiled):
    """direct_damage + barrage [patient] against the Boss (100 HP), Evasive (Durability 9): turns
    1-3 patient fails and the plain direct_damage deals 11 + 6 - 9 = 8 (24 in all); from turn 4 the
    barrage's three auto-hitting strikes each deal 11 - 8 + 4 + 6 - 9 = 4 with the limit bonus +4,
    or only the main strike does and the two follow-ups deal 11 - 8 + 6 - 9 = 0 without it."""
    opts = f"[rule_options]\ncompiled = {str(compiled).lower()}\n"
    expected = {"true": 3 + math.ceil(76 / 12), "false": 3 + math.ceil(76 / 4)}
    for carry, turns in expected.items():
        cfg = write(tmp_path, opts + f"[rules.vitality]\ndecisions.followups_carry_limit_bonus = {carry}\n", f"{carry}.toml")
        got = simulate("direct_damage + barrage [patient]", "--runs", "3", "--profile", "Evasive", "--config", str(cfg))
        assert got["Evasive"]["mean"] == turns, carry
