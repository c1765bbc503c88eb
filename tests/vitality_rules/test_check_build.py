"""check_build, build_cost, parse and the name messages: exact texts."""

from __future__ import annotations

import pytest

from balance.builds import Build, parse_build
from balance.components import RuleSystem
from balance.errors import UsageError
from balance_rules.vitality.rules import VitalityRules


@pytest.fixture(scope="module")
def rules():
    return VitalityRules()


def check(rules, text, budget=None):
    return rules.check_build(parse_build(text), budget)


def test_is_a_rule_system(rules):
    assert isinstance(rules, RuleSystem)
    assert rules.name == "vitality"
    assert rules.stat_names == ("focus", "power", "mobility", "endurance", "tier")
    assert isinstance(rules.version, str) and rules.version


def test_legal_build(rules):
    assert check(rules, "melee_dg + power_attack, brutal [unreliable_1]", 6) == []
    assert rules.build_cost(parse_build("melee_dg + power_attack, brutal [unreliable_1]")) == 5


@pytest.mark.parametrize(
    "text,cost",
    [
        ("area", 0),
        ("area + power_attack", 2),
        ("area + brutal [cooldown]", 6),
        ("direct_area_damage + bleed [unreliable_2]", 12),
        ("direct_damage + bleed [unreliable_2]", 6),
        ("ranged + double_tap, powerful_critical, overhit [charge_up, revenge]", 14),
    ],
)
def test_cost_doubles_on_area_types(rules, text, cost):
    assert rules.build_cost(parse_build(text)) == cost


def test_budget_is_checked_only_when_given(rules):
    text = "ranged + double_tap, overhit, bleed"  # 9 points
    assert check(rules, text) == []
    assert check(rules, text, 9) == []
    assert check(rules, text, 6) == ["cost 9 exceeds budget 6"]


def test_type_restrictions(rules):
    assert check(rules, "area + double_tap") == ["upgrade double_tap is not allowed on area attacks"]
    assert check(rules, "direct_damage + power_attack [combo_move]") == [
        "upgrade power_attack is not allowed on direct attacks",
        "limit combo_move is not allowed on direct attacks",
    ]
    # direct_area_damage is both direct and area: a name banned by both rules breaks both.
    assert check(rules, "direct_area_damage + splinter") == [
        "upgrade splinter is not allowed on direct attacks",
        "upgrade splinter is not allowed on area attacks",
    ]
    assert check(rules, "direct_damage + culling_strike") == []
    assert check(rules, "area + culling_strike") == ["upgrade culling_strike is not allowed on area attacks"]


def test_exclusive_groups_across_upgrades_and_limits(rules):
    assert check(rules, "ranged + double_tap, ricochet") == ["at most one of double_tap, explosive_critical, ricochet"]
    assert check(rules, "ranged + explosive_critical, powerful_critical") == [
        "at most one of explosive_critical, powerful_critical"
    ]
    # One upgrade and one limit in the same group (18).
    assert check(rules, "ranged + channeled [charges_1]") == [
        "at most one of channeled, charge_up, charge_up_2, charges_1, charges_2"
    ]
    # careful + timid breaks groups 11 and 12: both are reported.
    assert check(rules, "ranged [careful, timid]") == [
        "at most one of careful, timid",
        "at most one of careful, quickdraw, timid",
    ]
    assert check(rules, "ranged [quickdraw, slaughter]") == ["at most one of combo_move, quickdraw, relentless, slaughter"]


def test_every_broken_rule_one_line_each(rules):
    text = "area + double_tap, ricochet, bleed, brutal [unreliable_1, unreliable_3, cooldown]"
    assert check(rules, text, 6) == [
        "at most 3 upgrades (build has 4)",
        "at most 2 limits (build has 3)",
        "upgrade double_tap is not allowed on area attacks",
        "upgrade ricochet is not allowed on area attacks",
        "at most one of double_tap, explosive_critical, ricochet",
        "at most one of unreliable_1, unreliable_2, unreliable_3",
        "cost 30 exceeds budget 6",
    ]


