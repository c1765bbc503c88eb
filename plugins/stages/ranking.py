"""Deterministic ordering: by score, then by the canonical build (or pair) id; never by set or
dict iteration order."""

from __future__ import annotations

import math

import numpy as np


def id_ranks(ids: list[str]) -> np.ndarray:
    """Each id's position in sorted order, so ids can break ties inside numpy sorts."""
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(len(ids))
    return ranks


def ordered(score: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Indices sorted by score (lower first), ties broken by ``tiebreak``."""
    return np.lexsort((tiebreak, score))


def top_count(population: int, percent: float) -> int:
    """How many items the best ``percent`` % of a population holds (at least one of a non-empty one)."""
    if population == 0:
        return 0
    return max(1, math.ceil(population * percent / 100.0 - 1e-9))
