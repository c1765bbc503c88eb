"""One test per upgrade (and the attack-type basics), on scripted dice (see scripted.py for the
numbers: attacker accuracy/damage bonus 6, T = 4; Balanced Avoidance 16, Durability 11)."""

from __future__ import annotations

import numpy as np
import pytest

from balance.builds import parse_build
from balance.engine import FixedDice
from balance.grid import Buff, Cell, Profile, Scenario
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_dice import ATTACK, encode, slot

from .scripted import BALANCED, EVASIVE, MISS, TANKY, Fight, adv, atk, dice, explode


def test_plain_hit_and_miss_threshold():
    f = Fight(["ranged"])
    f.step(atk(0, 10, (3, 3, 3)))  # 10 + 6 = 16 >= 16: hit, 9 + 6 - 11 = 4
    assert f.hp == [96]
    f.step(atk(0, 9, (6, 6, 6)))  # 15 < 16: miss
    assert f.hp == [96]


def test_natural_20_crits_and_adds_tier():
    f = Fight(["ranged"])
    f.step(atk(0, 20, (3, 3, 3)))
    assert f.hp == [100 - (9 + 6 + 4 - 11)]


def test_exploding_dice_roll_again_on_six():
    f = Fight(["ranged"])
    f.step(dice(atk(0, 15, (6, 1, 1), (6, 4, 4), (6, 5, 5)), explode(0, 3, (2, 6, 6))))
    # 6 + 1 + 1, the 6 explodes: +6, +6 (explode again), +2 from the hashed round 3 -> 22; 22 + 6 - 11 = 17
    assert f.hp == [83]


def test_area_one_damage_roll_separate_accuracy_and_crit():
    f = Fight(["area"], hp=(25, 25, 25))
    f.step(dice(atk(0, 20, (3, 3, 3)), atk(0, 1, target=1), atk(0, 19, target=2)))
    # area: accuracy 6 - 4, damage 6 - 4; target 0 crit: 9+2+4-11 = 4; target 1 missed;
    # target 2: 19 + 2 = 21 hits without crit: 9 + 2 - 11 = 0
    assert f.hp == [21, 25, 25]


def test_direct_types_auto_hit_flat_roll():
    f = Fight(["direct_damage", "direct_area_damage"], hp=(30, 30))
    f.step(choice=0)  # (15 - 4) + 6 - 11 = 6, no roll needed
    assert f.hp == [24, 30]
    f.step(choice=1)  # (15 - 8) + 6 - 11 = 2 to each
    assert f.hp == [22, 28]


def test_buffs_add_to_attacker_and_defender():
    f = Fight(["ranged"], buff=Buff("b", accuracy=2, damage=3, avoidance=1, durability=2))
    f.step(atk(0, 9, (3, 3, 3)))  # 9 + 6 + 2 = 17 >= 17 hit; 9 + 9 - 13 = 5
    assert f.hp == [95]


def test_power_attack():
    f = Fight(["melee_ac + power_attack"])
    f.step(atk(0, 10, (3, 3, 3)))  # acc 6 + 4 - 4 = 6 -> 16 hits; dmg 6 + 4 = 10 -> 8
    assert f.hp == [92]


def test_accurate_attack():
    f = Fight(["ranged + accurate_attack"])
    f.step(atk(0, 6, (5, 5, 5)))  # acc 10 -> 16 hits; dmg 2 -> 15 + 2 - 11 = 6
    assert f.hp == [94]


def test_reliable_accuracy_keeps_higher_d20_and_crits_on_it():
    f = Fight(["ranged + reliable_accuracy"])
    f.step(dice(atk(0, 2, (3, 3, 3)), adv(0, 20)))  # keeps 20: 20 + 3 hits, crit: 9 + 6 + 4 - 11
    assert f.hp == [92]
    f.step(dice(atk(0, 12, (3, 3, 3)), adv(0, 20 - 19)))  # keeps 12: 12 + 3 = 15 misses
    assert f.hp == [92]


def test_overhit_from_margin_3t():
    buff = Buff("b", accuracy=3)
    f = Fight(["ranged + overhit"], buff=buff)
    f.step(atk(0, 19, (3, 3, 3)))  # total 28, margin 12 = 3T: +6 -> 9 + 6 + 6 - 11 = 10
    assert f.hp == [90]
    f.step(atk(0, 18, (3, 3, 3)))  # margin 11: no bonus -> 4
    assert f.hp == [86]


def test_high_impact_flat_15():
    f = Fight(["ranged + high_impact"])
    f.step(atk(0, 15, (1, 1, 1)))
    assert f.hp == [90]


