"""Pairs of attacks addressed by index, so that no stage ever materialises all pairs.

Pair ``i`` of ``n`` attacks is the ``i``-th unordered pair ``(a, b)``, ``a < b``, in row-major
order: (0,1), (0,2), ..., (0,n-1), (1,2), ... A seeded sample keeps pair ``i`` when a hash of
``(seed, i)`` is small enough (below the sampling fraction, and among the ``max_pairs`` smallest),
so the sample is the same whatever the batching and uniform over the pair range.
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


def pair_hash(index: np.ndarray, seed: int) -> np.ndarray:
    """A uint64 hash of each pair index under ``seed``: the sample keeps the smallest ones."""
    salt = np.uint64((seed * 0x9E3779B97F4A7C15 + 0x5A17E5A39C0FFEE1) % 2**64)
    return mix(np.asarray(index, dtype=np.int64).astype(np.uint64) ^ salt)


def fraction_threshold(fraction: float) -> int | None:
    """The largest hash kept when sampling ``fraction`` of all pairs (``None``: keep every pair)."""
    if fraction >= 1.0:
        return None
    return max(0, min(int(fraction * 2.0**64), 2**64) - 1)


def sampled(index: np.ndarray, seed: int, threshold: int | None) -> np.ndarray:
    """Mask of the pair indices whose hash is at most ``threshold`` (all when it is ``None``)."""
    index = np.asarray(index, dtype=np.int64)
    if threshold is None:
        return np.ones(index.shape, dtype=bool)
    return pair_hash(index, seed) <= np.uint64(threshold)


#: Pair indices per chunk of the sample's count table.
CHUNK = 1 << 16


def _chunks(total: int, size: int = CHUNK):
    for lo in range(0, total, size):
        yield np.arange(lo, min(lo + size, total), dtype=np.int64)


def smallest_hash_threshold(total: int, seed: int, k: int, threshold: int | None) -> int | None:
    """The hash of the ``k``-th smallest kept pair, so that exactly ``k`` pairs (ties aside) are
    kept: a uniform sample of ``k`` pairs, whatever their index (memory: about 2k hashes)."""
    keep = np.empty(0, dtype=np.uint64)
    limit = np.uint64(2**64 - 1 if threshold is None else threshold)
    bound, under = limit, 0
    for idx in _chunks(total, CHUNK * 16):
        h = pair_hash(idx, seed)
        under += int((h <= limit).sum())
        keep = np.concatenate([keep, h[h <= bound]])
        if len(keep) > 2 * k:
            keep = np.partition(keep, k - 1)[:k]
            bound = keep.max()
    if under <= k:
        return threshold  # the fraction alone already keeps at most k pairs
    return int(np.partition(keep, k - 1)[k - 1])


@attrs.frozen
class PairSample:
    """The pairs stage 2 simulates, numbered by ordinal (one work item each)."""

    n_attacks: int
    seed: int
    #: Largest hash kept (None: every pair).
    threshold: int | None
    #: Sampled pairs before each chunk of CHUNK pair indices (empty when every pair is kept).
    before_chunk: tuple[int, ...]
    size: int

    @property
    def fraction(self) -> float:
        """The share of all pairs the sample holds."""
        total = pair_count(self.n_attacks)
        return self.size / total if total else 1.0

    @classmethod
    def build(cls, n_attacks: int, seed: int, fraction: float, max_pairs: int = 0) -> "PairSample":
        """Every pair, a seeded ``fraction`` of them, and/or at most ``max_pairs`` of them: the
        pairs whose hashes are smallest, so a capped sample is uniform over the whole pair range."""
        total = pair_count(n_attacks)
        threshold = fraction_threshold(fraction)
        if max_pairs and max_pairs < total:
            threshold = smallest_hash_threshold(total, seed, max_pairs, threshold)
        if threshold is None:
            return cls(n_attacks, seed, None, (), total)
        counts = [0]
        for idx in _chunks(total):
            counts.append(counts[-1] + int(sampled(idx, seed, threshold).sum()))
        return cls(n_attacks, seed, threshold, tuple(counts), counts[-1])

    def indices(self, start: int, stop: int) -> np.ndarray:
        """Pair indices of the ordinals ``start..stop-1``."""
        if not self.before_chunk:
            return np.arange(start, stop, dtype=np.int64)
        table = np.asarray(self.before_chunk)
        first = int(np.searchsorted(table, start, side="right")) - 1
        last = int(np.searchsorted(table, stop - 1, side="right")) - 1
        total = pair_count(self.n_attacks)
        idx = np.arange(first * CHUNK, min((last + 1) * CHUNK, total), dtype=np.int64)
        kept = idx[sampled(idx, self.seed, self.threshold)]
        offset = int(table[first])
        return kept[start - offset : stop - offset]
