"""Enemies left at exactly 1 HP stand, and fallen ones take no more strikes: the boundary of every
"while the target stands" rule (docs/vitality-rules.md sections 4 and 6a), on scripted dice.
Numbers of scripted.py: attacker [2,2,2,2,4] (T = 4, accuracy and damage bonus 6); Balanced
Avoidance 16, Durability 11."""

from __future__ import annotations

from balance.grid import Buff

from .scripted import Fight, atk, dice


def test_splinter_strikes_the_next_enemy_even_at_1_hp():
    # melee_dg + splinter: accuracy -2, damage 6 + 4 - 8 = 2; natural 20 with (5,5,5):
    # 15 + 2 + 4 - 11 = 10. The main strike defeats enemy 0; the first splinter strikes enemy 1
    # (1 HP, the first standing) and defeats it; the second strikes enemy 2.
    f = Fight(["melee_dg + splinter"], hp=(10, 1, 10))
    assert f.turns(dice(*(atk(s, 20, (5, 5, 5)) for s in range(4)))) == [[0, 0, 0]]


def test_no_splinter_when_the_target_is_left_at_1_hp():
    f = Fight(["melee_dg + splinter"], hp=(11, 10))
    assert f.turns(dice(*(atk(s, 20, (5, 5, 5)) for s in range(4)))) == [[1, 10]]


def test_double_tap_repeats_at_a_target_left_at_1_hp():
    # melee_ac + double_tap: accuracy 10, damage 6; d20 15 crits: 15 + 6 + 4 - 11 = 14 leaves 1;
    # the repeat (d20 10 hits, (3,3,3): 9 + 6 - 11 = 4) defeats it
    f = Fight(["melee_ac + double_tap"], hp=(15,))
    assert f.turns(dice(atk(0, 15, (5, 5, 5)), atk(1, 10, (3, 3, 3)))) == [[0]]


def test_no_extra_attack_at_a_fallen_target():
    # melee_ac + extra_attack, ricochet: accuracy 6 + 4 - 4 = 6, damage 2. d20 10 hits without a
    # crit: (5,5,5) 15 + 2 - 11 = 6 defeats enemy 0 (2 HP). The repeat needs a standing target: no
    # strike follows, so the critical dice scripted for a repeat (and its ricochets) are never read.
    f = Fight(["melee_ac + extra_attack, ricochet"], hp=(2, 30, 30))
    assert f.turns(dice(atk(0, 10, (5, 5, 5)), *(atk(s, 20, (5, 5, 5)) for s in (1, 2, 3)))) == [[0, 30, 30]]


def test_a_splash_defeats_an_enemy_at_1_hp():
    # melee_ac + explosive_critical (accuracy 2, damage -2), buff damage 10: d20 20 crits,
    # (5,5,5): 15 - 2 + 10 + 4 = 27 before Durability, 16 to the target and to each other standing enemy
    f = Fight(["melee_ac + explosive_critical"], hp=(100, 1, 30), buff=Buff("b", damage=10))
    assert f.turns(atk(0, 20, (5, 5, 5))) == [[84, 0, 14]]


def test_barrage_strikes_of_0_damage_trigger_no_extra_attack():
    # barrage -2T and extra_attack -T on melee_ac: accuracy and damage 6 + 4 - 12 = -2 (accuracy) and
    # -6 (damage); buff 14 to both: accuracy 12, damage 8. The main strike misses (1 + 12); both
    # barrage strikes hit (5 + 12 = 17) for (1,1,1): 3 + 8 - 11 = 0, so no strike is repeated and
    # the dice of a fourth strike are never read.
    f = Fight(["melee_ac + barrage, extra_attack"], hp=(200,), buff=Buff("b", accuracy=14, damage=14))
    assert f.turns(dice(atk(1, 5, (1, 1, 1)), atk(2, 5, (1, 1, 1)), atk(3, 15, (5, 5, 5)))) == [[200]]


def test_a_splash_that_defeats_the_last_enemy_at_1_hp_wins():
    f = Fight(["melee_ac + explosive_critical"], hp=(10, 1), buff=Buff("b", damage=10))
    assert f.step(atk(0, 20, (5, 5, 5))) is True and f.hp == [0, 0]


def test_finishing_blow_takes_an_enemy_left_at_exactly_1_hp():
    # ranged + finishing_blow_1: (3,3,3) 9 + 6 - 11 = 4 leaves 5 - 4 = 1: finished
    f = Fight(["ranged + finishing_blow_1"], hp=(5,))
    assert f.turns(atk(0, 15, (3, 3, 3))) == [[0]]


def test_culling_strike_takes_an_enemy_left_at_exactly_1_hp():
    # buff damage 45: 9 + 6 + 45 - 11 = 49 leaves 1 of 50, below 50 / 5
    f = Fight(["ranged + culling_strike"], hp=(50,), buff=Buff("b", damage=45))
    assert f.turns(atk(0, 15, (3, 3, 3))) == [[0]]


