"""The policy view's expected damage, worked by hand for attacks whose expectation has a closed
form (docs/vitality-rules.md, "Policy view"): fast enough for the mutation selection, where the
brute-force comparison of test_policy_view.py (seconds per run) is not.

Numbers of scripted.py: attacker [2,2,2,2,4] (T = 4, accuracy and damage bonus 6); Balanced
Avoidance 16, Durability 11; Tanky 14 / 13 (9 for armor_piercing). A d20 face has chance 1/20; with
reliable_accuracy the kept die is the higher of two: P(kept >= f) = 1 - ((f - 1) / 20)^2. The mean
of 3d6 exploding on 6 is 3 x 3.5 x 6/5 = 12.6, on 5-6 3 x 3.5 x 6/4 = 15.75; where the roll plus
the damage modifiers never falls below Durability (the smallest roll is 3), the expected damage of
a hit is that mean plus the modifiers minus Durability. The view truncates the roll at 90, which
drops about 2e-4 of expected damage when dice explode on 5-6 (about 1e-8 on 6 only): the
tolerances below allow for it, while one point of any rule number moves a figure by 0.05 or more.
"""

from __future__ import annotations

import pytest

from balance.grid import Buff

from .scripted import TANKY, Fight

D10 = Buff("b", damage=10)


def view(builds, hp=(100,), turn=1, fallback=False, **kw):
    f = Fight(builds, hp=hp, **kw)
    return f, f.kernel.policy_view(f.st, turn, fallback).expected[0].tolist()


@pytest.mark.parametrize("build,buff,profile,expected", [
    # direct_damage: auto-hit, no crit, flat 15 - T = 11: 11 + 6 - 11 = 6
    ("direct_damage", Buff("none"), None, 6.0),
    # high_impact: hits on 10+ (11 faces), flat 15: 15 + 6 - 11 = 10; the 20 crits: 14
    ("ranged + high_impact", Buff("none"), None, 10 / 20 * 10 + 1 / 20 * 14),
    # exploding 3d6 with buff damage 10: 12.6 + 16 - 11 on 10..19, + T on 20
    ("ranged", D10, None, 11 / 20 * 17.6 + 1 / 20 * 4),
    # critical_effect (-3 damage): 15.75 + 13 - 11
    ("ranged + critical_effect", D10, None, 11 / 20 * 17.75 + 1 / 20 * 4),
    # reliable_accuracy (accuracy 3): hits when the kept die is 13+; crit when it is 20
    ("ranged + reliable_accuracy", D10, None, (1 - (12 / 20) ** 2) * 17.6 + (1 - (19 / 20) ** 2) * 4),
    # powerful_critical: crits on 15..20 for +2T
    ("ranged + powerful_critical", D10, None, 11 / 20 * 17.6 + 6 / 20 * 8),
    # overhit with buff accuracy 3 and damage 10: hits on 7+; margin d20 - 7 >= 12 on 19 and 20: +6
    ("ranged + overhit", Buff("b", accuracy=3, damage=10), None, 14 / 20 * 17.6 + 2 / 20 * 6 + 1 / 20 * 4),
    # brutal on a flat 15 with buff damage 20: 41 > 11 + 20: +5 -> 35; the crit 45: +7 -> 41
    ("ranged + brutal, high_impact", Buff("b", damage=20), None, 10 / 20 * 35 + 1 / 20 * 41),
    # the same with buff damage 21: 42 > 31: +floor(11 / 2) = 5 -> 36; the crit 46: +7 -> 42
    ("ranged + brutal, high_impact", Buff("b", damage=21), None, 10 / 20 * 36 + 1 / 20 * 42),
    # a flat 15 against Durability 11 + 20 (buff): 21 - 31 < 0, no damage, crit or not
    ("ranged + high_impact", Buff("b", durability=20), None, 0.0),
    # dice against Durability 111: no roll the view keeps (up to 90) gets through
    ("ranged", Buff("b", durability=100), None, 0.0),
    # armor_piercing against Tanky: accuracy 5 hits 14 on 9+; Durability 9: 15 + 6 - 9 = 12, crit 16
    ("ranged + armor_piercing, high_impact", Buff("none"), TANKY, 11 / 20 * 12 + 1 / 20 * 16),
    # power_attack on melee_ac (accuracy 6, damage 10 + 10): hits on 10+: 12.6 + 20 - 11
    ("melee_ac + power_attack", D10, None, 11 / 20 * 21.6 + 1 / 20 * 4),
])
def test_expected_damage_of_one_strike(build, buff, profile, expected):
    kw = {"profile": profile} if profile else {}
    _, got = view([build], buff=buff, **kw)
    assert got == [pytest.approx(expected, abs=1e-3 if "critical_effect" in build else 1e-6)]


