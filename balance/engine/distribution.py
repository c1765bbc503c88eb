"""What a distribution of combat lengths says beyond its mean: percentiles of turns, the share of
one-turn kills and the share of timeouts, from the engine's turn histograms
(:meth:`balance.engine.simulator.Simulator.run` with ``histogram=True``).

Every cell has the same number of runs, so pooling a candidate's cells weighs each cell the same,
as the overall mean does. Percentiles are of whole turns: the smallest t with at least q of the
combats ending by turn t (numpy's ``inverted_cdf``). A timeout counts the turn limit.
"""

from __future__ import annotations

import numpy as np

#: The percentiles reported, and their column names.
QUANTILES = {"turns_p10": 0.10, "turns_p50": 0.50, "turns_p90": 0.90}


def summarize(hist: np.ndarray, timeouts: np.ndarray) -> dict[str, np.ndarray]:
    """Per candidate, from ``hist`` (n, C, max_turns + 1) and ``timeouts`` (n, C): the p10/p50/p90
    of turns, ``one_turn_share`` (combats won on turn 1) and ``timeout_share``, pooled over cells,
    and ``combats``."""
    hist = np.asarray(hist, dtype=np.int64)
    n, _, width = hist.shape
    pooled = hist.sum(axis=1)  # (n, width)
    combats = pooled.sum(axis=1)
    out_of_time = np.asarray(timeouts, dtype=np.int64).sum(axis=1)
    cdf = np.cumsum(pooled, axis=1)
    out: dict[str, np.ndarray] = {}
    for name, q in QUANTILES.items():
        need = np.ceil(q * combats - 1e-9).clip(min=1)
        out[name] = np.array([int(np.searchsorted(cdf[i], need[i])) if combats[i] else -1 for i in range(n)],
                             dtype=np.int32)
    # a combat ending on turn 1 is a kill unless turn 1 was also the limit (then it is a timeout)
    first = pooled[:, 1] if width > 1 else np.zeros(n, np.int64)
    kills = first - (out_of_time if width == 2 else 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["one_turn_share"] = (kills / combats).astype(np.float32)
        out["timeout_share"] = (out_of_time / combats).astype(np.float32)
    out["combats"] = combats
    return out


def share_half_width(share: float, combats: int) -> float:
    """95 % normal half-width of a share of independent combats (binomial; each combat has its own
    dice), the precision the share can be printed to."""
    if combats <= 0 or not np.isfinite(share):
        return float("nan")
    return 1.96 * float(np.sqrt(max(share * (1 - share), 0.25 / combats) / combats))
