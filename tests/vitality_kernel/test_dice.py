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
