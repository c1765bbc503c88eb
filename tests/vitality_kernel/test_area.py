"""The two area types with every upgrade they can carry, turn by turn on scripted dice.

Numbers are worked from the rulebook (docs/vitality-rules.md) by hand: attacker [2,2,2,2,4]
(T = 4, accuracy and damage bonus 6); Balanced enemies: Avoidance 16, Durability 11; Tanky 14 / 13,
its Durability for armor_piercing 5 + 4 = 9. ``area`` is −T to both rolls (accuracy 2, damage 2),
so a d20 of 14 hits Balanced. One damage roll per swing, read from the dice of target position 0
(``atk(s, d20, d6s)``); the other positions give only their d20 (``atk(s, d20, target=j)``).
``direct_area_damage`` rolls a flat 15 − 2T = 7: 7 + 6 − 11 = 2 to every standing Balanced enemy.
Unscripted dice read d20 = 1, 3d6 = (1,1,1): a miss.
"""

from __future__ import annotations

import pytest

from balance.grid import Buff

from .scripted import TANKY, Fight, adv, atk, dice


def area_dice(s, d20s, d6s=(1, 1, 1)):
    """Swing ``s``: one d20 per target position, the shared damage dice at position 0."""
    return dice(atk(s, d20s[0], d6s), *(atk(s, r, target=j) for j, r in enumerate(d20s) if j))


def test_area_hits_each_target_on_its_own_d20_with_one_damage_roll():
    f = Fight(["area"], hp=(30, 30, 30))
    # (5,5,5) = 15: 15 + 2 - 11 = 6 per hit; 14 + 2 = 16 hits, 13 + 2 = 15 misses; 20 crits: +T
    assert f.turns(area_dice(0, (14, 13, 20), (5, 5, 5))) == [[24, 30, 20]]


def test_area_swings_at_standing_enemies_only_and_reads_position_0_dice_after_it_falls():
    f = Fight(["area"], hp=(6, 30))
    assert f.turns(
        area_dice(0, (14, 14), (5, 5, 5)),  # 6 to each: the first falls
        area_dice(0, (20, 14), (5, 5, 5)),  # the fallen position's d20 is unused; its dice still roll damage
    ) == [[0, 24], [0, 18]]


def test_area_finishing_blow_per_target():
    f = Fight(["area + finishing_blow_1"], hp=(10, 7, 20, 4))
    assert f.turns(
        # (5,5,4) = 14: 5 damage per hit. 10 -> 5 and 7 -> 2 are finished; 20 -> 15 is not; the
        # missed enemy at 4 HP is not
        area_dice(0, (15, 15, 15, 1), (5, 5, 4)),
        # (3,3,3): 0 damage; a hit for 0 is enough to finish the enemy at 4 HP, not the one at 15
        area_dice(0, (1, 1, 15, 15), (3, 3, 3)),
    ) == [[0, 0, 15, 4], [0, 0, 15, 0]]


def test_area_overhit_from_a_margin_of_3t_per_target():
    # buff accuracy 8: total = d20 + 10 against 16. (4,4,4) = 12: 12 + 2 - 11 = 3 per hit.
    f = Fight(["area + overhit"], hp=(100, 100, 100, 100), buff=Buff("b", accuracy=8))
    # margins 12 (= 3T: +6), 11 (< 3T: nothing), 7 (nothing), 13 (+floor(13 / 2) = 6)
    assert f.turns(area_dice(0, (18, 17, 13, 19), (4, 4, 4))) == [[91, 97, 97, 91]]


def test_area_bleed_marks_each_target_with_its_own_damage():
    # bleed: -T damage; buff damage 5: 15 + 2 - 4 + 5 - 11 = 7; the crit on target 0 gives 11
    f = Fight(["area + bleed"], hp=(30, 30, 30), buff=Buff("b", damage=5))
    assert f.turns(
        area_dice(0, (20, 15, 1), (5, 5, 5)),
        {},  # every swing misses; the bleeds of turn 1 fire at the end of turn 2
        {},
    ) == [[19, 23, 30], [8, 16, 30], [8, 16, 30]]


def test_area_brutal_per_target_crit_included():
    # buff damage 20: before Durability 15 + 2 + 20 = 37 > 11 + 5T = 31: +floor(6 / 2) = 3 -> 29;
    # the crit: 41, +5 -> 35. The missed target takes nothing.
    f = Fight(["area + brutal"], hp=(100, 100, 100), buff=Buff("b", damage=20))
    assert f.turns(area_dice(0, (15, 20, 1), (5, 5, 5))) == [[71, 65, 100]]