def test_duplicates(rules):
    assert check(rules, "ranged + brutal, brutal") == ["upgrade brutal is listed 2 times"]
    assert check(rules, "ranged [passive, passive]") == ["limit passive is listed 2 times"]


def test_unknown_names_with_suggestions(rules):
    assert check(rules, "melee_dg + powr_attack") == ['unknown upgrade "powr_attack" (did you mean power_attack?)']
    assert check(rules, "melee_dg [unrelable_1]") == ['unknown limit "unrelable_1" (did you mean unreliable_1?)']
    assert check(rules, "aera") == ['unknown attack type "aera" (did you mean area?)']
    assert check(rules, "ranged + xyzzy") == ['unknown upgrade "xyzzy"']
    # A near miss of the other kind is suggested with its kind.
    assert check(rules, "ranged + unreliabel_1") == ['unknown upgrade "unreliabel_1" (did you mean the limit unreliable_1?)']


def test_names_in_the_wrong_part(rules):
    assert check(rules, "ranged + unreliable_1") == [
        "unreliable_1 is a limit, not an upgrade: put limits in [brackets] after the upgrades"
    ]
    assert check(rules, "ranged [brutal]") == ['brutal is an upgrade, not a limit: put upgrades after "+", before the [brackets]']
    assert check(rules, "brutal")[0].startswith("brutal is an upgrade, not an attack type (attack types: melee_ac, ")
    assert check(rules, "ranged + area") == ["area is an attack type, not an upgrade: a build has one attack type, first"]


def test_unknown_names_skip_cost_but_not_other_rules(rules):
    # The cost is unknown, so no cost line; the exclusive group is still reported.
    assert check(rules, "ranged + double_tap, ricochet, powr_attack", 0) == [
        'unknown upgrade "powr_attack" (did you mean power_attack?)',
        "at most one of double_tap, explosive_critical, ricochet",
    ]


def test_build_cost_rejects_unknown_names(rules):
    with pytest.raises(ValueError, match='unknown upgrade "powr_attack"'):
        rules.build_cost(parse_build("ranged + powr_attack"))


def test_parse(rules):
    assert rules.parse("melee_dg + power_attack, brutal [unreliable_1]") == Build(
        "melee_dg", ("brutal", "power_attack"), ("unreliable_1",)
    )
    # parse checks names, not legality.
    assert rules.parse("area + double_tap").upgrades == ("double_tap",)
    with pytest.raises(UsageError, match=r'^unknown upgrade "powr_attack" \(did you mean power_attack\?\)$'):
        rules.parse("melee_dg + powr_attack")
    with pytest.raises(UsageError, match="unknown limit .*; unknown upgrade|unknown upgrade .*; unknown limit"):
        rules.parse("melee_dg + powr_attack [nope_limit]")
    with pytest.raises(UsageError, match=r'cannot read build "melee_dg \+ "'):
        rules.parse("melee_dg + ")


def test_budgets(rules):
    assert rules.budget(4, "dual_natured") == 6
    assert rules.budget(3, "versatile_master") == 2
    assert rules.budget(5, "focused") == 10
    with pytest.raises(ValueError, match='unknown archetype "solo" \\(known: dual_natured, focused, versatile_master\\)'):
        rules.budget(4, "solo")
    with pytest.raises(ValueError, match="no point budget for tier 7"):
        rules.budget(7, "focused")


def test_describe(rules):
    d = rules.describe(parse_build("area + brutal [cooldown]"), 4)
    assert d == {
        "build": "area + brutal [cooldown]",
        "attack_type": "area",
        "upgrades": ["brutal"],
        "limits": ["cooldown"],
        "cost": 6,
        "legal": False,
        "problems": ["cost 6 exceeds budget 4"],
    }
    assert rules.describe(parse_build("ranged + nope"))["cost"] is None
