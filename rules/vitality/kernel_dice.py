"""How the Vitality kernel names its dice (slots) and reads them from the engine's raw bits.

One raw 64-bit draw gives a d20 (high 32 bits) and three d6 (low 32 bits read as a d216, whose
base-6 digits are the three dice), so a whole attack roll costs one hash. Multiplying 32 bits by
n and keeping the high part gives a die with bias below n / 2**32.

Slots: ``role << 24 | strike << 12 | sub``. ``strike`` numbers the strikes of a turn in the order
they are resolved (0 = the main strike); ``sub`` is the target position (area attacks roll
accuracy per target; the shared damage roll comes from sub 0) or the explosion round.
"""

from __future__ import annotations

import numpy as np

from balance.engine.lanes_np import gather

ATTACK, ADVANTAGE, EXPLODE, UNRELIABLE, RETALIATION, RETALIATION_EXPLODE = 1, 2, 3, 4, 5, 6

_M32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_N20 = np.uint64(20)
_N216 = np.uint64(216)


def slot(role: int, strike=0, sub=0):
    """The slot of a die (``strike``/``sub`` may be int arrays)."""
    return (role << 24) | (strike << 12) | sub


def d20(raw: np.ndarray) -> np.ndarray:
    """1..20 from the high 32 bits."""
    return ((raw >> _S32) * _N20 >> _S32).astype(np.int32) + 1


def d216(raw: np.ndarray) -> np.ndarray:
    """0..215 from the low 32 bits: digits base 6 are three d6 minus one."""
    return ((raw & _M32) * _N216 >> _S32).astype(np.intp)


def d216_chain(raw: np.ndarray, n: int) -> list[np.ndarray]:
    """``n`` successive d216 from the low 32 bits read as a base-216 fraction (arithmetic decoding):
    the first is :func:`d216`; the others give the first explosion rounds without another hash.
    Bias stays below 216**(i+1) * 8**i / 2**32 for digit i (< 3e-6 for i <= 2)."""
    x = raw & _M32
    out = []
    for _ in range(n):
        x = x * _N216
        out.append((x >> _S32).astype(np.intp))
        x &= _M32
    return out


def encode(d20_value: int = 1, d6s: tuple[int, int, int] = (1, 1, 1), *explosions: tuple[int, int, int]) -> int:
    """Raw bits that read back as the given d20 and three d6, and (optionally) the dice of the
    first explosion rounds (for scripted test dice; up to :data:`INLINE_ROUNDS` rounds)."""
    hi = ((d20_value - 1) * (1 << 32) + 19) // 20
    digits = [d6s, *explosions]
    n = 0
    for d in digits:
        n = n * 216 + (d[0] - 1) + 6 * (d[1] - 1) + 36 * (d[2] - 1)
    lo = -(-(n << 32) // 216 ** len(digits))
    return (hi << 32) | lo


#: Explosion rounds read from the attack's own raw bits before drawing hashed dice.
INLINE_ROUNDS = 2


def _tables():
    q = np.arange(216)
    digits = np.stack([q % 6, (q // 6) % 6, q // 36], axis=1) + 1  # (216, 3)
    # [explode_on_5, live_chains m, q] -> sum of the first m dice, and how many of them explode
    sums = np.zeros((2, 4, 216), dtype=np.int32)
    live = np.zeros((2, 4, 216), dtype=np.int32)
    for e, lo in enumerate((6, 5)):
        for m in range(4):
            sums[e, m] = digits[:, :m].sum(1)
            live[e, m] = (digits[:, :m] >= lo).sum(1)
    return sums, live


SUMS, LIVE = _tables()


def _packed_tables():
    """Lookup tables of ``sum * 4 + live`` (live chains fit in 2 bits).

    ``ROUND[e, m * 216 + q]``: one round for m live chains reading d216 ``q``;
    ``FIRST2[e, q0 * 216 + q1]``: the initial three dice and the first explosion round together.
    """
    rnd = (SUMS * 4 + LIVE).reshape(2, 4 * 216).astype(np.int32)
    q0 = np.repeat(np.arange(216), 216)
    q1 = np.tile(np.arange(216), 216)
    first2 = np.empty((2, 216 * 216), dtype=np.int32)
    for e in range(2):
        v0 = rnd[e, 3 * 216 + q0]
        v1 = rnd[e, (v0 & 3) * 216 + q1]
        first2[e] = ((v0 >> 2) + (v1 >> 2)) * 4 + (v1 & 3)
    return rnd, first2


ROUND, FIRST2 = _packed_tables()
_ROUND_FLAT, _FIRST2_FLAT = ROUND.ravel(), FIRST2.ravel()
_N46656 = np.uint64(216 * 216)


def exploding_3d6(raw: np.ndarray, explode_on_5, dice, slots_of_round, idx=None) -> np.ndarray:
    """3d6 where each die explodes (rolls again and adds) on 6, or on 5-6 where ``explode_on_5``.

    ``raw`` holds each lane's attack bits: the first three d216 of its base-216 chain (see
    :func:`d216_chain`) are the initial dice and the first two explosion rounds, computed for every
    lane with two table lookups; chains still alive after that draw hashed dice:
    ``slots_of_round(r)`` gives the slot(s) of round r (3, 4, ...) and ``idx`` the engine lanes the
    rows of ``raw`` belong to.
    """
    x = (raw & _M32) * _N46656
    q01 = (x >> _S32).astype(np.intp)  # q0 * 216 + q1: the first two base-216 digits
    q2 = ((x & _M32) * _N216 >> _S32).astype(np.intp)
    if np.ndim(explode_on_5) == 0:
        e = None
        v = gather(FIRST2[int(explode_on_5)], q01)
        v2 = gather(ROUND[int(explode_on_5)], (v & 3) * 216 + q2)
    else:
        e = np.asarray(explode_on_5, dtype=np.intp)
        v = gather(_FIRST2_FLAT, e * (216 * 216) + q01)
        v2 = gather(_ROUND_FLAT, e * (4 * 216) + (v & 3) * 216 + q2)
    total = (v >> 2) + (v2 >> 2)
    live = v2 & 3
    sel = np.flatnonzero(live)
    r = 1 + INLINE_ROUNDS
    while len(sel):
        lanes = sel if idx is None else gather(idx, sel)
        s = slots_of_round(r)
        if not isinstance(s, (int, np.integer)):
            s = gather(s, sel)
        q = d216(dice.raw(s, lanes))
        es = int(explode_on_5) if e is None else gather(e, sel)
        w = gather(_ROUND_FLAT, es * (4 * 216) + gather(live, sel) * 216 + q)
        total[sel] += w >> 2
        nl = w & 3
        live[sel] = nl
        sel = gather(sel, np.flatnonzero(nl))
        r += 1
        if r > 60:  # 60 explosion rounds in a row: probability below 1e-40
            break
    return total