def test_area_brutal_needs_more_than_5t_above_durability():
    # (3,3,3) with buff damage 20: 9 + 2 + 20 = 31, not above 31: no bonus -> 20
    f = Fight(["area + brutal"], hp=(100,), buff=Buff("b", damage=20))
    assert f.turns(area_dice(0, (15,), (3, 3, 3))) == [[80]]


def test_area_barrage_three_swings_each_with_its_own_rolls():
    # barrage -2T: accuracy 6 - 4 - 8 + 10 (buff) = 4, hits on 12+; damage 6 - 4 - 8 + 10 = 4
    f = Fight(["area + barrage"], hp=(20, 20), buff=Buff("b", accuracy=10, damage=10))
    assert f.turns(
        dice(
            area_dice(0, (15, 15), (5, 5, 5)),  # 15 + 4 - 11 = 8 to each
            area_dice(1, (15, 1), (5, 5, 4)),  # 7 to the first only
            area_dice(2, (15, 15), (3, 3, 3)),  # 2 to each
        ),
    ) == [[3, 10]]


def test_area_barrage_stops_when_no_enemy_stands():
    f = Fight(["area + barrage"], hp=(8, 8), buff=Buff("b", accuracy=10, damage=10))
    f.step(dice(area_dice(0, (15, 15), (5, 5, 5)), area_dice(1, (15, 15), (5, 5, 5))))
    assert f.hp == [0, 0] and f.log == [([True], False)]


def test_area_extra_attack_repeats_the_whole_swing_once_after_damage():
    # extra_attack -T: accuracy and damage 6 - 4 - 4 + 4 (buff) = 2
    f = Fight(["area + extra_attack"], hp=(30, 30), buff=Buff("b", accuracy=4, damage=4))
    assert f.turns(
        dice(
            area_dice(0, (15, 1), (5, 5, 5)),  # 15 + 2 - 11 = 6 to the first
            area_dice(1, (1, 15), (5, 5, 5)),  # the repeat: 6 to the second
            area_dice(2, (15, 15), (5, 5, 5)),  # once per turn: never rolled
        ),
        dice(
            area_dice(0, (15, 15), (1, 1, 1)),  # hits for 3 + 2 - 11 -> 0: no repeat
            area_dice(1, (15, 15), (5, 5, 5)),
        ),
    ) == [[24, 24], [24, 24]]


def test_area_high_impact_flat_15():
    f = Fight(["area + high_impact"], hp=(20, 20))
    assert f.turns(area_dice(0, (15, 15), (1, 1, 1))) == [[14, 14]]  # 15 + 2 - 11


def test_area_critical_effect_explodes_on_five():
    # 5,5,5 all explode: + (2,2,2) = 21; 21 + 2 - 3 - 11 = 9
    f = Fight(["area + critical_effect"], hp=(20, 20))
    f.step(dice(atk(0, 15, (5, 5, 5), (2, 2, 2)), atk(0, 15, target=1)))
    assert f.hp == [11, 11]


def test_area_armor_piercing_accuracy_penalty_and_durability():
    # Tanky: Avoidance 14; accuracy 2 - 1 = 1 hits on 13, not on 12; Durability 9: 9 + 2 - 9 = 2
    f = Fight(["area + armor_piercing"], hp=(20, 20, 20), profile=TANKY)
    assert f.turns(area_dice(0, (13, 12, 20), (3, 3, 3))) == [[18, 20, 14]]


def test_area_power_attack_and_accurate_attack():
    f = Fight(["area + power_attack"], hp=(20, 20))  # accuracy -2: hits on 18; damage 6
    assert f.turns(area_dice(0, (18, 17), (3, 3, 3))) == [[16, 20]]  # 9 + 6 - 11
    g = Fight(["area + accurate_attack"], hp=(20, 20))  # accuracy 6: hits on 10; damage -2
    assert g.turns(area_dice(0, (10, 9), (5, 5, 5))) == [[18, 20]]  # 15 - 2 - 11