def test_critical_effect_explodes_on_five():
    f = Fight(["ranged + critical_effect"])
    f.step(atk(0, 15, (5, 5, 5), (2, 2, 2)))  # 15 + 6 = 21, +3 -3 -11 -> 13
    assert f.hp == [87]
    g = Fight(["ranged"])
    g.step(atk(0, 15, (5, 5, 5), (2, 2, 2)))  # no explosion on 5: 10
    assert g.hp == [90]


def test_armor_piercing_uses_five_plus_tier():
    f = Fight(["ranged + armor_piercing"], profile=TANKY)
    f.step(atk(0, 15, (3, 3, 3)))  # Durability 9 instead of 13: 9 + 6 - 9 = 6
    assert f.hp == [94]


def test_brutal_adds_half_the_excess():
    f = Fight(["ranged + brutal"], buff=Buff("b", damage=20))
    f.step(atk(0, 15, (3, 3, 3)))  # before Durability 35 > 11 + 20: +2 -> 37 - 11 = 26
    assert f.hp == [74]


def test_barrage_three_strikes_and_stops_when_target_falls():
    f = Fight(["melee_ac + barrage"], profile=EVASIVE)
    # accuracy 6 + 4 - 8 = 2: only natural 20s hit Avoidance 18; each crit: 9 - 2 + 4 - 9 = 2
    f.step(dice(atk(0, 20, (3, 3, 3)), atk(1, 20, (3, 3, 3)), atk(2, 20, (3, 3, 3)), atk(3, 20, (3, 3, 3))))
    assert f.hp == [94]
    g = Fight(["melee_ac + barrage"], hp=(2, 50), profile=EVASIVE)
    g.step(dice(atk(0, 20, (3, 3, 3)), atk(1, 20, (3, 3, 3)), atk(2, 20, (3, 3, 3))))
    assert g.hp == [0, 50]  # the barrage does not move on to the next enemy


def test_extra_attack_once_per_turn_only_after_damage():
    f = Fight(["melee_ac + extra_attack"])
    # accuracy 6, damage 2; crits: 9 + 2 + 4 - 11 = 4
    f.step(dice(atk(0, 20, (3, 3, 3)), atk(1, 20, (3, 3, 3)), atk(2, 20, (3, 3, 3))))
    assert f.hp == [92]
    f.step(dice(atk(0, 20, (1, 1, 1)), atk(1, 20, (3, 3, 3))))  # first strike deals 0: no extra
    assert f.hp == [92]


def test_powerful_critical_range_and_double_bonus():
    f = Fight(["ranged + powerful_critical"])
    f.step(atk(0, 15, (3, 3, 3)))  # crit on 15: +2T
    assert f.hp == [100 - (9 + 6 + 8 - 11)]


def test_ricochet_hits_two_others_and_does_not_chain():
    f = Fight(["melee_ac + ricochet"], hp=(50, 25, 25, 25))
    f.step(dice(atk(0, 15, (3, 3, 3)), atk(1, 15, (3, 3, 3)), atk(2, 15, (3, 3, 3)), atk(3, 15, (3, 3, 3))))
    assert f.hp == [42, 17, 17, 25]


def test_double_tap_repeats_once():
    f = Fight(["melee_ac + double_tap"])
    f.step(dice(atk(0, 15, (3, 3, 3)), atk(1, 15, (3, 3, 3)), atk(2, 15, (3, 3, 3))))
    assert f.hp == [84]
    g = Fight(["melee_ac + double_tap"])
    g.step(dice(atk(0, 14, (3, 3, 3)), atk(1, 15, (3, 3, 3))))  # no crit: no repeat
    assert g.hp == [96]


def test_explosive_critical_splashes_standing_others():
    f = Fight(["melee_ac + explosive_critical"], hp=(50, 25, 25), profile=EVASIVE)
    # accuracy 6 + 4 - 8 = 2: a 16 hits Avoidance 18 and crits; 9 - 2 + 4 - 9 = 2 to each
    f.step(dice(atk(0, 16, (3, 3, 3)), atk(1, 16, (6, 6, 6))))
    assert f.hp == [48, 23, 23]
    f.step(atk(0, 14, (6, 6, 6)))  # 16 total < 18: miss, nothing
    assert f.hp == [48, 23, 23]


def test_bleed_lands_at_end_of_next_turn():
    f = Fight(["ranged + bleed"])
    f.step(atk(0, 15, (5, 5, 5)))  # 15 + 2 - 11 = 6
    assert f.hp == [94]
    f.step()  # miss; the bleed of turn 1 fires at the end of turn 2
    assert f.hp == [88]
    f.step()
    assert f.hp == [88]