@pytest.mark.parametrize("build,expected", [
    # barrage (accuracy 2, damage -2 + 10): hits on 14+: 12.6 - 3 = 9.6 per hit, 3 strikes
    ("melee_ac + barrage", 3 * (7 / 20 * 9.6 + 1 / 20 * 4)),
    # extra_attack (accuracy 6, damage 12): hits on 10+ (p = 11/20): x (1 + p)
    ("melee_ac + extra_attack", (11 / 20 * 13.6 + 1 / 20 * 4) * (1 + 11 / 20)),
    # double_tap (accuracy 10, damage 16): hits on 6+, crits on 15+ (p = 6/20): x (1 + p)
    ("melee_ac + double_tap", (15 / 20 * 17.6 + 6 / 20 * 4) * (1 + 6 / 20)),
    # ricochet: x (1 + 2p)
    ("melee_ac + ricochet", (15 / 20 * 17.6 + 6 / 20 * 4) * (1 + 2 * 6 / 20)),
    # explosive_critical (accuracy 2, damage 8): hits on 14+, crits on 15+: x (1 + p)
    ("melee_ac + explosive_critical", (7 / 20 * 9.6 + 6 / 20 * 4) * (1 + 6 / 20)),
])
def test_follow_up_multiplier(build, expected):
    _, got = view([build], buff=D10)
    assert got == [pytest.approx(expected, abs=1e-6)]


def test_slayer_only_against_its_max_hp():
    # minion_slayer against (10, 25): +T to both rolls at the minion (hits on 6+, 12.6 + 20 - 11),
    # nothing at the captain (hits on 10+, 12.6 + 16 - 11). The view caps a single-target attack by
    # the first standing enemy's HP, so the enemies are given 100 HP now (their max HP stays).
    f, _ = view(["ranged + minion_slayer"], hp=(10, 25), buff=D10)
    f.st.hp[0] = [100, 100]
    assert f.kernel.policy_view(f.st, 1, False).expected[0].tolist() == [
        pytest.approx(15 / 20 * 21.6 + 1 / 20 * 4, abs=1e-6)]
    f.st.hp[0] = [0, 100]
    f.st.first[0] = 1
    assert f.kernel.policy_view(f.st, 1, False).expected[0].tolist() == [
        pytest.approx(11 / 20 * 17.6 + 1 / 20 * 4, abs=1e-6)]


def test_single_target_capped_by_the_first_standing_enemy():
    # direct_damage deals 6 for sure; 3 HP left: 3
    _, got = view(["direct_damage"], hp=(3, 100))
    assert got == [3.0]


def test_area_sums_over_standing_enemies_each_capped():
    # direct_area_damage: flat 15 - 2T = 7: 7 + 6 - 11 = 2 at each standing enemy; 1 HP caps one
    f, got = view(["direct_area_damage", "direct_damage"], hp=(1, 30, 30))
    assert got == [pytest.approx(5.0), 1.0]
    f.st.hp[0] = [0, 30, 1]
    f.st.first[0] = 1
    assert f.kernel.policy_view(f.st, 1, False).expected[0].tolist() == [pytest.approx(3.0), 6.0]


def test_area_expectation_per_enemy_with_a_slayer():
    # area + minion_slayer (accuracy and damage 2 + 10 buff): the minion +T: hits on 10+ (16), 12.6 + 16 - 11;
    # the captain: hits on 14+, 12.6 + 12 - 11; each + T on a 20
    f, got = view(["area + minion_slayer"], hp=(10, 25), buff=D10)
    f.st.hp[0] = [100, 100]
    got = f.kernel.policy_view(f.st, 1, False).expected[0].tolist()
    assert got == [pytest.approx(11 / 20 * 17.6 + 1 / 20 * 4 + 7 / 20 * 13.6 + 1 / 20 * 4, abs=1e-6)]


def test_a_charge_up_half_charged_expects_its_full_damage_next_turn():
    # charge_up: 18 (above) once the charging turn is spent; the view also carries each lane's HP
    # and turn for the policies
    f = Fight(["direct_damage [charge_up]"], hp=(100, 50))
    f.step()
    v = f.kernel.policy_view(f.st, 2, False)
    assert v.expected.tolist() == [[pytest.approx(18.0)]] and v.hp.tolist() == [[100, 50]] and v.turn == 2