def test_area_reliable_accuracy_per_target_advantage():
    # accuracy 2 - 3 = -1: hits on 17; the crit check reads the kept die
    f = Fight(["area + reliable_accuracy"], hp=(20, 20, 20))
    f.step(dice(area_dice(0, (2, 17, 16), (5, 5, 5)), adv(0, 20, 0), adv(0, 1, 1), adv(0, 16, 2)))
    assert f.hp == [10, 14, 20]  # crit 15 + 2 + 4 - 11; hit 6; miss


def test_area_powerful_critical_per_target():
    # crit range 15-20, +2T: 9 + 2 + 8 - 11 = 8; a 14 hits (16) without crit: 0
    f = Fight(["area + powerful_critical"], hp=(20, 20))
    assert f.turns(area_dice(0, (15, 14), (3, 3, 3))) == [[12, 20]]


def test_area_slayer_per_target_max_hp():
    # minion_slayer: +T to both rolls against the 10-HP enemy only. (3,3,4) = 10.
    f = Fight(["area + minion_slayer"], hp=(10, 25))
    # the minion: 10 + 2 + 4 = 16 hits, 10 + 2 + 4 - 11 = 5; the captain: 10 + 2 misses, a 15 hits for 1
    assert f.turns(area_dice(0, (10, 10), (3, 3, 4)), area_dice(0, (1, 15), (3, 3, 4))) == [[5, 25], [5, 24]]


def test_area_channeled_bonus_reaches_every_target():
    f = Fight(["area + channeled"], hp=(100, 100))
    # turns 1-4: -12, -8, -4, 0; turn 5: +4: accuracy 6, a 10 hits; (3,3,3): 9 + 6 - 11 = 4
    assert f.turns({}, {}, {}, {}, area_dice(0, (10, 9), (3, 3, 3))) == [[100, 100]] * 4 + [[96, 100]]


def test_direct_area_auto_hits_every_standing_enemy_never_crits():
    # Avoidance does not matter (buff +100); a d20 of 20 gives no crit; Durability applies
    f = Fight(["direct_area_damage"], hp=(4, 30, 30), buff=Buff("b", avoidance=100))
    assert f.turns(area_dice(0, (20, 20, 20), (6, 6, 6)), {}, {}) == [[2, 28, 28], [0, 26, 26], [0, 24, 24]]


def test_direct_area_buff_damage_and_durability():
    f = Fight(["direct_area_damage"], hp=(30, 30), buff=Buff("b", damage=3, durability=1))
    assert f.turns({}) == [[26, 26]]  # 7 + 6 + 3 - 12


def test_direct_area_finishing_blow():
    f = Fight(["direct_area_damage + finishing_blow_1"], hp=(7, 3, 20))
    assert f.turns({}) == [[0, 0, 18]]  # 5 and 1 are finished; 18 is not


def test_direct_area_bleed():
    # bleed -T: 7 + 6 - 4 + 6 (buff) - 11 = 4 to each, again at the end of the next turn
    f = Fight(["direct_area_damage + bleed"], hp=(30, 30), buff=Buff("b", damage=6))
    assert f.turns({}, {}) == [[26, 26], [18, 18]]


def test_direct_area_brutal():
    # buff damage 30: 7 + 6 + 30 = 43 > 31: +6 -> 49 - 11 = 38
    f = Fight(["direct_area_damage + brutal"], hp=(50, 50), buff=Buff("b", damage=30))
    assert f.turns({}) == [[12, 12]]


def test_direct_area_barrage_three_swings():
    # barrage -2T: 7 + 6 - 8 + 10 (buff) - 11 = 4, three times
    f = Fight(["direct_area_damage + barrage"], hp=(30, 30), buff=Buff("b", damage=10))
    assert f.turns({}) == [[18, 18]]


def test_direct_damage_culling_strike_and_finishing_blow():
    # direct_damage: 15 - 4 + 6 - 11 = 6
    f = Fight(["direct_damage + culling_strike"], hp=(15,))
    assert f.turns({}) == [[9]]  # 9 is not below 15 / 5 = 3
    g = Fight(["direct_damage + culling_strike"], hp=(50,))
    g.st.hp[0, 0] = 15
    assert g.turns({}) == [[0]]  # 9 < 50 / 5: culled
    h = Fight(["direct_damage + finishing_blow_1"], hp=(11,))
    assert h.turns({}) == [[0]]  # left at 5