def test_bleed_one_per_due_turn_later_strike_replaces():
    f = Fight(["ranged + bleed, double_tap"])
    f.step(dice(atk(0, 15, (5, 5, 5)), atk(1, 15, (1, 1, 1))))  # crit 10, repeat crit 3+2+4-11 = 0
    f.step()
    assert f.hp == [100 - 10 - 10]  # the 0-damage repeat does not mark; bleed 10 fires once
    g = Fight(["ranged + bleed, double_tap"])
    g.step(dice(atk(0, 15, (5, 5, 5)), atk(1, 15, (3, 3, 3))))  # 10, then 9 + 2 + 4 - 11 = 4
    g.step()
    assert g.hp == [100 - 14 - 4]  # the later mark (4) replaced the earlier one (10)


@pytest.mark.parametrize("d6s,expected", [((3, 3, 4), 0), ((3, 3, 3), 6)])
def test_finishing_blow_at_1_to_5(d6s, expected):
    f = Fight(["ranged + finishing_blow_1"], hp=(10,))
    f.step(atk(0, 15, d6s))
    assert f.hp == [expected]


@pytest.mark.parametrize("bonus,expected", [(36, 10), (37, 0)])
def test_culling_strike_below_a_fifth(bonus, expected):
    f = Fight(["ranged + culling_strike"], hp=(50,), buff=Buff("b", damage=bonus))
    f.step(atk(0, 15, (3, 3, 3)))  # 9 + 6 + bonus - 11 -> leaves 10 (not < 10) or 9 (culled)
    assert f.hp == [expected]


def test_splinter_chains_ceil_half_tier():
    f = Fight(["melee_dg + splinter"], hp=(10, 10, 10, 10, 10))
    # accuracy -2, damage 6 + 4 - 8 = 2; natural 20: 15 + 2 + 4 - 11 = 10 kills a 10-HP enemy
    f.step(dice(*(atk(s, 20, (5, 5, 5)) for s in range(6))))
    assert f.hp == [0, 0, 0, 10, 10]  # main + ceil(4 / 2) = 2 splinters
    g = Fight(["melee_dg + splinter"], hp=(10, 20, 10))
    g.step(dice(*(atk(s, 20, (5, 5, 5)) for s in range(6))))
    assert g.hp == [0, 10, 10]  # the first splinter does not kill: the chain stops


@pytest.mark.parametrize("slayer,hp", [("minion_slayer", 10), ("captain_slayer", 25), ("elite_slayer", 50), ("boss_slayer", 100)])
def test_slayers_only_against_their_max_hp(slayer, hp):
    other = 25 if hp != 25 else 50
    f = Fight([f"ranged + {slayer}"], hp=(hp,))
    f.step(atk(0, 6, (3, 3, 3)))  # 6 + 6 + 4 = 16 hits only with the slayer; 9 + 6 + 4 - 11 = 8
    assert f.hp == [hp - 8]
    g = Fight([f"ranged + {slayer}"], hp=(other,))
    g.step(atk(0, 6, (3, 3, 3)))
    assert g.hp == [other]


def test_slayer_uses_actual_target_for_follow_ups():
    f = Fight(["ranged + minion_slayer, ricochet"], hp=(25, 10))
    # main at the 25-HP enemy: crit without slayer; ricochet at the 10-HP enemy hits only with it
    f.step(dice(atk(0, 15, (3, 3, 3)), atk(1, 6, (3, 3, 3))))
    assert f.hp == [25 - 8, 10 - 8]


def test_channeled_ramps_and_caps():
    f = Fight(["ranged + channeled"])
    bonuses = []
    for _ in range(11):
        f.step()
        bonuses.append(int(f.st.bonus[0]))
    assert bonuses == [-12, -8, -4, 0, 4, 8, 12, 16, 20, 20, 20]


def test_channeled_resets_when_not_made():
    f = Fight(["ranged + channeled", "melee_ac"])
    f.step(choice=0)
    f.step(choice=0)
    assert int(f.st.bonus[0]) == -8
    f.step(choice=1)
    f.step(choice=0)
    assert int(f.st.bonus[0]) == -12


@pytest.mark.parametrize("attack_type,threshold,damage", [
    ("melee_ac", 6, 8),  # +T accuracy: 6 + 6 + 4 = 16; damage 9 + 6 + 4 (buff) - 11
    ("melee_dg", 10, 12),  # +T damage
    ("ranged", 10, 8),
    ("area", 14, 4),  # -T to both
])
def test_attack_type_modifiers(attack_type, threshold, damage):
    buff = Buff("b", damage=4)
    f = Fight([attack_type], buff=buff)
    assert f.turns(atk(0, threshold - 1, (3, 3, 3)), atk(0, threshold, (3, 3, 3))) == [[100], [100 - damage]]


