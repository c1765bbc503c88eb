"""The legality numbers and lists, typed here from the rulebook (docs/vitality-rules.md, sections
3, 4, 5 and 7), checked through the plugin's public answers (build_cost, check_build): every cost,
the doubling on area types, every exclusive group and every type restriction. Nothing is read from
the plugin's catalog."""

from __future__ import annotations

import itertools

import pytest

from balance.builds import Build
from balance_rules.vitality.rules import VitalityRules

UPGRADE_COST = {
    "power_attack": 1, "accurate_attack": 1, "reliable_accuracy": 2, "overhit": 3, "high_impact": 3,
    "critical_effect": 2, "armor_piercing": 3, "brutal": 2, "barrage": 2, "extra_attack": 2,
    "powerful_critical": 2, "ricochet": 2, "double_tap": 3, "explosive_critical": 1, "bleed": 3,
    "finishing_blow_1": 2, "culling_strike": 3, "splinter": 3, "minion_slayer": 2, "captain_slayer": 2,
    "elite_slayer": 2, "boss_slayer": 2, "channeled": 3,
}
LIMIT_COST = {
    "unreliable_1": 2, "unreliable_2": 3, "unreliable_3": 2, "quickdraw": 3, "patient": 2, "finale": 2,
    "charge_up": 3, "charge_up_2": 2, "cooldown": 1, "charges_1": 1, "charges_2": 1, "near_death": 1,
    "bloodied": 2, "timid": 1, "vengeful": 2, "revenge": 3, "unbreakable": 1, "untouchable": 1,
    "passive": 1, "careful": 1, "combo_move": 2, "relentless": 3, "slaughter": 2,
}
GROUPS = [
    {"double_tap", "explosive_critical", "ricochet"},
    {"powerful_critical", "explosive_critical"},
    {"unreliable_1", "unreliable_2", "unreliable_3"},
    {"quickdraw", "patient", "finale", "cooldown"},
    {"charge_up", "charge_up_2"},
    {"charges_1", "charges_2"},
    {"minion_slayer", "captain_slayer", "elite_slayer", "boss_slayer"},
    {"near_death", "bloodied", "timid"},
    {"slaughter", "relentless", "combo_move"},
    {"revenge", "vengeful", "untouchable", "unbreakable", "careful"},
    {"careful", "timid"},
    {"quickdraw", "timid", "careful"},
    {"quickdraw", "passive"},
    {"quickdraw", "charges_1", "charges_2"},
    {"cooldown", "charges_1", "charges_2"},
    {"timid", "charges_1", "charges_2"},
    {"culling_strike", "splinter", "explosive_critical"},
    {"channeled", "charge_up", "charge_up_2", "charges_1", "charges_2"},
    {"quickdraw", "combo_move", "relentless", "slaughter"},
]
NOT_ON_DIRECT = {
    "power_attack", "accurate_attack", "reliable_accuracy", "overhit", "minion_slayer", "captain_slayer",
    "elite_slayer", "boss_slayer", "high_impact", "critical_effect", "powerful_critical", "armor_piercing",
    "extra_attack", "combo_move", "explosive_critical", "double_tap", "ricochet", "splinter",
}
NOT_ON_AREA = {"double_tap", "explosive_critical", "ricochet", "splinter", "culling_strike"}
TYPES = {  # (area, direct)
    "melee_ac": (False, False), "melee_dg": (False, False), "ranged": (False, False),
    "area": (True, False), "direct_damage": (False, True), "direct_area_damage": (True, True),
}


@pytest.fixture(scope="module")
def rules():
    return VitalityRules()


def build(attack_type, *names):
    ups = tuple(sorted(n for n in names if n in UPGRADE_COST))
    lims = tuple(sorted(n for n in names if n in LIMIT_COST))
    return Build(attack_type, ups, lims)


@pytest.mark.parametrize("attack_type", sorted(TYPES))
def test_every_cost_and_the_area_doubling(rules, attack_type):
    factor = 2 if TYPES[attack_type][0] else 1
    assert rules.build_cost(Build(attack_type)) == 0
    for name, cost in {**UPGRADE_COST, **LIMIT_COST}.items():
        assert rules.build_cost(build(attack_type, name)) == factor * cost, name


def test_the_rulebook_names_are_the_plugin_names(rules):
    got = {(b.upgrades + b.limits)[0] for b in rules.enumerate_builds(6) if len(b.upgrades + b.limits) == 1}
    assert got == set(UPGRADE_COST) | set(LIMIT_COST)


@pytest.mark.parametrize("attack_type", sorted(TYPES))
def test_type_restrictions(rules, attack_type):
    area, direct = TYPES[attack_type]
    banned = (NOT_ON_DIRECT if direct else set()) | (NOT_ON_AREA if area else set())
    for name in {**UPGRADE_COST, **LIMIT_COST}:
        problems = rules.check_build(build(attack_type, name))
        assert bool(problems) == (name in banned), (name, problems)


def test_exclusive_pairs_are_exactly_the_rulebook_groups(rules):
    """Every pair of names on ranged (where every name is allowed): rejected iff a group holds both."""
    names = sorted({**UPGRADE_COST, **LIMIT_COST})
    for a, b in itertools.combinations(names, 2):
        problems = [p for p in rules.check_build(build("ranged", a, b)) if p.startswith("at most one of")]
        expected = [g for g in GROUPS if {a, b} <= g]
        assert len(problems) == len(expected), (a, b, problems)
