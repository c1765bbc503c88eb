"""The Vitality rule table in process: its names and values, typed here from docs/vitality-rules.md
("The rule table", sections 3, 4, 5 and 7) and docs/configuration.md, a config's changes applied
one head at a time, extensions, and the values the rules refuse (docs/cli.md: numbers -1,000 to
1,000; costs, budgets and thresholds at least 0, DCs 1 to 20). The costs and lists come from the
rulebook tables of test_rulebook_tables.py, never from the catalog. These run in the test process,
so mutation testing sees them (test_rule_table.py checks the same table through ``balance``)."""

from __future__ import annotations

import pytest

from balance_rules.vitality.catalog import Limit, Upgrade
from balance_rules.vitality.ruleset import DEFAULT, LIMIT, Ruleset, table_problems

from .test_rulebook_tables import LIMIT_COST, NOT_ON_AREA, NOT_ON_DIRECT, TYPES, UPGRADE_COST

LIMIT_BONUS = {
    "unreliable_1": 1, "unreliable_2": 3, "unreliable_3": 6, "quickdraw": 4, "patient": 1, "finale": 2,
    "charge_up": 3, "charge_up_2": 4, "cooldown": 3, "charges_1": 6, "charges_2": 3, "near_death": 6,
    "bloodied": 3, "timid": 4, "vengeful": 1, "revenge": 2, "unbreakable": 6, "untouchable": 2,
    "passive": 1, "careful": 2, "combo_move": 1, "relentless": 1, "slaughter": 3,
}
DC = {"unreliable_1": 5, "unreliable_2": 10, "unreliable_3": 15}
SLAYER_HP = {"minion_slayer": 10, "captain_slayer": 25, "elite_slayer": 50, "boss_slayer": 100}
BUDGETS = {  # section 7: (tier, archetype) -> points
    (3, "focused"): 6, (3, "dual_natured"): 4, (3, "versatile_master"): 2,
    (4, "focused"): 8, (4, "dual_natured"): 6, (4, "versatile_master"): 4,
    (5, "focused"): 10, (5, "dual_natured"): 8, (5, "versatile_master"): 6,
}
THRESHOLDS = {
    "brutal_excess_t": 5, "overhit_margin_t": 3, "finishing_blow_hp": 5, "culling_divisor": 5,
    "channeled_start": 3, "channeled_cap_t": 5, "high_impact_roll": 15, "crit_range_lo": 15,
    "powerful_critical_bonus_t": 2,
    # section 5's "usable when" column: quickdraw turn 1 or 2, patient turn 4 or later, finale turn 7
    # or later, near_death / bloodied attacker HP <= 25 / <= 50, cooldown not in the previous 3 turns
    "quickdraw_last_turn": 2, "patient_first_turn": 4, "finale_first_turn": 7,
    "near_death_hp": 25, "bloodied_hp": 50, "cooldown_turns": 3,
}
DECISIONS = {"armor_piercing_keeps_buff": True, "followups_carry_limit_bonus": True}
UPGRADE_FIELDS = ("cost", "accuracy_t", "accuracy_flat", "damage_t", "damage_flat", "crit_range")


def expected_names() -> list[str]:
    """The table's names in rulebook order, built from the docs' table of rule names."""
    names = []
    for t, (_area, direct) in TYPES.items():
        names += [f"attack_types.{t}.accuracy_t", f"attack_types.{t}.damage_t"]
        if direct:
            names += [f"attack_types.{t}.direct_flat", f"attack_types.{t}.direct_flat_t"]
    names.append("area_cost_factor")
    for u in UPGRADE_COST:
        names += [f"upgrades.{u}.{f}" for f in UPGRADE_FIELDS]
        if u in SLAYER_HP:
            names.append(f"upgrades.{u}.slayer_hp")
    for lim in LIMIT_COST:
        names += [f"limits.{lim}.cost", f"limits.{lim}.bonus_t"]
        if lim in DC:
            names.append(f"limits.{lim}.dc")
    names += ["max_upgrades", "max_limits"]
    names += [f"budgets.{a}.tier_{t}" for (t, a) in BUDGETS]
    names += [f"thresholds.{n}" for n in THRESHOLDS] + [f"decisions.{n}" for n in DECISIONS]
    return names