def test_limits_bonus_chance_and_charge():
    # unreliable_1 (+T, usable when a d20 shows 5+: 16/20): direct_damage 11 + 6 + 4 - 11 = 10, x 0.8
    # charge_up (+3T): 11 + 6 + 12 - 11 = 18, spread over the turn it charges and the turn it fires
    # quickdraw (+4T on turns 1-2): 11 + 6 + 16 - 11 = 22
    _, got = view(["direct_damage [unreliable_1]", "direct_damage [charge_up]", "direct_damage [quickdraw]"])
    assert got == [pytest.approx(8.0), pytest.approx(9.0), pytest.approx(22.0)]


def test_fallback_view_reads_the_basic_attack():
    # the basic attack of direct_damage [quickdraw] is plain direct_damage: 6, not 22; of
    # ranged + high_impact, plain ranged with buff damage 10: 11/20 x 17.6 + 1/20 x 4
    _, got = view(["direct_damage [quickdraw]", "ranged + high_impact"], buff=D10, fallback=True)
    assert got == [pytest.approx(16.0), pytest.approx(11 / 20 * 17.6 + 1 / 20 * 4)]


def test_channeled_view_adds_half_its_current_bonus():
    # The view's channeled term (docs/vitality-rules.md, "Policy view"): half the bonus the attack
    # would have now, (n - 3) x T capped at 5T, on top of the strike without it (direct_damage: 6).
    f, got = view(["direct_damage + channeled"])
    assert got == [pytest.approx(6 - 0.5 * 3 * 4)]
    for made, bonus in ((4, 1 * 4), (8, 5 * 4), (12, 5 * 4)):
        f.st.chan[0, 0] = made
        assert f.kernel.policy_view(f.st, 1, False).expected[0].tolist() == [pytest.approx(6 + 0.5 * bonus)]


def test_view_of_some_lanes_across_two_cells():
    """Three lanes, two cells (Balanced and Tanky, one enemy of 100 HP, buff damage 10), two slots
    each. direct_damage: 11 + 16 - 11 = 16 (Tanky: 14). ranged + high_impact: Balanced hits on 10+,
    15 + 16 - 11 = 20 (crit 24); Tanky (Avoidance 14) hits on 8+, 18 (crit 22). The basic attack of
    ranged + high_impact is ranged: 12.6 + 16 - 11 on 10..19 (Tanky: 12.6 + 16 - 13 on 8..19), +T on 20."""
    import numpy as np

    from balance.builds import parse_build
    from balance.grid import Cell, Profile, Scenario
    from balance_rules.vitality.kernel import VitalityKernel

    from .scripted import ATTACKER, BALANCED

    kernel = VitalityKernel()
    table = kernel.compile([parse_build("direct_damage"), parse_build("ranged + high_impact")], ATTACKER)
    cells = [Cell(0, Profile("a", BALANCED), D10, Scenario("s", (100,))),
             Cell(1, Profile("b", TANKY), D10, Scenario("s", (100,)))]
    st = kernel.start(table, cells, np.array([0, 1, 0]), np.array([[0, 1], [1, 0], [1, 1]]))
    hi_b, hi_t = 10 / 20 * 20 + 1 / 20 * 24, 12 / 20 * 18 + 1 / 20 * 22
    plain_b, plain_t = 11 / 20 * 17.6 + 1 / 20 * 4, 13 / 20 * 15.6 + 1 / 20 * 4
    full = kernel.policy_view(st, 1, False).expected
    assert np.allclose(full, [[16, hi_b], [hi_t, 14], [hi_b, hi_b]], rtol=0, atol=1e-6)
    some = kernel.policy_view(st, 1, False, np.array([2, 1])).expected
    assert np.allclose(some, [[hi_b, hi_b], [hi_t, 14]], rtol=0, atol=1e-6)
    fb = kernel.policy_view(st, 1, True, np.array([2, 1])).expected
    assert np.allclose(fb, [[plain_b, plain_b], [plain_t, 14]], rtol=0, atol=1e-6)


def _die(lo: int, top: int):
    """P(one d6 exploding on lo..6 totals v), v = 0..top, by the recursion v = face or face + more."""
    p = [0.0] * (top + 1)
    for v in range(1, top + 1):
        p[v] = sum((1.0 if f == v and f < lo else 0.0) + (p[v - f] if f >= lo and v > f else 0.0) for f in range(1, 7)) / 6
    return p


