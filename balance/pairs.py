"""Pairs of attacks addressed by index, so that no stage ever materialises all pairs.

Pair ``i`` of ``n`` attacks is the ``i``-th unordered pair ``(a, b)``, ``a < b``, in row-major
order: (0,1), (0,2), ..., (0,n-1), (1,2), ... A seeded sample keeps pair ``i`` when a hash of
``(seed, i)`` falls below the sampling fraction, so the sample is the same whatever the batching.
A :class:`PairSample` numbers the kept pairs 0, 1, 2, ... (their *ordinals*), which are the work
items of stage 2: a worker finds the pairs of any ordinal range from a small table of counts.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.engine.dice import mix


def pair_count(n: int) -> int:
    return n * (n - 1) // 2


def _row_start(a: np.ndarray, n: int) -> np.ndarray:
    """Index of pair (a, a+1)."""
    return a * (2 * n - a - 1) // 2


def pair_at(index: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(a, b)`` with these indices (vectorised; exact for any n that fits int64)."""
    i = np.asarray(index, dtype=np.int64)
    # Closed form from the row starts, then an integer correction for floating-point error.
    m = 2 * n - 1
    a = np.floor((m - np.sqrt(np.maximum(m * m - 8.0 * i, 0.0))) / 2).astype(np.int64)
    a = np.clip(a, 0, n - 2)
    for _ in range(2):
        a = np.where(_row_start(a, n) > i, a - 1, a)
        a = np.where(_row_start(a + 1, n) <= i, a + 1, a)
    b = i - _row_start(a, n) + a + 1
    return a, b


def pair_index(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    a, b = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    return _row_start(a, n) + (b - a - 1)


def sample_fraction(total: int, fraction: float, max_pairs: int) -> float:
    """The per-pair keep probability for a sampling fraction and an optional maximum count."""
    if max_pairs and total:
        fraction = min(fraction, max_pairs / total)
    return fraction


def sampled(index: np.ndarray, seed: int, fraction: float) -> np.ndarray:
    """Mask of the pair indices kept by the seeded sample (all when ``fraction >= 1``)."""
    index = np.asarray(index, dtype=np.int64)
    if fraction >= 1.0:
        return np.ones(index.shape, dtype=bool)
    h = mix(index.astype(np.uint64) ^ np.uint64((seed * 0x9E3779B97F4A7C15 + 0x5A17E5A39C0FFEE1) % 2**64))
    return h < np.uint64(min(int(fraction * 2.0**64), 2**64 - 1))


#: Pair indices per chunk of the sample's count table.
CHUNK = 1 << 16


@attrs.frozen
class PairSample:
    """The pairs stage 2 simulates, numbered by ordinal (one work item each)."""

    n_attacks: int
    seed: int
    fraction: float
    #: Sampled pairs before each chunk of CHUNK pair indices (empty when every pair is kept).
    before_chunk: tuple[int, ...]
    size: int

    @classmethod
    def build(cls, n_attacks: int, seed: int, fraction: float, max_pairs: int = 0) -> "PairSample":
        total = pair_count(n_attacks)
        fraction = sample_fraction(total, fraction, max_pairs)
        if fraction >= 1.0:
            size = min(total, max_pairs) if max_pairs else total
            return cls(n_attacks, seed, 1.0, (), size)
        counts = [0]
        for lo in range(0, total, CHUNK):
            idx = np.arange(lo, min(lo + CHUNK, total), dtype=np.int64)
            counts.append(counts[-1] + int(sampled(idx, seed, fraction).sum()))
        size = min(counts[-1], max_pairs) if max_pairs else counts[-1]
        return cls(n_attacks, seed, fraction, tuple(counts), size)

    def indices(self, start: int, stop: int) -> np.ndarray:
        """Pair indices of the ordinals ``start..stop-1``."""
        if not self.before_chunk:
            return np.arange(start, stop, dtype=np.int64)
        table = np.asarray(self.before_chunk)
        first = int(np.searchsorted(table, start, side="right")) - 1
        last = int(np.searchsorted(table, stop - 1, side="right")) - 1
        total = pair_count(self.n_attacks)
        idx = np.arange(first * CHUNK, min((last + 1) * CHUNK, total), dtype=np.int64)
        kept = idx[sampled(idx, self.seed, self.fraction)]
        offset = int(table[first])
        return kept[start - offset : stop - offset]