def test_the_table_lists_every_rule_once_in_rulebook_order():
    assert list(DEFAULT.table()) == expected_names()


def test_the_table_values_are_the_rulebook_numbers():
    table = DEFAULT.table()
    for u, cost in UPGRADE_COST.items():
        assert table[f"upgrades.{u}.cost"] == cost, u
    for lim, cost in LIMIT_COST.items():
        assert (table[f"limits.{lim}.cost"], table[f"limits.{lim}.bonus_t"]) == (cost, LIMIT_BONUS[lim]), lim
    for lim, dc in DC.items():
        assert table[f"limits.{lim}.dc"] == dc
    for u, hp in SLAYER_HP.items():
        assert table[f"upgrades.{u}.slayer_hp"] == hp
    assert (table["area_cost_factor"], table["max_upgrades"], table["max_limits"]) == (2, 3, 2)
    for (tier, archetype), points in BUDGETS.items():
        assert table[f"budgets.{archetype}.tier_{tier}"] == points
    for name, value in THRESHOLDS.items():
        assert table[f"thresholds.{name}"] == value
    for name, value in DECISIONS.items():
        assert table[f"decisions.{name}"] is value
    # section 4: the crit range upgrades; section 3: direct_damage rolls 8 + 2T, its area form 2T
    assert table["upgrades.powerful_critical.crit_range"] is True
    assert table["upgrades.power_attack.crit_range"] is False
    assert table["upgrades.power_attack.damage_t"] == 1 and table["upgrades.power_attack.accuracy_t"] == -1


def test_cost_factor_doubles_on_the_area_types_only():
    for t, (area, _direct) in TYPES.items():
        assert DEFAULT.cost_factor(t) == (2 if area else 1), t
    tripled = DEFAULT.with_table({"area_cost_factor": 3})
    assert tripled.cost_factor("area") == 3 and tripled.cost_factor("melee_ac") == 1


def test_restricted_lists_are_the_rulebook_lists_plus_extensions():
    assert DEFAULT.restricted("direct") == NOT_ON_DIRECT
    assert DEFAULT.restricted("area") == NOT_ON_AREA
    extended = DEFAULT.with_entries([
        Upgrade("no_area_upgrade", 1, not_on={"area"}),
        Limit("no_direct_limit", 1, 2, condition="patient", not_on={"direct"}),
    ])
    assert extended.restricted("area") == NOT_ON_AREA | {"no_area_upgrade"}
    assert extended.restricted("direct") == NOT_ON_DIRECT | {"no_direct_limit"}


@pytest.mark.parametrize("name, value", [
    ("upgrades.power_attack.cost", 2),
    ("upgrades.minion_slayer.slayer_hp", 12),
    ("limits.quickdraw.bonus_t", 2),
    ("limits.unreliable_2.dc", 11),
    ("attack_types.direct_damage.direct_flat", 9),
    ("area_cost_factor", 3),
    ("max_upgrades", 2),
    ("max_limits", 1),
    ("budgets.dual_natured.tier_4", 7),
    ("budgets.versatile_master.tier_5", 5),
    ("thresholds.brutal_excess_t", 4),
    ("thresholds.crit_range_lo", 18),
    ("decisions.followups_carry_limit_bonus", False),
    ("decisions.armor_piercing_keeps_buff", False),
])
def test_a_change_moves_that_rule_alone(name, value):
    changed = DEFAULT.with_table({name: value})
    before, after = DEFAULT.table(), changed.table()
    assert after[name] == value
    assert {k for k in after if after[k] != before[k]} == {name}
    assert list(after) == list(before)
    assert DEFAULT.table() == before  # the default is not touched