def test_direct_damage_auto_hits_never_crits():
    f = Fight(["direct_damage"], hp=(20, 20), buff=Buff("b", avoidance=100))
    # 15 - T + 6 - 11 = 6 at the first standing enemy, whatever the d20 (a 20 adds no crit bonus);
    # what is left over when it falls does not carry to the next enemy
    assert f.turns(atk(0, 20, (6, 6, 6)), {}, {}, {}, {}) == [[14, 20], [8, 20], [2, 20], [0, 20], [0, 14]]


def test_armor_piercing_accuracy_penalty():
    f = Fight(["ranged + armor_piercing"])
    # accuracy 6 - 1: a 10 gives 15 and misses 16, an 11 hits; Durability 5 + 4 = 9: 9 + 6 - 9 = 6
    assert f.turns(atk(0, 10, (3, 3, 3)), atk(0, 11, (3, 3, 3))) == [[100], [94]]


@pytest.mark.parametrize("keeps_buff,durability", [(True, 11), (False, 9)])
def test_armor_piercing_and_buff_durability(keeps_buff, durability):
    """Tanky with a buff of +2 Durability: plain Durability 13 + 2 = 15; armor_piercing ignores the
    endurance: 9 + 2 = 11 by the project's default, 9 with the rulebook's reading (the option off)."""
    buff = Buff("b", durability=2)
    f = Fight(["ranged + armor_piercing"], profile=TANKY, buff=buff, options={"armor_piercing_keeps_buff": keeps_buff})
    assert f.turns(atk(0, 15, (5, 5, 5))) == [[100 - (15 + 6 - durability)]]
    plain = Fight(["ranged"], profile=TANKY, buff=buff)
    assert plain.turns(atk(0, 15, (5, 5, 5))) == [[100 - (15 + 6 - 15)]]


def test_armor_piercing_with_buffed_brutal():
    """brutal measures its excess against the Durability armor_piercing meets (11 here)."""
    buff = Buff("b", damage=20, durability=2)
    f = Fight(["ranged + armor_piercing, brutal"], profile=TANKY, buff=buff)
    # 15 + 6 + 20 = 41 > 11 + 20: +5 -> 46 - 11 = 35
    assert f.turns(atk(0, 15, (5, 5, 5))) == [[65]]


def test_buff_avoidance_and_durability_apply_to_every_enemy():
    buff = Buff("b", accuracy=1, avoidance=3, durability=1)
    f = Fight(["ranged"], hp=(10, 30), buff=buff)
    # Avoidance 19: 12 + 7 hits, 11 + 7 misses; (5,5,5): 15 + 6 - 12 = 9 ... then at the second enemy
    assert f.turns(atk(0, 11, (5, 5, 5)), atk(0, 12, (5, 5, 5)), atk(0, 12, (6, 5, 5), (1, 1, 1))) == [
        [10, 30], [1, 30], [0, 30]]  # 7 + 5 + 5 + 1 = 17: 17 + 6 - 12 = 11 >= 1


def test_channeled_bonus_to_both_rolls():
    f = Fight(["ranged + channeled"])
    # turn 5: +4: a 6 hits (6 + 6 + 4 = 16), 9 + 6 + 4 - 11 = 8; turn 6: +8: a 2 hits, 9 + 6 + 8 - 11 = 12;
    # turn 7: +12: even a 1 hits, for 16
    assert f.turns({}, {}, {}, {}, atk(0, 6, (3, 3, 3)), atk(0, 2, (3, 3, 3)), atk(0, 1, (3, 3, 3))) == [
        [100]] * 4 + [[92], [80], [64]]
    g = Fight(["ranged + channeled"])
    assert g.turns({}, {}, {}, {}, atk(0, 5, (3, 3, 3)))[-1] == [100]


@pytest.mark.parametrize("build,hit_on", [
    ("melee_ac + power_attack", 10),  # 6 + 4 - 4
    ("ranged + accurate_attack", 6),  # 6 + 4
    ("melee_dg + splinter", 18),  # 6 - 8
    ("melee_ac + barrage", 14),  # 6 + 4 - 8: the main strike
    ("melee_ac + extra_attack", 10),  # 6 + 4 - 4
    ("melee_ac + explosive_critical", 14),  # 6 + 4 - 8
])
def test_accuracy_modifier_thresholds(build, hit_on):
    """The lowest d20 that hits Balanced (Avoidance 16) with the upgrade's accuracy modifier, and
    one below misses (no other strike follows a miss)."""
    f = Fight([build])
    f.step(atk(0, hit_on - 1, (6, 6, 6), (6, 6, 6), (6, 6, 6)))
    assert f.hp == [100]
    f.step(atk(0, hit_on, (6, 6, 6), (6, 6, 6), (6, 6, 6)))
    assert f.hp[0] < 100