def test_culling_strike_needs_the_culling_attack_and_a_hit():
    # buff damage 80: a plain ranged hit deals 9 + 6 + 80 - 11 = 84 and leaves 16 of 100, below
    # 100 / 5, but it is not the culling attack: no cull
    f = Fight(["ranged + culling_strike", "ranged"], hp=(100,), buff=Buff("b", damage=80))
    assert f.turns(atk(0, 15, (3, 3, 3)), choice=1) == [[16]]
    # the culling attack misses an enemy already below a fifth (9 of 50): no cull
    g = Fight(["ranged + culling_strike"], hp=(50,))
    g.st.hp[0, 0] = 9
    assert g.turns(atk(0, 9, (6, 6, 6))) == [[9]]


def test_a_bleed_of_exactly_1():
    # ranged + bleed (damage 2): (3,3,4) 10 + 2 - 11 = 1, and 1 again at the end of the next turn
    f = Fight(["ranged + bleed"])
    assert f.turns(atk(0, 15, (3, 3, 4)), {}) == [[99], [98]]


def test_a_strike_of_exactly_1_damage_counts_for_relentless():
    # ranged: (1,2,3) 6 + 6 - 11 = 1
    f = Fight(["ranged", "melee_ac [relentless]"])
    f.step(atk(0, 10, (1, 2, 3)))
    assert f.hp == [99] and f.usable() == [True, True]


def test_a_bleed_that_defeats_the_last_enemy_wins():
    # ranged + bleed (damage 2): (5,5,5) 15 + 2 - 11 = 6 leaves 1 of 7; the bleed of 6 at the end
    # of turn 2 defeats the enemy at 1 HP: the combat is won on turn 2
    f = Fight(["ranged + bleed"], hp=(7,))
    assert f.step(atk(0, 15, (5, 5, 5))) is False and f.hp == [1]
    assert f.step() is True and f.hp == [0]


def test_a_bleed_due_on_a_fallen_enemy_does_not_fire():
    # turn 1: 6 to enemy 0 (8 -> 2), bleed 6 due at the end of turn 2; turn 2: the hit defeats it
    # first; the bleed finds it fallen: enemy 1 still stands, so the combat goes on
    f = Fight(["ranged + bleed"], hp=(8, 30))
    f.step(atk(0, 15, (5, 5, 5)))
    assert f.step(atk(0, 15, (5, 5, 5))) is False and f.hp == [0, 30]


def test_no_damage_and_no_bleed_is_not_relentless():
    f = Fight(["ranged + bleed", "melee_ac [relentless]"], hp=(30, 30))
    f.step()  # a miss, nothing due
    assert f.usable() == [True, False]


def test_the_next_target_may_stand_at_1_hp_and_targets_move_on():
    # ranged: (5,5,5) 15 + 6 - 11 = 10 a hit. Enemies 6, 1, 6, 30: each hit defeats the first standing
    # enemy, the one at 1 HP included, and the fourth hit reaches the last enemy
    f = Fight(["ranged"], hp=(6, 1, 6, 30))
    hit = atk(0, 15, (5, 5, 5))
    assert f.turns(hit, hit, hit, hit) == [[0, 1, 6, 30], [0, 0, 6, 30], [0, 0, 0, 30], [0, 0, 0, 20]]


def test_an_area_barrage_swings_again_at_enemies_left_at_1_hp():
    # area + barrage, buff accuracy and damage 10: accuracy and damage 6 - 4 - 8 + 10 = 4. The main
    # swing (d20 15: 19 hits each) with (5,5,5): 15 + 4 - 11 = 8 leaves both 9-HP enemies at 1; the
    # first barrage swing (d20 15 each, (3,3,3): 9 + 4 - 11 = 2) defeats both and wins.
    f = Fight(["area + barrage"], hp=(9, 9), buff=Buff("b", accuracy=10, damage=10))
    swing = lambda s, d6s: dice(atk(s, 15, d6s), atk(s, 15, target=1))  # noqa: E731
    assert f.step(dice(swing(0, (5, 5, 5)), swing(1, (3, 3, 3)))) is True and f.hp == [0, 0]


def test_an_enemy_that_starts_at_1_hp_stands_until_struck():
    # ranged: d20 15 hits (21); (5,5,5): 15 + 6 - 11 = 10 defeats enemy 0 (10 HP); enemy 1 starts at
    # 1 HP and stands: not won until a strike hits it ((3,3,3): 9 + 6 - 11 = 4)
    f = Fight(["ranged"], hp=(10, 1))
    assert f.step(atk(0, 15, (5, 5, 5))) is False and f.hp == [0, 1]
    assert f.step(atk(0, 15, (3, 3, 3))) is True and f.hp == [0, 0]


def test_an_enemy_of_1_max_hp_gets_no_slayer_bonus():
    # plain ranged: d20 6 + 6 = 12 misses Avoidance 16 (no slayer bonus, whatever the max HP)
    f = Fight(["ranged"], hp=(1,))
    assert f.turns(atk(0, 6, (5, 5, 5))) == [[1]]


def test_extra_attack_after_a_hit_without_a_crit_on_a_build_with_ricochet():
    # melee_ac + extra_attack, ricochet: accuracy 6 + 4 - 4 = 6, damage 2. d20 10 hits (16) without a
    # crit: (5,5,5) 15 + 2 - 11 = 6; the target stands, so the extra attack follows (d20 10: 6 more)
    f = Fight(["melee_ac + extra_attack, ricochet"], hp=(30, 30, 30))
    assert f.turns(dice(atk(0, 10, (5, 5, 5)), atk(1, 10, (5, 5, 5)))) == [[18, 30, 30]]
