"""The kernel's dice decoding: d20 faces, exploding 3d6 means (6 -> 12.6; 5-6 -> 15.75)."""

from __future__ import annotations

import numpy as np
import pytest

from balance.engine.dice import Dice, lane_keys, turn_keys
from balance_rules.vitality.kernel_dice import EXPLODE, d20, encode, exploding_3d6, slot

N = 200_000


@pytest.mark.parametrize("on5,mean", [(0, 12.6), (1, 15.75)])
def test_exploding_3d6_mean(on5, mean):
    dice = Dice(turn_keys(lane_keys(9, 0, 0, np.arange(N)), 1))
    raw = dice.raw(77)
    x = exploding_3d6(raw, on5, dice, lambda r: slot(EXPLODE, 0, r), np.arange(N))
    se = x.std() / np.sqrt(N)
    assert abs(x.mean() - mean) < 5 * se
    assert x.min() == 3


def test_encode_round_trips():
    raw = np.array([encode(17, (2, 6, 3), (6, 1, 1), (4, 2, 2))], dtype=np.uint64)
    assert d20(raw).tolist() == [17]

    class NoMoreDice:
        def raw(self, slot, idx=None):
            return np.array([encode(1, (1, 1, 1))] * len(idx), dtype=np.uint64)

    # 2 + 6 + 3; the one live chain reads the first die of each round: +6 (explodes again) +4 -> 21
    assert exploding_3d6(raw, 0, NoMoreDice(), lambda r: slot(EXPLODE, 0, r), np.arange(1)).tolist() == [21]


def _three_d6(q: int) -> tuple[int, int, int]:
    """Digit q of base 216 read as three d6: q = (d1 - 1) + 6 (d2 - 1) + 36 (d3 - 1)."""
    return q % 6 + 1, q // 6 % 6 + 1, q // 36 + 1


def test_the_round_tables_hold_each_rounds_sum_and_exploding_dice():
    """For each reading q of three d6 and each number m of chains still alive: the sum of the first
    m dice, and how many of them explode (a 6; with critical_effect a 5 or 6), worked die by die."""
    from balance_rules.vitality.kernel_dice import _packed_tables, _tables

    sums, live = _tables()
    rnd, first2 = _packed_tables()
    assert sums.shape == live.shape == (2, 4, 216) and rnd.shape == (2, 4 * 216)
    for e, lowest in ((0, 6), (1, 5)):
        for m in range(4):
            for q in range(216):
                dice = _three_d6(q)[:m]
                assert (sums[e, m, q], live[e, m, q]) == (sum(dice), sum(d >= lowest for d in dice))
                assert rnd[e, m * 216 + q] == sum(dice) * 4 + sum(d >= lowest for d in dice)


def test_the_first_two_rounds_table_adds_the_first_explosion_round():
    """FIRST2: three d6 (reading q0), then one die for each that exploded, from reading q1."""
    from balance_rules.vitality.kernel_dice import _packed_tables

    _, first2 = _packed_tables()
    assert first2.shape == (2, 216 * 216)
    for e, lowest in ((0, 6), (1, 5)):
        for q0 in range(0, 216, 7):
            first = _three_d6(q0)
            alive = sum(d >= lowest for d in first)
            for q1 in range(216):
                again = _three_d6(q1)[:alive]
                want = (sum(first) + sum(again)) * 4 + sum(d >= lowest for d in again)
                assert first2[e, q0 * 216 + q1] == want


def test_decoders_read_the_raw_bits_as_the_rules_dice():
    """d20 from the high 32 bits, three d6 as base-216 digits of the low 32 bits, and the chain of
    digits that gives the first explosion rounds without another draw."""
    from balance_rules.vitality.kernel_dice import d216, d216_chain

    for face in range(1, 21):
        raw = np.array([encode(face, (1, 1, 1))], dtype=np.uint64)
        assert d20(raw).tolist() == [face]
    rolls = [(2, 6, 3), (6, 1, 1), (4, 2, 5)]
    raw = np.array([encode(9, *rolls)], dtype=np.uint64)
    qs = [(a - 1) + 6 * (b - 1) + 36 * (c - 1) for a, b, c in rolls]
    assert d216(raw).tolist() == [qs[0]]
    assert [int(x[0]) for x in d216_chain(raw, 3)] == qs
    assert slot(3, 2, 5) == (3 << 24) | (2 << 12) | 5


def test_exploding_on_five_per_lane_and_on_six():
    """Per-lane explode_on_5: the same raw bits are 5 + 5 + 1 = 11 with dice exploding on 6 only,
    and with 5-6 the two fives explode: + 2 + 3 from the next round's first two dice, 16."""
    raw = np.array([encode(1, (5, 5, 1), (2, 3, 1))] * 2, dtype=np.uint64)

    class NoMoreDice:
        def raw(self, slot, idx=None):
            return np.array([encode(1, (1, 1, 1))] * len(idx), dtype=np.uint64)

    got = exploding_3d6(raw, np.array([0, 1]), NoMoreDice(), lambda r: slot(EXPLODE, 0, r), np.arange(2))
    assert got.tolist() == [11, 16]
    assert exploding_3d6(raw[:1], 1, NoMoreDice(), lambda r: slot(EXPLODE, 0, r), np.arange(1)).tolist() == [16]


def test_hashed_rounds_read_each_lanes_own_slot_round_by_round():
    """Chains alive after the two inline rounds draw hashed dice from slot (EXPLODE, strike, round)
    of their own lane: round 3, then 4, ... Two lanes with strike numbers 0 and 1 (an array of slots,
    as follow-up strikes pass) and explode_on_5 per lane (0, 1).

    Lane 0 (6 only): 6 1 1 = 8; round 1 reads 6 (+6, alive); round 2 reads 6 (+6, alive); round 3
    (hashed, strike 0) reads 6 (+6, alive); round 4 reads 2 (+2): 28.
    Lane 1 (5-6): 5 5 1 = 11; round 1 reads 5 1 (+6, one alive); round 2 reads 5 (+5, alive); round 3
    (hashed, strike 1) reads 2 (+2): 24."""
    raw = np.array([encode(1, (6, 1, 1), (6, 1, 1), (6, 1, 1)), encode(1, (5, 5, 1), (5, 1, 1), (5, 1, 1))],
                   dtype=np.uint64)
    faces = {(0, 3): (6, 1, 1), (0, 4): (2, 1, 1), (1, 3): (2, 1, 1)}
    asked = []

    class ScriptedDice:
        def raw(self, slots, idx):
            slots = np.broadcast_to(slots, np.shape(idx))
            out = []
            for s, lane in zip(slots.tolist(), np.asarray(idx).tolist()):
                strike, rnd = (s >> 12) & 0xFFF, s & 0xFFF
                assert s >> 24 == EXPLODE and strike == lane  # each lane's own strike number
                asked.append((lane, rnd))
                out.append(encode(1, faces.get((lane, rnd), (1, 1, 1))))
            return np.array(out, dtype=np.uint64)

    strikes = np.array([0, 1])
    got = exploding_3d6(raw, np.array([0, 1]), ScriptedDice(), lambda r: slot(EXPLODE, strikes, r), np.arange(2))
    assert got.tolist() == [28, 24]
    assert asked == [(0, 3), (1, 3), (0, 4)]
