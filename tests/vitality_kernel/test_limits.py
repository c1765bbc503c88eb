"""One test per limit (and the combat-level rules: fallback, retaliation, timeouts), on scripted
dice. Retaliation dice: d20 = 20 hits and deals (1,1,1) 3 + 6 + 4 - 11 = 2; d20 = 19 hits for 0;
unscripted (d20 = 1) misses. The attacker's Avoidance is 16, Durability 11."""

from __future__ import annotations

import numpy as np
import pytest

from balance.builds import Build
from balance.engine import Simulator
from balance.grid import Buff

from .grids import ATTACKER, grid
from .scripted import Fight, atk, dice, retaliation, unreliable


@pytest.mark.parametrize("limit,dc,bonus", [("unreliable_1", 5, 1), ("unreliable_2", 10, 3), ("unreliable_3", 15, 6)])
def test_unreliable_wastes_the_action_below_its_roll(limit, dc, bonus):
    f = Fight([f"ranged [{limit}]"])
    f.step(dice(unreliable(dc - 1), atk(0, 20, (3, 3, 3))))
    assert f.hp == [100] and f.log[-1] == ([True], False)  # wasted: no attack, no fallback
    f.step(dice(unreliable(dc), atk(0, 10, (3, 3, 3))))  # fires with +bonus×T to both rolls
    assert f.hp == [100 - (9 + 6 + 4 * bonus - 11)]


def _usable_by_turn(build, turns, **step):
    f = Fight([build])
    out = []
    for _ in range(turns):
        out.append(f.usable()[0])
        f.step(**step)
    return out


def test_quickdraw_turns_1_2():
    assert _usable_by_turn("ranged [quickdraw]", 4) == [True, True, False, False]


def test_patient_from_turn_4():
    assert _usable_by_turn("ranged [patient]", 5) == [False, False, False, True, True]


def test_finale_from_turn_7():
    assert _usable_by_turn("ranged [finale]", 8) == [False] * 6 + [True, True]


def test_cooldown_usable_on_turns_1_5_9():
    assert _usable_by_turn("ranged [cooldown]", 10) == [t in (1, 5, 9) for t in range(1, 11)]


@pytest.mark.parametrize("limit,uses", [("charges_1", 1), ("charges_2", 2)])
def test_charges(limit, uses):
    assert _usable_by_turn(f"ranged [{limit}]", 4) == [True] * uses + [False] * (4 - uses)