def test_powerful_critical_not_below_15():
    f = Fight(["ranged + powerful_critical"])
    assert f.turns(atk(0, 14, (3, 3, 3))) == [[96]]  # hits (20), no crit: 9 + 6 - 11


def test_explosive_splash_recomputes_the_slayer_per_target():
    """Main strike at a minion (slayer +T): d20 15 + 2 + 4 = 21 hits Evasive's 18 and crits;
    9 - 2 + 4 + 4 - 9 = 6. The splash uses the total and damage without the main target's slayer
    part (17 and 11), adding each target's own: the other minion (21, 15 - 9 = 6) is hit, the
    25-HP enemy (17 < 18) is not."""
    f = Fight(["melee_ac + explosive_critical, minion_slayer"], hp=(10, 25, 10), profile=EVASIVE)
    assert f.turns(atk(0, 15, (3, 3, 3))) == [[4, 25, 4]]


def test_explosive_splash_gets_no_bleed_and_no_finishing_blow():
    # Evasive; bleed: damage 6 - 8 - 4 + 10 (buff) = 4; a 16 crits: 9 + 4 + 4 - 9 = 8 to each
    f = Fight(["melee_ac + bleed, explosive_critical"], hp=(30, 30, 30), profile=EVASIVE, buff=Buff("b", damage=10))
    assert f.turns(atk(0, 16, (3, 3, 3)), {}) == [[22, 22, 22], [14, 22, 22]]  # bleed on the main target only
    # finishing blow: damage 6 - 8 + 6 (buff) = 4; crit: 9 + 4 + 4 - 9 = 8; 12 -> 4 is finished on the
    # main target, not on the splashed one
    g = Fight(["melee_ac + explosive_critical, finishing_blow_1"], hp=(12, 12), profile=EVASIVE, buff=Buff("b", damage=6))
    assert g.turns(atk(0, 16, (3, 3, 3))) == [[0, 4]]


def test_explosive_splash_applies_brutal_per_target():
    # buff damage 30 and durability 2: Durability 11; crit: 9 - 2 + 4 + 30 = 41 > 11 + 20: +5 -> 46 - 11 = 35
    f = Fight(["melee_ac + brutal, explosive_critical"], hp=(50, 50), profile=EVASIVE, buff=Buff("b", damage=30, durability=2))
    assert f.turns(atk(0, 16, (3, 3, 3))) == [[15, 15]]


def test_explosive_splash_brutal_rounds_half_the_excess_down():
    # as above with (3,3,4): 42 > 31: +floor(11 / 2) = 5 -> 47 - 11 = 36 to both
    f = Fight(["melee_ac + brutal, explosive_critical"], hp=(50, 50), profile=EVASIVE, buff=Buff("b", damage=30, durability=2))
    assert f.turns(atk(0, 16, (3, 3, 4))) == [[14, 14]]


def test_brutal_only_on_the_attack_that_has_it():
    # the plain melee_ac of a pair with a brutal attack: buff damage 30, (5,5,5): 15 + 6 + 30 = 51,
    # far above 11 + 5T = 31, yet no brutal bonus: 51 - 11 = 40
    f = Fight(["melee_ac + brutal", "melee_ac"], hp=(100,), buff=Buff("b", damage=30))
    assert f.turns(atk(0, 15, (5, 5, 5)), choice=1) == [[60]]


# -- lanes of different cells in one batch ---------------------------------------------------------
# The kernel keeps per-lane max HP only when a batch holds several cells; each lane must play by its
# own cell's enemies. melee_ac (+T accuracy) against Balanced: accuracy 10, damage 6.


def one_turn(build: str, scenarios, d20: int, d6s, buff=Buff("none"), buffs=None) -> list[list[int]]:
    """Lane i in a cell whose enemies are ``scenarios[i]`` (and whose buff is ``buffs[i]``, else
    ``buff``); every lane's first strike rolls ``d20`` and ``d6s`` (area: at every target
    position). The enemies' HP of each lane after one turn."""
    kernel = VitalityKernel()
    table = kernel.compile([parse_build(build)], (2, 2, 2, 2, 4))
    buffs = buffs or [buff] * len(scenarios)
    cells = [Cell(i, Profile("p", BALANCED), b, Scenario(f"s{i}", tuple(hp)))
             for i, (hp, b) in enumerate(zip(scenarios, buffs))]
    n = len(cells)
    st = kernel.start(table, cells, np.arange(n), np.zeros((n, 1), dtype=np.intp))
    d = FixedDice(n, {slot(ATTACK, 0, j): encode(d20, d6s) for j in range(max(map(len, scenarios)))}, default=MISS)
    kernel.act(st, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), d, 1)
    kernel.end_turn(st, d, 1)
    return [row[: len(hp)] for row, hp in zip(st.hp.tolist(), scenarios)]


