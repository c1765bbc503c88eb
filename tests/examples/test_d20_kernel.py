"""The d20 kernel's rules with scripted dice (balance.engine.FixedDice): critical hits double the
dice, a natural 1 always misses, a save halves the burst, opening_strike expires after turn 2."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from balance.builds import Build
from balance.engine import FixedDice
from balance.grid import Buff, Cell, Profile, Scenario
from tests.examples.conftest import EXAMPLES

ATTACKER = (5, 3, 3, 3, 15, 0)  # level 5 (proficiency 3), str/dex/int 3


@pytest.fixture(scope="module")
def d20():
    sys.path.insert(0, str(EXAMPLES / "d20_rules"))
    try:
        from balance_d20 import kernel

        yield kernel
    finally:
        sys.path.remove(str(EXAMPLES / "d20_rules"))


def raw_for(value: int, sides: int) -> int:
    """Raw bits that the kernel reads as ``value`` on a die with ``sides`` faces."""
    return (((value - 1) << 32) + sides - 1) // sides << 32


def cell(hp, ac=15, dr=0, dex=0, level=4):
    return Cell(0, Profile("P", (level, 0, dex, 0, ac, dr)), Buff("No Buffs"), Scenario("S", tuple(hp)))


def one_turn(d20, build, c, dice_values, lanes=1):
    k = d20.D20Kernel()
    table = k.compile([build], ATTACKER)
    st = k.start(table, [c], np.zeros(lanes, dtype=np.intp), np.zeros((lanes, 1), dtype=np.intp))
    dice = FixedDice(lanes, dice_values, default=raw_for(1, 20))
    k.act(st, np.zeros(lanes, dtype=np.int64), np.zeros(lanes, dtype=bool), dice, 1)
    return st, k.end_turn(st, dice, 1)


def test_natural_20_doubles_the_dice(d20):
    s = d20.slot
    six = raw_for(4, 6)
    values = {s(d20.ATTACK): raw_for(20, 20), **{s(d20.DAMAGE, 0, i): six for i in range(4)}}
    st, done = one_turn(d20, Build("melee"), cell([100], dr=1), values)
    assert st.hp.tolist() == [[100 - (4 * 4 + 3 - 1)]]  # 4d6 (doubled 2d6) of 4s + str 3 - dr 1
    assert done.tolist() == [False]


def test_natural_1_misses_whatever_the_bonus(d20):
    s = d20.slot
    values = {s(d20.ATTACK): raw_for(1, 20), s(d20.DAMAGE, 0, 0): raw_for(6, 6), s(d20.DAMAGE, 0, 1): raw_for(6, 6)}
    st, _ = one_turn(d20, Build("melee", ["weapon_focus"]), cell([30], ac=2), values)
    assert st.hp.tolist() == [[30]]


def test_hit_and_miss_against_armour_class(d20):
    s = d20.slot
    # to hit: d20 + proficiency 3 + str 3; a 9 makes 15 (hits AC 15), an 8 makes 14 (misses)
    for nat, hit in ((9, True), (8, False)):
        values = {s(d20.ATTACK): raw_for(nat, 20), s(d20.DAMAGE, 0, 0): raw_for(2, 6), s(d20.DAMAGE, 0, 1): raw_for(5, 6)}
        st, _ = one_turn(d20, Build("melee"), cell([30]), values)
        assert st.hp.tolist() == [[30 - (2 + 5 + 3) if hit else 30]]


def test_burst_saves_halve_and_reach_three(d20):
    s = d20.slot
    # DC 8 + 3 + 3 = 14; enemy save bonus dex 2 + level 4 // 2 = 4: a 10 saves, a 9 fails
    values = {s(d20.DAMAGE, 0, 0): raw_for(6, 6), s(d20.SAVE, 0, 0): raw_for(10, 20), s(d20.SAVE, 0, 1): raw_for(9, 20),
              s(d20.SAVE, 0, 2): raw_for(20, 20)}
    st, done = one_turn(d20, Build("burst"), cell([20, 20, 20, 20], dex=2), values)
    assert st.hp.tolist() == [[20 - 4, 20 - 9, 20 - 4, 20]]  # (6 + 3) // 2, 9, halved, out of reach
    assert done.tolist() == [False]


def test_cleave_strikes_the_next_enemy_after_a_kill(d20):
    s = d20.slot
    hit, six = raw_for(15, 20), raw_for(6, 6)
    values = {s(d20.ATTACK, 0): hit, s(d20.ATTACK, 1): hit, **{s(d20.DAMAGE, a, i): six for a in (0, 1) for i in (0, 1)}}
    st, done = one_turn(d20, Build("melee", ["cleave"]), cell([10, 30]), values)
    assert st.hp.tolist() == [[0, 30 - 15]] and done.tolist() == [False]
    st, done = one_turn(d20, Build("melee"), cell([10, 30]), values)
    assert st.hp.tolist() == [[0, 30]]


def test_opening_strike_expires_and_the_view_knows_kills(d20):
    k = d20.D20Kernel()
    builds = [Build("melee", limits=["opening_strike"]), Build("burst")]
    table = k.compile(builds, ATTACKER)
    st = k.start(table, [cell([5, 40])], np.zeros(2, dtype=np.intp), np.array([[0, 1], [1, 0]]))
    assert k.usable(st, 2).tolist() == [[True, True], [True, True]]
    assert k.usable(st, 3).tolist() == [[False, True], [True, False]]
    view = k.policy_view(st, 1, False)
    # melee vs a 5-HP target: it drops it whenever it hits (3d6 + 3 >= 6); burst drops it less often
    assert view.kill_chance[0, 0] > view.kill_chance[0, 1] > 0
    assert view.kill_chance[0, 0] == pytest.approx(view.kill_chance[1, 1])
    # burst reaches both enemies: more expected HP removed than the melee capped at 5
    assert view.expected[0, 1] > view.expected[0, 0] and view.expected[0, 0] <= 5


def test_refilled_batches_give_the_same_results(d20):
    """The engine refills finished lanes with fresh combats (each counting its own turns): a tiny
    batch, where that happens all the time, matches one large batch exactly. opening_strike
    (usable on turns 1-2 only) would differ if the kernel read the batch's clock."""
    from balance.engine import Simulator
    from balance.grid import Grid
    from balance_plugins.policies.expected_damage import ExpectedDamage

    builds = [Build("melee", limits=["opening_strike"]), Build("burst"), Build("melee", ["cleave"])]
    grid = Grid((Profile("A", (4, 0, 1, 0, 14, 0)), Profile("B", (6, 0, 3, 0, 17, 2))), (Buff("No Buffs"),),
                (Scenario("S", (30, 30)), Scenario("T", (12, 12, 12))))
    cand = np.array([[0, 1], [1, 2], [0, 2], [2, 0]])
    runs = [Simulator(d20.D20Kernel(), builds, grid, ATTACKER, 60, ExpectedDamage(), lanes_per_batch=w)
            .run(cand, 12, seed=4) for w in (16384, 13)]
    assert np.array_equal(runs[0].turn_sum, runs[1].turn_sum)
    assert np.array_equal(runs[0].uses, runs[1].uses)
