"""Locating ranks with bounded memory: a fixed fine histogram of order keys.

Every order key (float64, smaller is better) is rounded to float32 and mapped to its order-
preserving 32-bit pattern; the top :data:`BIN_BITS` bits are its *rank bin*. Rounding is monotone,
so a bin never holds a key larger than a key of a later bin: counting bins in pass 1 tells exactly
which bin holds the record of any rank and how many records come before that bin. Pass 2 then only
has to sort the records of that one bin. The bin width is 2^-(BIN_BITS-9) of the value
(2^-11 ≈ 0.05 % with 20 bits), which is also the precision of one-pass quantiles.
"""

from __future__ import annotations

import numpy as np

BIN_BITS = 20
N_BINS = 1 << BIN_BITS
SHIFT = 32 - BIN_BITS


def rank_bins(key: np.ndarray) -> np.ndarray:
    """Rank bin (int64 in ``[0, N_BINS)``) of each float64 order key."""
    u = np.asarray(key, dtype=np.float32).view(np.uint32)
    neg = (u >> 31).astype(bool)
    # negative floats: flip all bits (larger magnitude = smaller); positive: set the sign bit
    ordered = np.where(neg, ~u, u | np.uint32(0x80000000))
    return (ordered >> np.uint32(SHIFT)).astype(np.int64)


def _from_ordered(o: np.uint32) -> float:
    o = np.uint32(o)
    u = o & np.uint32(0x7FFFFFFF) if o & np.uint32(0x80000000) else ~o
    return float(np.array([u], dtype=np.uint32).view(np.float32)[0])


def bin_bounds(b: int) -> tuple[float, float]:
    """The smallest and largest float32 key of rank bin ``b`` (NaN patterns aside)."""
    lo = _from_ordered(np.uint32(b << SHIFT))
    hi = _from_ordered(np.uint32(((b + 1) << SHIFT) - 1))
    return lo, hi


class RankHistogram:
    """Counts of records per rank bin (8 MB of int64), plus the min and max key seen."""

    def __init__(self):
        self.counts = np.zeros(N_BINS, dtype=np.int64)
        self.total = 0
        self.min = np.inf
        self.max = -np.inf

    def add(self, key: np.ndarray, bins: np.ndarray | None = None) -> None:
        if not len(key):
            return
        bins = rank_bins(key) if bins is None else bins
        self.counts += np.bincount(bins, minlength=N_BINS)
        self.total += len(key)
        self.min = min(self.min, float(key.min()))
        self.max = max(self.max, float(key.max()))

    def locate(self, rank: int) -> tuple[int, int]:
        """(bin holding the record of 0-based ``rank``, records in earlier bins)."""
        if not 0 <= rank < self.total:
            raise IndexError(f"rank {rank} outside [0, {self.total})")
        cum = np.cumsum(self.counts)
        b = int(np.searchsorted(cum, rank + 1, side="left"))
        return b, int(cum[b - 1]) if b else 0

    def approx_key(self, rank: int) -> float:
        """Key of ``rank`` to within its bin: the bin's midpoint, clamped to the keys seen."""
        b, _ = self.locate(rank)
        ends = [v for v in bin_bounds(b) if not np.isnan(v)]
        mid = sum(ends) / len(ends) if all(np.isfinite(ends)) else ends[0]
        return float(np.clip(mid, self.min, self.max))
