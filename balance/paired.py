"""The error of a difference between two candidates played on the same dice.

A die depends on (seed, stream, cell, run, turn, slot), never on the candidate
(:mod:`balance.engine.dice`), so two candidates simulated with the same seed, stream and runs play
each cell's run r on the same dice: their difference is a paired comparison on common random
numbers, whose error is that of the per-combat differences, not the independent
sqrt(se_x² + se_y²).
"""

from __future__ import annotations

import numpy as np


def difference_se(score, grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Standard error of ``score(x) - score(y)`` for per-combat turns ``x`` and ``y`` (n, C, runs;
    ``y`` may be one candidate's (C, runs), broadcast) played on the same dice: the scoring's own
    error model applied to the per-combat differences. Right for a scoring that is linear in the
    combats' turns, as ``mean_turns`` (the mean of cell means) is."""
    d = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    d = np.broadcast_to(d, np.broadcast_shapes(np.shape(x), np.shape(y)))
    runs = d.shape[-1]
    zeros = np.zeros(d.shape[:2], dtype=np.int64)
    return np.asarray(score.score(d.sum(axis=-1), (d * d).sum(axis=-1), zeros, runs, grid).se, dtype=np.float64)
