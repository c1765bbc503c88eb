"""The counter-based dice of :mod:`balance.engine.dice`, compiled (numba) for kernels that run whole
combats in a compiled loop.

Same formulas, same bits: ``turn_key(lane_key, turn)`` is :func:`balance.engine.dice.turn_keys` and
``die(turn_key, slot)`` is :meth:`balance.engine.dice.Dice.raw` for one lane, so a compiled kernel and
a numpy one read identical dice. Every operand is uint64 (numba would turn a uint64 mixed with a
signed int into a float).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from balance.engine.dice import _C1, _C2, _S27, _S30, _S31
from balance.engine.dice import GAMMA as _GAMMA
from balance.engine.dice import GAMMA_TURN as _GAMMA_TURN


@njit(cache=True, nogil=True, inline="always")
def mix(z):
    """SplitMix64 finaliser of one uint64."""
    z = z ^ (z >> _S30)
    z = z * _C1
    z = z ^ (z >> _S27)
    z = z * _C2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True, inline="always")
def turn_key(lane_key, turn):
    """The key of a lane's dice on its turn ``turn`` (an int >= 1)."""
    return mix(lane_key + np.uint64(turn) * _GAMMA_TURN)


@njit(cache=True, nogil=True, inline="always")
def die(key, slot):
    """The 64 raw bits of die ``slot`` (a non-negative int) under the turn key ``key``."""
    return mix(key + np.uint64(slot) * _GAMMA)
