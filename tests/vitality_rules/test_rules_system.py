"""VitalityRules built inside each test (a module fixture is built once, before mutation testing
switches a mutant on): the type restrictions' labels, extensions' restrictions, the budget keys
and defaults, and which rule-table names only decide legality. Texts and numbers from
docs/vitality-rules.md section 7."""

from __future__ import annotations

import pytest

from balance.builds import parse_build
from balance.ruletable import BudgetKey
from balance_rules.vitality.catalog import Limit, Upgrade
from balance_rules.vitality.rules import VitalityRules


def test_type_restrictions_name_direct_and_area_attacks():
    rules = VitalityRules()
    assert rules.check_build(parse_build("direct_damage + overhit")) == ["upgrade overhit is not allowed on direct attacks"]
    assert rules.check_build(parse_build("area + ricochet")) == ["upgrade ricochet is not allowed on area attacks"]


def test_an_extension_restricted_to_some_attack_kinds():
    rules = VitalityRules().extended([
        Upgrade("no_area_upgrade", 1, not_on={"area"}),
        Limit("no_direct_limit", 1, 2, condition="patient", not_on={"direct"}),
    ])
    assert rules.check_build(parse_build("area + no_area_upgrade")) == [
        "upgrade no_area_upgrade is not allowed on area attacks"]
    assert rules.check_build(parse_build("direct_damage [no_direct_limit]")) == [
        "limit no_direct_limit is not allowed on direct attacks"]
    assert rules.check_build(parse_build("ranged + no_area_upgrade [no_direct_limit]")) == []


def test_budget_keys_and_defaults():
    rules = VitalityRules()
    assert rules.budget_keys == (
        BudgetKey("tier", 4, low=1, high=1_000, help="the characters' tier (budgets for 3, 4, 5)"),
        BudgetKey("archetype", "dual_natured", ("dual_natured", "focused", "versatile_master"),
                  help="the character archetype (rulebook section 7)"),
    )
    assert rules.budget() == 6  # tier 4, dual_natured
    with pytest.raises(ValueError) as err:
        rules.budget(7, "focused")
    assert str(err.value) == "no point budget for tier 7 (tiers with budgets: 3, 4, 5)"


@pytest.mark.parametrize("name, only", [
    ("upgrades.brutal.cost", True), ("limits.quickdraw.cost", True), ("budgets.tier_4.focused", True),
    ("area_cost_factor", True), ("max_upgrades", True), ("max_limits", True),
    ("upgrades.brutal.damage_t", False), ("limits.quickdraw.bonus_t", False),
    ("thresholds.overhit_margin_t", False), ("decisions.armor_piercing_keeps_buff", False),
])
def test_names_that_only_decide_legality(name, only):
    assert VitalityRules().legality_only(name) is only


def test_a_rule_table_with_fewer_upgrades_and_limits_per_build():
    rules = VitalityRules().with_rule_table({"max_upgrades": 2, "max_limits": 1})
    assert rules.check_build(parse_build("ranged + brutal, bleed, overhit [quickdraw, bloodied]")) == [
        "at most 2 upgrades (build has 3)", "at most 1 limits (build has 2)"]
