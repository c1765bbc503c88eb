"""Pairs of attacks addressed by index, so that no stage ever materialises all pairs.

Pair ``i`` of ``n`` attacks is the ``i``-th unordered pair ``(a, b)``, ``a < b``, in row-major
order: (0,1), (0,2), ..., (0,n-1), (1,2), ... A seeded sample keeps pair ``i`` when a hash of
``(seed, i)`` falls below the sampling fraction, so the sample is the same whatever the batching.
"""

from __future__ import annotations

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