def test_a_slayer_reads_each_lanes_own_enemy_max_hp():
    # minion_slayer: +T to both rolls against max HP 10 only. d20 4: 4 + 10 + 4 = 18 hits 16 (the
    # 10-HP enemy), 4 + 10 = 14 misses (the 25-HP one). Damage 9 + 6 + 4 - 11 = 8.
    assert one_turn("melee_ac + minion_slayer", [(10,), (25,), (10, 25)], 4, (3, 3, 3)) == [[2], [25], [2, 25]]


def test_culling_strike_reads_each_lanes_own_enemy_max_hp():
    # d20 15 hits; buff damage 30: 15 + 6 + 30 - 11 = 40. 49 -> 9, below 49 / 5: defeated;
    # 60 -> 20, not below 60 / 5 = 12: stands; 45 -> 5, below 9: defeated.
    buff = Buff("b", damage=30)
    assert one_turn("melee_ac + culling_strike", [(49,), (60,), (45,)], 15, (5, 5, 5), buff) == [[0], [20], [0]]


# -- what an explosive splash counts for -----------------------------------------------------------
# melee_ac + explosive_critical against Balanced: accuracy 10 - 2T = 2, damage 6 - 2T = -2; buff
# damage 10. d20 20: total 22 meets every Avoidance 16 and crits (+T): (5,5,5) -> 15 - 2 + 10 + 4 = 27
# before Durability, 16 to the target and to every other standing enemy (section 6a.3).
SPLASHER = "melee_ac + explosive_critical"
SPLASH_BUFF = Buff("b", damage=10)
CRIT = atk(0, 20, (5, 5, 5))


def test_a_splash_that_defeats_the_last_enemy_wins_the_combat():
    f = Fight([SPLASHER], hp=(10, 10), buff=SPLASH_BUFF)
    assert f.step(CRIT) is True and f.hp == [0, 0]


def test_a_defeat_by_the_splash_alone_makes_slaughter_usable():
    # slaughter: defeated an enemy on the previous turn; here only the splash defeats one
    f = Fight([SPLASHER, "melee_ac [slaughter]"], hp=(100, 10), buff=SPLASH_BUFF)
    assert f.usable() == [True, False]
    f.step(CRIT)
    assert f.hp == [84, 0] and f.usable() == [True, True]


def test_a_splash_that_defeats_nothing_keeps_the_main_strikes_defeat():
    f = Fight([SPLASHER, "melee_ac [slaughter]"], hp=(10, 100), buff=SPLASH_BUFF)
    f.step(CRIT)
    assert f.hp == [0, 84] and f.usable() == [True, True]


def test_an_enemy_hit_by_the_splash_counts_for_combo_move():
    # the main strike defeats enemy 0; next turn's target is enemy 1, hit last turn by the splash
    f = Fight([SPLASHER, "melee_ac [combo_move]"], hp=(10, 100), buff=SPLASH_BUFF)
    f.step(CRIT)
    assert f.hp == [0, 84] and f.usable() == [True, True]


# -- follow-ups: who triggers them, and at whom -----------------------------------------------------


def test_extra_attack_after_a_strike_of_exactly_1_damage():
    # accuracy 6, damage 2: (3,3,4) -> 10 + 2 - 11 = 1, so the strike is repeated: (5,5,5) -> 6
    f = Fight(["melee_ac + extra_attack"])
    f.step(dice(atk(0, 15, (3, 3, 4)), atk(1, 15, (5, 5, 5))))
    assert f.hp == [93]


def test_a_barrage_strike_triggers_extra_attack_once_per_turn():
    # barrage -2T and extra_attack -T: accuracy 10 - 12 = -2, damage 6 - 12 = -6; buff 14 to both:
    # accuracy 12 (hits 16 on 4+), damage 8: (5,5,5) -> 15 + 8 - 11 = 12 per hit.
    buff = Buff("b", accuracy=14, damage=14)
    hits = [atk(s, 15, (5, 5, 5)) for s in range(8)]
    # the main strike misses, the first barrage strike hits and is repeated: 3 hits
    f = Fight(["melee_ac + barrage, extra_attack"], hp=(200,), buff=buff)
    f.step(dice(*hits[1:]))
    assert f.hp == [164]
    # every strike hits: main, its repeat and the two barrage strikes, no second repeat: 4 hits
    f = Fight(["melee_ac + barrage, extra_attack"], hp=(200,), buff=buff)
    f.step(dice(*hits))
    assert f.hp == [152]