@pytest.mark.parametrize("lo", [6, 5])
def test_the_views_exploding_3d6_distribution(lo):
    """The view's damage-roll distribution (computed once at import, so called here directly):
    3d6 each exploding on ``lo``..6, truncated at 90, equals the convolution of three dice worked
    by recursion here (to 1e-12: the view's chains stop after 30 explosions)."""
    import numpy as np

    from balance_rules.vitality.kernel_policy import _exploding_pmf, _tails

    die = np.array(_die(lo, 90))
    expected = np.convolve(np.convolve(die, die)[:91], die)[:91]
    got = _exploding_pmf(lo)
    assert got.shape == (91,) and np.abs(got - expected).max() < 1e-12
    # its tails: T0[t + 1] = P(v > t) (the mass past 90 counted above t), T1[t + 1] = E[v; v > t]
    t0, t1 = _tails(expected)
    v = np.arange(91)
    for t in (-1, 0, 2, 3, 10, 17, 40, 89):
        assert abs(t0[t + 1] - (1 - expected[v <= t].sum())) < 1e-12
        assert abs(t1[t + 1] - (v * expected)[v > t].sum()) < 1e-9


def test_area_view_of_several_lanes_and_a_cell_seen_before_with_fewer_enemies():
    """direct_area_damage deals 2 to each standing Balanced enemy, capped by its HP. The kernel
    first views cell X (two enemies) alone, then a batch of X and Y (three enemies): X's cached
    numbers are reused with the third position empty. Lane 0 (X): 2 + 2; lane 1 (Y, 30/30/1):
    2 + 2 + 1; lane 2 (Y, left at 1/1/0): 1 + 1; lane 3 (Z, one enemy, the rest of its row empty): 2."""
    import numpy as np

    from balance.builds import parse_build
    from balance.grid import Cell, Profile, Scenario
    from balance_rules.vitality.kernel import VitalityKernel

    from .scripted import ATTACKER, BALANCED

    kernel = VitalityKernel()
    table = kernel.compile([parse_build("direct_area_damage")], ATTACKER)
    x = Cell(0, Profile("p", BALANCED), Buff("none"), Scenario("x", (30, 30)))
    y = Cell(1, Profile("p", BALANCED), Buff("none"), Scenario("y", (30, 30, 1)))
    alone = kernel.start(table, [x], np.zeros(1, dtype=np.intp), np.zeros((1, 1), dtype=np.intp))
    assert kernel.policy_view(alone, 1, False).expected.tolist() == [[pytest.approx(4.0)]]
    z = Cell(2, Profile("p", BALANCED), Buff("none"), Scenario("z", (30,)))
    st = kernel.start(table, [x, y, z], np.array([0, 1, 1, 2]), np.zeros((4, 1), dtype=np.intp))
    st.hp[2] = [1, 1, 0]
    got = kernel.policy_view(st, 1, False).expected
    assert np.allclose(got, [[4.0], [5.0], [2.0], [2.0]], rtol=0, atol=1e-9)


def test_a_flat_roll_of_1_at_tier_7():
    # attacker [2,2,2,2,7]: damage bonus 9; direct_area_damage rolls a flat 15 - 2T = 1:
    # 1 + 9 + 10 (buff) - 11 = 9 for sure
    _, got = view(["direct_area_damage"], attacker=(2, 2, 2, 2, 7), buff=D10)
    assert got == [pytest.approx(9.0)]


def _brutal_expectation(lo, base, dur, T=4):
    """E[damage] of a dice hit with modifiers ``base`` and brutal, over 3d6 exploding on ``lo``..6
    (the recursion above, to 90): excess = roll + base - (dur + 5T); if > 0, + floor(excess / 2)."""
    import numpy as np

    die = np.array(_die(lo, 90))
    pmf = np.convolve(np.convolve(die, die)[:91], die)[:91]
    total = 0.0
    for v in range(91):
        pre = v + base
        excess = pre - (dur + 5 * T)
        if excess > 0:
            pre += excess // 2
        total += pmf[v] * max(pre - dur, 0)
    return total


@pytest.mark.parametrize("build,buff,damage,lo", [
    ("ranged + brutal", 20, 26, 6), ("ranged + brutal, critical_effect", 20, 23, 5), ("ranged + brutal", 0, 6, 6)])
def test_brutal_on_a_dice_roll(build, buff, damage, lo):
    # damage modifiers 6 + the buff's (critical_effect: -3), + T on the crit; hits on 10..19 and
    # crits on 20 (accuracy 6 against 16); Durability 11. Without a buff, low rolls deal 0.
    _, got = view([build], buff=Buff("b", damage=buff))
    expected = 10 / 20 * _brutal_expectation(lo, damage, 11) + 1 / 20 * _brutal_expectation(lo, damage + 4, 11)
    assert got == [pytest.approx(expected, abs=1e-9)]