@pytest.mark.parametrize("build,expected", [
    ("area [quickdraw]", [[84, 100], [68, 100], [100 - 32, 100]]),
    ("direct_area_damage [quickdraw]", [[82, 82], [64, 64], [62, 62]]),
])
def test_area_limit_bonus_on_every_target(build, expected):
    # quickdraw +4T = 16 on turns 1 and 2. area: accuracy 2 + 16 = 18 against 16 + 16 (buff) -> a 14
    # hits, a 13 misses; (3,3,3): 9 + 2 + 16 - 11 = 16. Turn 3: the basic attack, a miss.
    # direct_area: 7 + 6 + 16 - 11 = 18 on turns 1-2, then the basic attack: 2.
    buff = Buff("b", avoidance=16)
    f = Fight([build], hp=(100, 100), buff=buff)
    got = f.turns(area_dice(0, (14, 13), (3, 3, 3)), area_dice(0, (14, 13), (3, 3, 3)), area_dice(0, (14, 13), (3, 3, 3)))
    assert got == expected
    assert [fb for _, fb in f.log] == [False, False, True]


def test_area_extra_attack_after_a_barrage_swing_and_only_once():
    # barrage -2T and extra_attack -T on area (-T): 6 - 16 = -10; buff 14 to both: accuracy 4
    # (hits 16 on 12+), damage 4: (5,5,5) -> 15 + 4 - 11 = 8 per hit.
    buff = Buff("b", accuracy=14, damage=14)
    # The main swing misses; the first barrage swing deals damage, so the whole attack is repeated
    # once: three swings hit, 24.
    f = Fight(["area + barrage, extra_attack"], hp=(100,), buff=buff)
    assert f.turns(dice(*(area_dice(s, (15,), (5, 5, 5)) for s in (1, 2, 3, 4, 5)))) == [[76]]
    # Every swing hits: the main swing, its one repeat and the two barrage swings, 32; no more
    # repeats although the barrage swings deal damage too.
    f = Fight(["area + barrage, extra_attack"], hp=(100,), buff=buff)
    assert f.turns(dice(*(area_dice(s, (15,), (5, 5, 5)) for s in range(8)))) == [[68]]


def test_area_hits_an_enemy_at_1_hp_and_never_a_fallen_one():
    # extra_attack -T on area: accuracy and damage 6 - 8 + 4 (buff) = 2; (5,5,5) -> 6 per hit
    buff = Buff("b", accuracy=4, damage=4)
    f = Fight(["area + extra_attack"], hp=(1, 6, 30), buff=buff)
    # turn 1: the enemies at 1 and 6 HP fall; the damage repeats the swing, which misses
    f.step(area_dice(0, (15, 15, 1), (5, 5, 5)))
    assert f.hp == [0, 0, 30]
    # turn 2: the fallen enemies' d20s would hit, the standing one's misses: no damage, no repeat
    f.step(dice(area_dice(0, (15, 15, 1), (5, 5, 5)), area_dice(1, (15, 15, 15), (5, 5, 5))))
    assert f.hp == [0, 0, 30]


@pytest.mark.parametrize("carry, expected", [(True, [28]), (False, [76])])
def test_area_barrage_swings_and_the_follow_up_decision(carry, expected):
    # area + barrage: accuracy and damage 6 - T - 2T = -6; quickdraw +4T = 16 on turn 1 -> 10;
    # buff damage 10. d20 10 hits with the bonus (20), misses without (4); (5,5,5) with the bonus
    # deals 15 + 20 - 11 = 24. decisions.followups_carry_limit_bonus false: only the main swing
    # has the bonus, so the two barrage swings miss.
    f = Fight(["area + barrage [quickdraw]"], hp=(100,), buff=Buff("b", damage=10),
              rule_changes={"decisions.followups_carry_limit_bonus": carry})
    assert f.turns(dice(*(area_dice(s, (10,), (5, 5, 5)) for s in range(3)))) == [expected]


def test_the_combat_goes_on_while_an_enemy_stands_after_one_fell():
    f = Fight(["area"], hp=(6, 30))
    assert f.step(area_dice(0, (14, 1), (5, 5, 5))) is False  # 6 to the first: it falls
    assert f.step(area_dice(0, (14, 1), (5, 5, 5))) is False  # the standing enemy is missed
    assert f.hp == [0, 30]
    assert f.step(area_dice(0, (1, 14), (5, 5, 5))) is False  # 6 to the standing enemy
    assert f.hp == [0, 24]