def test_several_changes_of_every_kind_at_once():
    values = {"upgrades.bleed.cost": 1, "limits.charges_1.bonus_t": 5, "budgets.focused.tier_3": 7,
              "thresholds.overhit_margin_t": 2, "decisions.armor_piercing_keeps_buff": False,
              "max_limits": 1}
    changed = DEFAULT.with_table(values)
    assert {k: changed.table()[k] for k in values} == values
    assert changed.budgets[(3, "focused")] == 7 and changed.budgets[(4, "focused")] == 8
    assert changed.thresholds.overhit_margin_t == 2 and changed.thresholds.brutal_excess_t == 5
    assert changed.decisions.armor_piercing_keeps_buff is False
    assert changed.decisions.followups_carry_limit_bonus is True


def test_an_extension_joins_the_catalog_and_the_table():
    edge = Upgrade("keen_edge", cost=2, accuracy_flat=1, crit_range=True, not_on={"direct"})
    stand = Limit("last_stand", cost=2, bonus_t=8, condition="near_death")
    ext = DEFAULT.with_entries([edge, stand])
    assert ext.upgrades["keen_edge"] is edge and ext.limits["last_stand"] is stand
    assert "keen_edge" not in DEFAULT.upgrades and "last_stand" not in DEFAULT.limits
    table = ext.table()
    assert table["upgrades.keen_edge.accuracy_flat"] == 1 and table["limits.last_stand.bonus_t"] == 8
    assert ext.with_table({"limits.last_stand.bonus_t": 7}).limits["last_stand"].bonus_t == 7


@pytest.mark.parametrize("entry, message", [
    (Upgrade("odd", 1, effects={"bleed", "teleport"}),
     'upgrade odd: unknown effect "teleport" (effects: '),
    (Limit("odd", 1, 2, condition="moonlight"), 'limit odd: unknown condition "moonlight" (conditions: quickdraw, '),
    ("power_attack", "a Vitality extension must be a catalog Upgrade or Limit, got 'power_attack'"),
    (Upgrade("power_attack", 1), "power_attack is already in the Vitality catalog"),
    (Limit("quickdraw", 1, 2), "quickdraw is already in the Vitality catalog"),
    (Upgrade("area", 1), "area is already in the Vitality catalog"),
    (Upgrade("odd", 1, not_on={"area", "melee"}), 'odd: not_on "melee" (expected direct or area)'),
])
def test_an_extension_the_rules_cannot_take_is_refused(entry, message):
    with pytest.raises(ValueError) as err:
        DEFAULT.with_entries([entry])
    assert str(err.value).startswith(message)


def test_the_unknown_effect_message_lists_the_known_effects_in_order():
    with pytest.raises(ValueError) as err:
        DEFAULT.with_entries([Upgrade("odd", 1, effects={"zzz", "aaa_unknown"})])
    text = str(err.value)
    assert '"aaa_unknown"' in text  # the first unknown effect in sorted order
    listed = text.split("(effects: ", 1)[1].rstrip(")").split(", ")
    assert listed == sorted(listed) and {"bleed", "brutal", "channeled"} <= set(listed)


def test_a_limit_without_a_condition_and_an_upgrade_with_known_effects_are_taken():
    ext = DEFAULT.with_entries([Limit("plain", 1, 1), Upgrade("twin", 2, effects={"bleed"})])
    assert set(ext.limits) - set(DEFAULT.limits) == {"plain"}
    assert set(ext.upgrades) - set(DEFAULT.upgrades) == {"twin"}


