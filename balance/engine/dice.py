"""Counter-based dice: every die is a pure function of its key, never of a generator's history.

A die's 64 raw bits are ``mix(turn_key + slot * GAMMA)`` where

    turn_key = mix(lane_key + turn * GAMMA_TURN)
    lane_key = mix(cell_key + mix(run + 1))
    cell_key = mix(mix(seed) ^ mix(stream + 1) * 3 + cell)      (see :func:`cell_key`)

so a die depends only on (master seed, stream, cell index, run index, turn, slot). It does not
depend on the candidate, the batch, the lane's position or the worker, which gives identical
results for any batch size or candidate order and common random numbers across the candidates
of a cell and run. ``mix`` is the SplitMix64 finaliser, vectorised over numpy uint64 arrays
(multiplication wraps modulo 2**64, which is what the mixer wants).

A *slot* is an integer the rule kernel chooses to name a die's role (whose roll, which strike,
which target, which explosion). The engine never interprets slots or bits: the kernel turns raw
bits into d20s, d6s or whatever its game needs.
"""

from __future__ import annotations

import numpy as np

_M64 = (1 << 64) - 1
_GAMMA_INT = 0x9E3779B97F4A7C15
_GAMMA_TURN_INT = 0xD1B54A32D192ED03
GAMMA = np.uint64(_GAMMA_INT)
GAMMA_TURN = np.uint64(_GAMMA_TURN_INT)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser of a uint64 array (returns a new array; the input is not modified)."""
    z = z ^ (z >> _S30)
    z *= _C1
    z ^= z >> _S27
    z *= _C2
    z ^= z >> _S31
    return z


def mix_int(x: int) -> int:
    """The same finaliser on one Python int (for keys derived once per batch)."""
    z = x & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def cell_key(seed: int, stream: int, cell: int) -> int:
    """The key of one (seed, stream, cell); ``stream`` gives fresh dice for the same cells."""
    return mix_int((mix_int(seed) ^ (mix_int(stream + 1) * 3)) + cell)


def lane_keys(seed: int, stream: int, cell: int, runs: np.ndarray) -> np.ndarray:
    """uint64 key of each lane from its run index (an int array); candidates do not enter."""
    ck = np.uint64(cell_key(seed, stream, cell))
    return mix(ck + mix(np.asarray(runs, dtype=np.uint64) + np.uint64(1)))


def turn_keys(keys: np.ndarray, turn) -> np.ndarray:
    """The keys of each lane's dice on ``turn`` (an int, or an int array: each lane's own turn)."""
    if isinstance(turn, (int, np.integer)):
        return mix(keys + np.uint64((int(turn) * _GAMMA_TURN_INT) & _M64))
    # uint64 products wrap modulo 2**64, which is what the int branch computes by hand.
    return mix(keys + np.asarray(turn).astype(np.uint64) * GAMMA_TURN)


class Dice:
    """The dice of one turn for the active lanes of a batch.

    ``raw(slot, idx)`` gives the 64 raw bits of die ``slot`` for the lanes ``idx`` (an index array,
    or ``None`` for every active lane). ``slot`` may be an int or an int array (one slot per lane).
    """

    __slots__ = ("keys",)

    def __init__(self, keys: np.ndarray):
        self.keys = keys

    def raw(self, slot, idx=None) -> np.ndarray:
        k = self.keys if idx is None else self.keys.take(idx, mode="wrap")  # see lanes_np.gather
        if isinstance(slot, (int, np.integer)):
            return mix(k + np.uint64((int(slot) * _GAMMA_INT) & _M64))
        return mix(k + np.asarray(slot).astype(np.uint64) * GAMMA)


class FixedDice:
    """Scripted dice for tests: ``values`` maps a slot to raw bits (an int, or an array over all
    lanes); any other slot gives ``default``. Has the same ``raw`` method as :class:`Dice`."""

    def __init__(self, lanes: int, values: dict | None = None, default: int = 0):
        self.lanes = lanes
        self.values = dict(values or {})
        self.default = default

    def _one(self, slot: int) -> np.ndarray:
        v = self.values.get(int(slot), self.default)
        return np.broadcast_to(np.asarray(v, dtype=np.uint64), (self.lanes,))

    def raw(self, slot, idx=None) -> np.ndarray:
        lanes = np.arange(self.lanes) if idx is None else np.asarray(idx)
        if isinstance(slot, (int, np.integer)):
            return self._one(slot)[lanes].copy()
        slots = np.broadcast_to(np.asarray(slot), lanes.shape)
        out = np.empty(lanes.shape, dtype=np.uint64)
        for i, (s, lane) in enumerate(zip(slots.tolist(), lanes.tolist())):
            out[i] = self._one(s)[lane]
        return out
