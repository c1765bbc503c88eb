"""Deterministic ordering and bounded-memory top-N selection over streamed blocks.

Records are ordered by an *order key* (the score, negated when higher is better, NaN last), then
by the tie-break columns ascending (a canonical id such as ``(a_index, b_index)``). The order never
depends on block boundaries, shard layout or reading order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def order_key(values: np.ndarray, ascending: bool) -> np.ndarray:
    """float64 key where smaller is better; NaN sorts after everything (as +inf), -0.0 becomes 0.0."""
    key = np.asarray(values, dtype=np.float64)
    key = key.copy() if ascending else -key
    key[np.isnan(key)] = np.inf
    # -0.0 == 0.0 but their bit patterns differ; normalise so equal keys always share a rank bin
    key += 0.0
    return key


def lex_order(key: np.ndarray, block: Mapping[str, np.ndarray], tiebreak: Sequence[str]) -> np.ndarray:
    """Indices sorting rows by (key, *tiebreak) ascending; stable for fully equal rows."""
    # np.lexsort sorts by the last key first
    return np.lexsort([block[c] for c in reversed(tiebreak)] + [key])


def lex_le(key: np.ndarray, block: Mapping[str, np.ndarray], tiebreak: Sequence[str],
           t_key: float, t_ids: Sequence) -> np.ndarray:
    """Boolean mask: rows whose (key, *tiebreak) is <= the threshold (t_key, *t_ids)."""
    result = np.zeros(len(key), dtype=bool)
    undecided = np.ones(len(key), dtype=bool)
    for vals, t in [(key, t_key), *((block[c], v) for c, v in zip(tiebreak, t_ids))]:
        result |= undecided & (vals < t)
        undecided &= vals == t
    return result | undecided


class TopN:
    """Keeps the ``n`` best rows seen so far (all ``columns``), sorted best first.

    Each block is first cut by the current n-th best key, then (if still larger than n) by a
    partial selection (``np.partition``) that keeps every row tied with the n-th key, and the
    survivors are merged with the kept rows by a full lexicographic sort. Memory: O(n + block).
    """

    def __init__(self, n: int, score: str, ascending: bool, tiebreak: Sequence[str], columns: Sequence[str]):
        self.n = int(n)
        self.score = score
        self.ascending = ascending
        self.tiebreak = tuple(tiebreak)
        self.columns = list(dict.fromkeys([score, *self.tiebreak, *columns]))
        self.key = np.empty(0, dtype=np.float64)
        self.rows: dict[str, np.ndarray] | None = None

    def add(self, block: Mapping[str, np.ndarray], key: np.ndarray | None = None) -> None:
        if self.n <= 0:
            return
        if key is None:
            key = order_key(block[self.score], self.ascending)
        idx = None
        if len(self.key) >= self.n:
            # rows worse than the current n-th best can never enter; ties may (via the tie-break)
            idx = np.flatnonzero(key <= self.key[-1])
            if not len(idx):
                return
        sub_key = key if idx is None else key[idx]
        if len(sub_key) > self.n:
            kth = np.partition(sub_key, self.n - 1)[self.n - 1]
            sel = np.flatnonzero(sub_key <= kth)
            idx = sel if idx is None else idx[sel]
            sub_key = sub_key[sel]
        if idx is None:
            cand = {c: np.asarray(block[c]) for c in self.columns}
        else:
            cand = {c: np.asarray(block[c])[idx] for c in self.columns}
        if self.rows is None:
            merged, mkey = cand, sub_key
        else:
            merged = {c: np.concatenate([self.rows[c], cand[c]]) for c in self.columns}
            mkey = np.concatenate([self.key, sub_key])
        order = lex_order(mkey, merged, self.tiebreak)[: self.n]
        self.rows = {c: merged[c][order] for c in self.columns}
        self.key = mkey[order]

    def result(self, empty: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """The kept rows, best first; when nothing was seen, ``empty`` gives each column's empty array."""
        if self.rows is None:
            return {c: (empty or {}).get(c, np.empty(0)) for c in self.columns}
        return dict(self.rows)