def test_an_area_swing_that_defeats_the_last_enemies_wins():
    # 6 to each: enemies at 6 and at 1 HP fall, and the combat is won
    f = Fight(["area"], hp=(6, 1))
    assert f.step(area_dice(0, (14, 14), (5, 5, 5))) is True and f.hp == [0, 0]


def test_area_swings_of_one_turn_all_count_for_next_turns_limits():
    """area + barrage (accuracy and damage 6 - T - 2T + 10 (buff) = 4, hits 16 on 12+), enemies at
    8, 100 and 100 HP. Swing 0: (5,5,5) 15 + 4 - 11 = 8 defeats enemy 0 and hits enemy 1; swing 1:
    (2,3,3) 8 + 4 - 11 = 1 to enemy 2; swing 2 misses everything. Next turn: slaughter (a defeat),
    relentless (damage dealt) and combo_move (enemy 1, now the target, was hit) are all usable,
    though the last swing of the turn did none of it."""
    f = Fight(["area + barrage", "melee_ac [relentless]", "melee_ac [slaughter]", "melee_ac [combo_move]"],
              hp=(8, 100, 100), buff=Buff("b", accuracy=10, damage=10))
    f.step(dice(area_dice(0, (15, 15, 1), (5, 5, 5)), area_dice(1, (1, 1, 15), (2, 3, 3))))
    assert f.hp == [0, 92, 99] and f.usable() == [True, True, True, True]


def test_area_damage_of_exactly_1_counts_as_damage():
    # area + extra_attack, buff 4 to both: accuracy and damage 2. (3,3,4): 10 + 2 - 11 = 1 to
    # enemy 0 is damage, so the swing is repeated: (5,5,5) 6 to enemy 1
    f = Fight(["area + extra_attack"], hp=(30, 30), buff=Buff("b", accuracy=4, damage=4))
    assert f.turns(dice(area_dice(0, (15, 1), (3, 3, 4)), area_dice(1, (1, 15), (5, 5, 5)))) == [[29, 24]]


def test_area_bleed_marks_only_from_a_bleeding_attack_and_damage():
    # an area attack without bleed next to a bleeding one: its hits leave no bleed (6 each, once)
    f = Fight(["area", "ranged + bleed"], hp=(30, 30))
    assert f.turns(area_dice(0, (14, 14), (5, 5, 5)), {}) == [[24, 24], [24, 24]]
    # area + bleed, extra_attack, buff accuracy 10, damage 14: accuracy 8, damage 6 - 12 + 14 = 8.
    # The swing deals 15 + 8 - 11 = 12 and is repeated; the repeat hits for 3 + 8 - 11 = 0, which
    # leaves the mark of 12 in place: it fires at the end of turn 2
    g = Fight(["area + bleed, extra_attack"], hp=(30,), buff=Buff("b", accuracy=10, damage=14))
    assert g.turns(dice(area_dice(0, (15,), (5, 5, 5)), area_dice(1, (15,), (1, 1, 1))), {}) == [[18], [6]]
    # a hit for exactly 1 marks a bleed of 1 (damage 8 with (1,1,2): 4 + 8 - 11 = 1; no repeat scripted hits)
    h = Fight(["area + bleed, extra_attack"], hp=(30,), buff=Buff("b", accuracy=10, damage=14))
    assert h.turns(area_dice(0, (15,), (1, 1, 2)), {}) == [[29], [28]]


def test_area_combo_move_needs_a_standing_enemy_hit_last_turn():
    # combo_move on area: usable when any enemy still standing was hit on the previous turn
    # (section 5). Plain area (accuracy and damage 2, (5,5,5): 6 per hit) sets it up.
    f = Fight(["area [combo_move]", "area", "melee_ac [combo_move]"], hp=(6, 30, 7))
    assert f.usable() == [False, True, False]
    f.step(area_dice(0, (14, 1, 1), (5, 5, 5)), choice=1)  # hits only enemy 0, which falls
    assert f.hp == [0, 30, 7] and f.usable() == [False, True, False]
    # hits only enemy 2, left standing at 1 HP; the single-target combo_move's target (enemy 1) was not hit
    f.step(area_dice(0, (1, 1, 14), (5, 5, 5)), choice=1)
    assert f.hp == [0, 30, 1] and f.usable() == [True, True, False]
    f.step(area_dice(0, (1, 14, 1), (5, 5, 5)), choice=1)  # hits enemy 1
    assert f.hp == [0, 24, 1] and f.usable() == [True, True, True]