@pytest.mark.parametrize("limit,period", [("charge_up", 2), ("charge_up_2", 3)])
def test_charge_up_alternates_charging_and_firing(limit, period):
    f = Fight([f"ranged [{limit}]"])
    hp = []
    for _ in range(2 * period):
        f.step(atk(0, 15, (3, 3, 3)))
        hp.append(f.hp[0])
    bonus = 3 if limit == "charge_up" else 4
    hit = 9 + 6 + bonus * 4 - 11
    expected = [100 - hit * ((t + 1) // period) for t in range(2 * period)]
    assert hp == expected


def test_charging_is_broken_by_another_action():
    f = Fight(["ranged [charge_up_2]", "melee_ac"])
    f.step(choice=0)
    f.step(choice=1)  # breaks the charge
    f.step(dice(atk(0, 15, (3, 3, 3))), choice=0)  # charging again from zero: no damage
    assert f.hp == [100]
    assert f.st.charge[0].tolist() == [1, 0]


def test_charge_does_not_fire_when_wasted_by_unreliable_and_charge_ends():
    f = Fight(["ranged [charge_up, unreliable_1]"])
    f.step()  # charge
    f.step(dice(unreliable(1), atk(0, 20, (3, 3, 3))))  # fire, wasted
    assert f.hp == [100] and f.st.charge[0, 0] == 0


def _with_hp(build, hp):
    f = Fight([build])
    f.st.att_hp[0] = hp
    return f.usable()[0]


@pytest.mark.parametrize("limit,ok_hp,bad_hp", [("near_death", 25, 26), ("bloodied", 50, 51), ("timid", 100, 99)])
def test_hp_limits(limit, ok_hp, bad_hp):
    assert _with_hp(f"ranged [{limit}]", ok_hp) and not _with_hp(f"ranged [{limit}]", bad_hp)


def _after_retaliation(build, d20):
    """Usable on turn 1, then on turn 2 after a first retaliation with the given d20."""
    f = Fight([build], hp=(100,))
    first = f.usable()[0]
    f.step(retaliation(0, d20) if d20 else {})
    return first, f.usable()[0]


@pytest.mark.parametrize(
    "limit,expect",
    [
        # turn 1, then after: hit with damage / hit for 0 / missed
        ("vengeful", (False, True, True, False)),
        ("revenge", (False, True, False, False)),
        ("unbreakable", (False, False, True, False)),
        ("untouchable", (False, False, False, True)),
        ("careful", (True, False, True, True)),
    ],
)
def test_since_last_turn_limits(limit, expect):
    build = f"ranged [{limit}]"
    turn1, after_dmg = _after_retaliation(build, 20)
    _, after_zero = _after_retaliation(build, 19)
    _, after_miss = _after_retaliation(build, 1)
    assert (turn1, after_dmg, after_zero, after_miss) == expect


def test_retaliation_by_at_most_two_enemies():
    f = Fight(["ranged [careful]"], hp=(10, 10, 10, 10))
    f.step(dice(retaliation(0, 20), retaliation(1, 20), retaliation(2, 20), retaliation(3, 20)))
    assert f.attacker_hp == 100 - 2 - 2
    g = Fight(["ranged [careful]"], hp=(0 + 10,))
    g.step(dice(retaliation(0, 20), retaliation(1, 20)))
    assert g.attacker_hp == 98  # one standing enemy: one attack


def test_retaliation_from_first_standing_enemies_only_if_they_stand():
    f = Fight(["ranged [careful]"], hp=(4, 10))
    f.step(dice(atk(0, 15, (3, 3, 3)), retaliation(0, 20), retaliation(1, 20)))
    assert f.hp == [0, 10] and f.attacker_hp == 98


def test_passive_after_no_attack_only():
    assert _usable_by_turn("ranged [passive]", 3) == [True, False, False]  # basic attacks count
    f = Fight(["ranged [passive, unreliable_1]"])
    f.step(unreliable(1))  # wasted
    assert f.usable() == [True]


def test_combo_move_needs_last_turn_hit_on_current_target():
    f = Fight(["melee_ac [combo_move]"], hp=(50, 50))
    assert f.usable() == [False]
    f.step(atk(0, 20, (1, 1, 1)))  # basic attack hits enemy 0 (damage 0 counts as a hit)
    assert f.log[-1][1] is True and f.usable() == [True]
    f.step()  # combo attack misses
    assert f.usable() == [False]


def test_combo_move_area_any_standing_enemy_hit():
    f = Fight(["area [combo_move]"], hp=(50, 50))
    f.step(dice(atk(0, 1), atk(0, 20, target=1)))
    assert f.usable() == [True]


def test_relentless_needs_damage_last_turn():
    f = Fight(["ranged [relentless]"])
    f.step(atk(0, 15, (1, 1, 1)))  # hit for 0
    assert f.usable() == [False]
    f.step(atk(0, 15, (3, 3, 3)))
    assert f.usable() == [True]


def test_relentless_counts_bleed_damage():
    f2 = Fight(["ranged + bleed", "ranged [relentless]"])
    f2.step(atk(0, 15, (5, 5, 5)), choice=0)  # bleeding hit: 6 damage
    f2.step(choice=0)  # miss; the bleed deals 6 at the end of this turn
    assert f2.hp == [88] and f2.usable() == [True, True]


def test_slaughter_needs_a_defeat_not_by_bleed():
    f = Fight(["ranged [slaughter]"], hp=(4, 50))
    f.step(atk(0, 15, (3, 3, 3)))  # basic attack kills enemy 0
    assert f.usable() == [True]
    g = Fight(["ranged + bleed", "ranged [slaughter]"], hp=(10, 50))
    g.step(atk(0, 15, (5, 5, 5)), choice=0)  # 6 damage, bleed 6 scheduled
    g.step(choice=0)  # miss; bleed kills enemy 0 at the end of the turn
    assert g.hp == [0, 50] and g.usable() == [True, False]


def test_charging_checks_action_conditions_on_first_turn_only():
    f = Fight(["ranged [charge_up, relentless]"])
    f.st.dealt_prev[0] = True  # as if damage was dealt last turn
    f.step()  # starts charging (relentless holds)
    assert f.usable() == [True]  # still usable although no damage was dealt on the charging turn


def test_basic_attack_fallback_and_usage_columns():
    from balance_rules.vitality.kernel import VitalityKernel

    sim = Simulator(
        VitalityKernel(),
        [Build("melee_ac", limits=("patient",))], grid(profiles=("Balanced",), scenarios=("Boss",)), ATTACKER, 100, None,
    )
    res = sim.run(np.array([[0]]), 50, seed=1)
    # turns 1-3 are basic attacks, every later turn the patient attack
    assert res.uses[0, 0, 1] == 3 * 50
    assert res.uses[0, 0, 0] == res.turn_sum[0, 0] - 150


def test_timeout_only_when_enemies_stand_after_max_turns():
    from balance_rules.vitality.kernel import VitalityKernel

    g = grid(profiles=("Balanced",), scenarios=("Boss",))
    b = [Build("direct_damage")]  # 6 per turn against 100 HP: exactly 17 turns
    at17 = Simulator(VitalityKernel(), b, g, ATTACKER, 17, None).run(np.array([[0]]), 5, seed=1)
    assert at17.turn_sum[0, 0] == 17 * 5 and at17.timeouts[0, 0] == 0
    at16 = Simulator(VitalityKernel(), b, g, ATTACKER, 16, None).run(np.array([[0]]), 5, seed=1)
    assert at16.turn_sum[0, 0] == 16 * 5 and at16.timeouts[0, 0] == 5


#: Each limit's bonus ×T, typed from the rulebook (section 5), and how to make its condition hold on
#: the turn that is measured: the setup turns before it (``setup``: scripted dice and slot choice),
#: the enemies, a second slot used by the setup, and the attacker's HP.
LIMIT_CASES = {
    "unreliable_1": dict(bonus=1, fire=unreliable(5)),
    "unreliable_2": dict(bonus=3, fire=unreliable(10)),
    "unreliable_3": dict(bonus=6, fire=unreliable(15)),
    "quickdraw": dict(bonus=4),
    "patient": dict(bonus=1, setup=[{}] * 3),
    "finale": dict(bonus=2, setup=[{}] * 6),
    "charge_up": dict(bonus=3, setup=[{}]),
    "charge_up_2": dict(bonus=4, setup=[{}, {}]),
    "cooldown": dict(bonus=3),
    "charges_1": dict(bonus=6),
    "charges_2": dict(bonus=3),
    "near_death": dict(bonus=6, att_hp=25),
    "bloodied": dict(bonus=3, att_hp=50),
    "timid": dict(bonus=4),
    "vengeful": dict(bonus=1, setup=[retaliation(0, 20)]),
    "revenge": dict(bonus=2, setup=[retaliation(0, 20)]),
    "unbreakable": dict(bonus=6, setup=[retaliation(0, 19)]),
    "untouchable": dict(bonus=2, setup=[{}]),
    "passive": dict(bonus=1),
    "careful": dict(bonus=2),
    # the setup turn uses slot 1, a direct_damage attack: an automatic hit for 6
    "combo_move": dict(bonus=1, setup=[{}], other=True),
    "relentless": dict(bonus=1, setup=[{}], other=True),
    "slaughter": dict(bonus=3, setup=[{}], other=True, hp=(1, 100)),
}


def _fire_limit(limits, d20, bonus_hint):
    """The damage of a ``ranged`` attack with ``limits`` on the turn its conditions hold, against a
    Balanced enemy whose Avoidance is raised by the buff to 16 + 4 × (the expected total bonus)."""
    cases = [LIMIT_CASES[x] for x in limits]
    case = {k: v for c in cases for k, v in c.items() if k != "bonus"}
    builds = [f"ranged [{', '.join(limits)}]"] + (["direct_damage"] if case.get("other") else [])
    f = Fight(builds, hp=case.get("hp", (100,)), buff=Buff("b", avoidance=4 * bonus_hint))
    if "att_hp" in case:
        f.st.att_hp[0] = case["att_hp"]
    for script in case.get("setup", []):
        f.step(script, choice=1 if case.get("other") else 0)
    assert f.usable()[0], "the limit's condition should hold on the measured turn"
    target = f.hp.index(next(h for h in f.hp if h > 0))
    before = f.hp[target]
    f.step(dice(case.get("fire", {}), atk(0, d20, (3, 3, 3))))
    assert f.log[-1][1] is False  # the limited attack was made, not a basic attack
    return before - f.hp[target]


@pytest.mark.parametrize("limit", sorted(LIMIT_CASES))
def test_limit_bonus_to_both_rolls(limit):
    """+bonus×T to accuracy and to damage: with the enemy's Avoidance at 16 + 4×bonus, a d20 of 10
    hits exactly (10 + 6 + 4×bonus) and a 9 misses; the hit deals 9 + 6 + 4×bonus − 11."""
    b = LIMIT_CASES[limit]["bonus"]
    assert _fire_limit([limit], 10, b) == 4 + 4 * b
    assert _fire_limit([limit], 9, b) == 0


@pytest.mark.parametrize("limits", [("quickdraw", "unreliable_3"), ("cooldown", "careful"), ("finale", "careful")])
def test_two_limits_add_both_bonuses(limits):
    b = sum(LIMIT_CASES[x]["bonus"] for x in limits)
    assert _fire_limit(list(limits), 10, b) == 4 + 4 * b
    assert _fire_limit(list(limits), 9, b) == 0


def test_follow_up_strikes_carry_the_limit_bonus():
    # melee_ac + barrage [quickdraw]: accuracy 6 + 4 - 8 + 16 = 18 against 16 + 16 (buff): a 14 hits;
    # damage 9 + 6 - 8 + 16 - 11 = 12 for each of the three strikes that hits
    f = Fight(["melee_ac + barrage [quickdraw]"], buff=Buff("b", avoidance=16))
    assert f.turns(dice(atk(0, 14, (3, 3, 3)), atk(1, 14, (3, 3, 3)), atk(2, 13, (3, 3, 3)))) == [[76]]
    assert f.turns(dice(atk(0, 14, (3, 3, 3)), atk(1, 14, (3, 3, 3)), atk(2, 14, (3, 3, 3)))) == [[40]]
    # turn 3: the basic melee_ac attack: 14 + 10 misses 32
    assert f.turns(dice(atk(0, 19, (3, 3, 3)))) == [[40]] and f.log[-1][1] is True


def test_cooldown_bonus_only_on_the_turns_it_is_made():
    # usable on turns 1 and 5: 9 + 6 + 12 - 11 = 16; the basic attacks between hit for 4
    f = Fight(["ranged [cooldown]"])
    hit = atk(0, 15, (3, 3, 3))
    assert f.turns(hit, hit, hit, hit, hit) == [[84], [80], [76], [72], [56]]


def test_retaliation_turn_by_turn():
    """Two Balanced enemies retaliate (section 6: d20 + 6 against the attacker's Avoidance 16, so
    a 10 hits; exploding 3d6 + 6 (+4 on a natural 20) - 11). The attacker's own attacks miss.
    Turn 1: enemy 0 rolls 10 (hits exactly) and (6,5,1): the 6 explodes into 6, which explodes
    into 6, which explodes into 2 (its third round, a hashed die): 26 + 6 - 11 = 21; enemy 1 rolls
    9 (misses; its big dice are never read). Turn 2: enemy 0 misses, enemy 1 rolls 20: (1,1,1)
    3 + 6 + 4 - 11 = 2. Turn 3: enemy 0 hits for (1,2,3) 6 + 6 - 11 = 1, enemy 1 hits for 0.
    Turn 4: enemy 0 hits for 0, enemy 1 misses. revenge (took damage), vengeful (was hit) and
    unbreakable (hit, no damage) follow."""
    from balance_rules.vitality.kernel_dice import RETALIATION, RETALIATION_EXPLODE, encode, slot

    def ret(enemy, d20, d6s=(1, 1, 1), *explosions):
        return {slot(RETALIATION, enemy): encode(d20, d6s, *explosions)}

    f = Fight(["ranged [revenge]", "ranged [vengeful]", "ranged [unbreakable]"], hp=(200, 200))
    turns = [
        dice(ret(0, 10, (6, 5, 1), (6, 4, 4), (6, 5, 5)), {slot(RETALIATION_EXPLODE, 0, 3): encode(1, (2, 6, 6))},
             ret(1, 9, (6, 6, 6), (6, 6, 6), (6, 6, 6))),
        dice(ret(0, 9, (6, 6, 6)), ret(1, 20)),
        dice(ret(0, 10, (1, 2, 3)), ret(1, 10)),
        dice(ret(0, 11), ret(1, 1, (6, 6, 6))),
    ]
    got = []
    for t in turns:
        f.step(t)
        got.append((f.attacker_hp, f.usable()))
    assert got == [(79, [True, True, False]), (77, [True, True, False]), (76, [True, True, False]),
                   (76, [False, True, True])]


def test_the_basic_attack_of_an_unreliable_build_rolls_no_unreliable_check():
    # ranged [unreliable_1, patient] is not usable on turn 1: the basic ranged attack is made with no
    # unreliable check (its unscripted d20 of 1 would waste the action): d20 15 hits, (3,3,3):
    # 9 + 6 - 11 = 4
    f = Fight(["ranged [unreliable_1, patient]"])
    f.step(atk(0, 15, (3, 3, 3)))
    assert f.log == [([False], True)] and f.hp == [96]


def test_charge_up_with_relentless_needs_relentless_on_the_charging_turn_only():
    # ranged [charge_up, relentless] (+3T +1T = 16) and plain ranged. Turn 1: relentless fails
    # (nothing dealt yet): plain ranged, d20 15, (3,3,3): 4. Turn 2: relentless holds: it charges.
    # Turn 3: nothing dealt on turn 2, but the charged attack stays usable and fires on unscripted
    # dice: 1 + 6 + 16 = 23 hits, 3 + 6 + 16 - 11 = 14.
    f = Fight(["ranged [charge_up, relentless]", "ranged"])
    assert f.turns(atk(0, 15, (3, 3, 3)), {}, {}) == [[96], [96], [82]]
    assert f.log == [([False, True], False), ([True, True], False), ([True, True], False)]


def test_a_plugin_limit_whose_condition_is_another_limits():
    # a limit named "early" with quickdraw's condition (turns 1-2): usable on turns 1 and 2 only
    from balance.builds import parse_build
    from balance.grid import Cell, Profile, Scenario
    from balance_rules.vitality.catalog import Limit
    from balance_rules.vitality.kernel import VitalityKernel
    from balance_rules.vitality.ruleset import DEFAULT

    kernel = VitalityKernel(None, DEFAULT.with_entries([Limit("early", 1, 2, condition="quickdraw")]))
    table = kernel.compile([parse_build("ranged [early]")], (2, 2, 2, 2, 4))
    st = kernel.start(table, [Cell(0, Profile("p", (2, 2, 2, 2, 4)), Buff("none"), Scenario("s", (100,)))],
                      np.zeros(1, dtype=np.intp), np.zeros((1, 1), dtype=np.intp))
    assert [kernel.usable(st, t)[0, 0] for t in (1, 2, 3)] == [True, True, False]
