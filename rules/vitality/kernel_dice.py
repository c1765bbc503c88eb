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


def exploding_3d6(raw: np.ndarray, explode_on_5, dice, slots_of_round, idx=None) -> np.ndarray:
    """3d6 where each die explodes (rolls again and adds) on 6, or on 5-6 where ``explode_on_5``.

    ``raw`` holds each lane's attack bits: the first three d216 of its base-216 chain are the
    initial dice and the first two explosion rounds (computed for every lane, no compaction);
    chains still alive after that draw hashed dice: ``slots_of_round(r)`` gives the slot(s) of
    round r (3, 4, ...) and ``idx`` the engine lanes the rows of ``raw`` belong to.
    """
    e = np.asarray(explode_on_5, dtype=np.intp)
    q0, q1, q2 = d216_chain(raw, 1 + INLINE_ROUNDS)
    if e.ndim == 0:
        ei = int(e)
        sums, lives = SUMS[ei], LIVE[ei]
        total = sums[3][q0]
        live = lives[3][q0]
        total += sums[live, q1]
        live = lives[live, q1]
        total += sums[live, q2]
        live = lives[live, q2]
        e = np.full(len(q0), ei, dtype=np.intp)
    else:
        total = SUMS[e, 3, q0]
        live = LIVE[e, 3, q0]
        total += SUMS[e, live, q1]
        live = LIVE[e, live, q1]
        total += SUMS[e, live, q2]
        live = LIVE[e, live, q2]
    sel = np.flatnonzero(live)
    r = 1 + INLINE_ROUNDS
    while len(sel):
        lanes = sel if idx is None else idx[sel]
        s = slots_of_round(r)
        if not isinstance(s, (int, np.integer)):
            s = s[sel]
        q = d216(dice.raw(s, lanes))
        m, es = live[sel], e[sel]
        total[sel] += SUMS[es, m, q]
        nl = LIVE[es, m, q]
        live[sel] = nl
        sel = sel[nl > 0]
        r += 1
        if r > 60:  # 60 explosion rounds in a row: probability below 1e-40
            break
    return total