def test_ricochet_skips_fallen_enemies_and_takes_one_at_1_hp():
    # accuracy 10, damage 6. Turn 1: d20 10 does not crit, (3,3,3) -> 4 defeats enemy 0.
    # Turn 2 at enemy 1: d20 15 crits, (5,5,5) + T -> 14; the two other standing enemies are 2
    # (at 1 HP) and 3, each struck once for 4.
    f = Fight(["melee_ac + ricochet"], hp=(4, 100, 1, 100))
    f.step(atk(0, 10, (3, 3, 3)))
    assert f.hp == [0, 100, 1, 100]
    f.step(dice(atk(0, 15, (5, 5, 5)), atk(1, 10, (3, 3, 3)), atk(2, 10, (3, 3, 3))))
    assert f.hp == [0, 86, 0, 96]


def test_ricochet_against_a_lone_enemy_strikes_nothing_more():
    f = Fight(["melee_ac + ricochet"], hp=(100,))
    f.step(dice(atk(0, 15, (5, 5, 5)), atk(1, 15, (5, 5, 5)), atk(2, 15, (5, 5, 5))))
    assert f.hp == [86]


def test_the_strike_stack_grows_from_empty_for_a_larger_batch(monkeypatch):
    """The pending-strike buffer is shared between turns and grown when a batch needs more room:
    from an empty buffer, a batch of one lane and then one of five play their barrage strikes.
    barrage on melee_ac: accuracy 10 - 8 = 2, damage 6 - 8 = -2; buff 10 to both: accuracy 12,
    damage 8; d20 10 hits, (3,3,3) -> 9 + 8 - 11 = 6 per strike, three strikes."""
    from balance_rules.vitality.kernel_followups import StrikeStack

    monkeypatch.setattr(StrikeStack, "_buffer", np.empty(0, dtype=np.int64))
    buff = Buff("b", accuracy=10, damage=10)
    for lanes in (1, 5):
        kernel = VitalityKernel()
        table = kernel.compile([parse_build("melee_ac + barrage")], (2, 2, 2, 2, 4))
        cells = [Cell(i, Profile("p", BALANCED), buff, Scenario(f"s{i}", (100,))) for i in range(lanes)]
        st = kernel.start(table, cells, np.arange(lanes), np.zeros((lanes, 1), dtype=np.intp))
        d = FixedDice(lanes, {slot(ATTACK, s, 0): encode(10, (3, 3, 3)) for s in range(3)}, default=MISS)
        kernel.act(st, np.zeros(lanes, dtype=np.int64), np.zeros(lanes, dtype=bool), d, 1)
        assert st.hp[:, 0].tolist() == [82] * lanes


def test_an_area_swing_uses_each_lanes_own_buff():
    # area: accuracy 6 - T = 2, damage 2. d20 12: 14 misses Avoidance 16 without a buff; with
    # accuracy and damage +4 it hits: (5,5,5) -> 15 + 6 - 11 = 10 to each enemy.
    buffs = [Buff("none"), Buff("b", accuracy=4, damage=4)]
    assert one_turn("area", [(30, 30), (30, 30)], 12, (5, 5, 5), buffs=buffs) == [[30, 30], [20, 20]]


def test_the_main_targets_hit_still_counts_for_combo_move_after_a_splash():
    # the main strike leaves enemy 0 standing (100 -> 84) and the splash hits enemy 1: next turn's
    # target is enemy 0 again, hit last turn by the main strike
    f = Fight([SPLASHER, "melee_ac [combo_move]"], hp=(100, 100), buff=SPLASH_BUFF)
    f.step(CRIT)
    assert f.hp == [84, 84] and f.usable() == [True, True]


def test_a_splash_with_no_one_to_hit_keeps_the_main_strikes_damage_for_relentless():
    # relentless: dealt damage on the previous turn; the only enemy takes 16, the splash finds no one
    f = Fight([SPLASHER, "melee_ac [relentless]"], hp=(100,), buff=SPLASH_BUFF)
    assert f.usable() == [True, False]
    f.step(CRIT)
    assert f.hp == [84] and f.usable() == [True, True]