@pytest.mark.parametrize("values, problems", [
    ({"upgrades.power_attack.cost": 0, "budgets.focused.tier_4": 0, "max_upgrades": 0, "max_limits": 0,
      "thresholds.brutal_excess_t": 0}, []),
    ({"upgrades.power_attack.cost": -1}, [("upgrades.power_attack.cost", "expected at least 0, got -1")]),
    ({"budgets.focused.tier_4": -1}, [("budgets.focused.tier_4", "expected at least 0, got -1")]),
    ({"max_upgrades": -1}, [("max_upgrades", "expected at least 0, got -1")]),
    ({"max_limits": -1}, [("max_limits", "expected at least 0, got -1")]),
    ({"thresholds.overhit_margin_t": -1}, [("thresholds.overhit_margin_t", "expected at least 0, got -1")]),
    ({"upgrades.minion_slayer.slayer_hp": 1, "thresholds.culling_divisor": 1, "area_cost_factor": 1}, []),
    ({"upgrades.minion_slayer.slayer_hp": 0}, [("upgrades.minion_slayer.slayer_hp", "expected at least 1, got 0")]),
    ({"thresholds.culling_divisor": 0}, [("thresholds.culling_divisor", "expected at least 1, got 0")]),
    ({"area_cost_factor": 0}, [("area_cost_factor", "expected at least 1, got 0")]),
    ({"limits.unreliable_1.dc": 1, "limits.unreliable_2.dc": 20}, []),
    ({"limits.unreliable_1.dc": 0}, [("limits.unreliable_1.dc", "expected a d20 result from 1 to 20, got 0")]),
    ({"limits.unreliable_1.dc": 21}, [("limits.unreliable_1.dc", "expected a d20 result from 1 to 20, got 21")]),
    ({"thresholds.crit_range_lo": 2}, []),
    ({"thresholds.crit_range_lo": 20}, []),
    ({"thresholds.crit_range_lo": 1}, [("thresholds.crit_range_lo", "expected a d20 result from 2 to 20, got 1")]),
    ({"thresholds.crit_range_lo": 21}, [("thresholds.crit_range_lo", "expected a d20 result from 2 to 20, got 21")]),
    # modifiers may be negative; decisions are booleans
    ({"upgrades.power_attack.accuracy_t": -3, "limits.quickdraw.bonus_t": -1,
      "decisions.armor_piercing_keeps_buff": False}, []),
    ({"upgrades.power_attack.damage_t": LIMIT, "upgrades.power_attack.accuracy_t": -LIMIT}, []),
    ({"upgrades.power_attack.damage_t": LIMIT + 1},
     [("upgrades.power_attack.damage_t", "1,001 is beyond the limit of 1,000 (either way)")]),
    ({"upgrades.power_attack.cost": -LIMIT - 1},
     [("upgrades.power_attack.cost", "-1,001 is beyond the limit of 1,000 (either way)")]),
    ({"limits.unreliable_1.dc": 0, "max_limits": -2},
     [("limits.unreliable_1.dc", "expected a d20 result from 1 to 20, got 0"),
      ("max_limits", "expected at least 0, got -2")]),
])
def test_table_problems(values, problems):
    assert list(table_problems(values)) == problems


def test_the_limit_is_a_thousand():
    assert LIMIT == 1_000


def test_a_ruleset_is_the_rulebook_by_default():
    assert Ruleset().table() == DEFAULT.table()


def test_every_value_is_checked_whatever_comes_before_it():
    """A decision, a value beyond the limit, a d20 result and a modifier before a bad cost: the
    check goes on to the end and reports both bad values."""
    values = {"decisions.armor_piercing_keeps_buff": True, "upgrades.brutal.damage_t": 5000,
              "thresholds.crit_range_lo": 15, "limits.unreliable_2.dc": 10,
              "upgrades.power_attack.accuracy_t": -2, "upgrades.bleed.cost": -1}
    assert list(table_problems(values)) == [
        ("upgrades.brutal.damage_t", "5,000 is beyond the limit of 1,000 (either way)"),
        ("upgrades.bleed.cost", "expected at least 0, got -1"),
    ]