@pytest.mark.parametrize("carry,repeat_d20,expected", [(True, 5, [56]), (False, 5, [76]), (False, 15, [68])])
def test_a_single_target_follow_up_and_the_limit_bonus_decision(carry, repeat_d20, expected):
    # melee_ac + double_tap [quickdraw]: accuracy 10 + 16, damage 6 + 16 on turn 1. d20 15 crits:
    # (3,3,3) 9 + 22 + 4 - 11 = 24. The repeat, d20 5: with the bonus 31 hits for 9 + 22 - 11 = 20;
    # decisions.followups_carry_limit_bonus false: 15 misses; a repeat d20 15 then hits and crits
    # without the bonus: 9 + 6 + 4 - 11 = 8.
    f = Fight(["melee_ac + double_tap [quickdraw]"], rule_changes={"decisions.followups_carry_limit_bonus": carry})
    assert f.turns(dice(atk(0, 15, (3, 3, 3)), atk(1, repeat_d20, (3, 3, 3)))) == [expected]


def test_reliable_accuracy_on_a_follow_up_reads_its_own_advantage_die():
    # melee_ac + reliable_accuracy, double_tap: accuracy 10 - 3 = 7. The main strike keeps 15
    # (22 hits, crits): (3,3,3) 9 + 6 + 4 - 11 = 8; the repeat rolls 2 and keeps its own advantage
    # die, 18 (25 hits, crits): 8 more. The main strike's advantage die (1) is not the repeat's.
    f = Fight(["melee_ac + reliable_accuracy, double_tap"])
    assert f.turns(dice(atk(0, 15, (3, 3, 3)), adv(0, 1), atk(1, 2, (3, 3, 3)), adv(1, 18))) == [[84]]


def test_direct_area_flat_roll_of_1_at_tier_7():
    # tier 7 attacker [2,2,2,2,7]: damage bonus 9; direct_area_damage rolls a flat 15 - 2T = 1, not
    # dice, also beside a dice-rolling attack: 1 + 9 + 10 (buff) - 11 = 9 to each enemy
    f = Fight(["direct_area_damage", "ranged"], hp=(30, 30), attacker=(2, 2, 2, 2, 7), buff=Buff("b", damage=10))
    assert f.turns(atk(0, 1, (6, 6, 5))) == [[21, 21]]


def test_every_strike_of_a_turn_counts_for_next_turns_limits():
    """melee_ac + ricochet (accuracy 10, damage 6) at (100, 4, 100): d20 15 crits, (5,5,5)
    15 + 6 + 4 - 11 = 14 to enemy 0; the ricochets: enemy 1 (d20 10, (3,3,3) 4: defeated), enemy 2
    (d20 5: missed). The last strike hit nothing, yet next turn slaughter (a defeat), relentless
    (damage) and combo_move (enemy 0, still the target, was hit) are usable."""
    f = Fight(["melee_ac + ricochet", "melee_ac [slaughter]", "melee_ac [relentless]", "melee_ac [combo_move]"],
              hp=(100, 4, 100))
    f.step(dice(atk(0, 15, (5, 5, 5)), atk(1, 10, (3, 3, 3)), atk(2, 5, (3, 3, 3))))
    assert f.hp == [86, 0, 100] and f.usable() == [True, True, True, True]


SLAYING_SPLASHER = "melee_ac + explosive_critical, minion_slayer"


def test_a_splash_of_exactly_1_to_a_minion_counts_for_relentless():
    # accuracy 2, damage -2 (+T each against the 10-HP minion). Main strike at the 25-HP enemy:
    # d20 15 (17) hits and crits, (1,2,3) 6 - 2 + 4 = 8 < 11: 0. The splash at the minion: 21 hits,
    # 8 + 4 - 11 = 1: damage dealt, so relentless is usable next turn.
    f = Fight([SLAYING_SPLASHER, "melee_ac [relentless]"], hp=(25, 10))
    f.step(atk(0, 15, (1, 2, 3)))
    assert f.hp == [25, 9] and f.usable() == [True, True]


def test_a_splash_strikes_no_fallen_enemy():
    # turn 1: d20 20 at the minion (26, crit): (5,5,5) 15 + 2 + 4 - 11 = 10 defeats it; the splash:
    # 22 hits the others, 17 - 11 = 6 each. Turn 2 at enemy 1: d20 15 crits for 0 ((1,2,3), as
    # above) and the splash deals 0 to enemy 2; the fallen minion is not struck (it would take 1), so
    # no damage was dealt and relentless is not usable.
    f = Fight([SLAYING_SPLASHER, "melee_ac [relentless]"], hp=(10, 25, 25))
    f.step(atk(0, 20, (5, 5, 5)))
    assert f.hp == [0, 19, 19]
    f.step(atk(0, 15, (1, 2, 3)))
    assert f.hp == [0, 19, 19] and f.usable() == [True, False]
