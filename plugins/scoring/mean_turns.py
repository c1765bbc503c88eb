"""The default scoring: mean turns per cell, every cell weighing the same; lower is better.

From the engine's per-cell sums it derives each candidate's cell means and standard errors, the
overall score (the mean of the cell means) and its standard error, timeouts, and the means per
profile, per buff and per scenario (cells are profile-major: profile × buff × scenario).
"""

from __future__ import annotations

import numpy as np

from balance.components import Scores
from balance.hookspecs import hookimpl


class MeanTurns:
    name = "mean_turns"

    def score(self, turn_sum, turn_sumsq, timeouts, runs: int, grid) -> Scores:
        n, cells = turn_sum.shape
        shape = (n, len(grid.profiles), len(grid.buffs), len(grid.scenarios))
        mean = turn_sum / runs
        if runs > 1:
            var = np.maximum(turn_sumsq - turn_sum * mean, 0.0) / (runs - 1)
            cell_se = np.sqrt(var / runs)
        else:  # one run gives no estimate of spread
            cell_se = np.full_like(mean, np.nan)
        by_cell = mean.reshape(shape)
        return Scores(
            cell_mean=mean,
            cell_se=cell_se,
            overall=mean.mean(axis=1),
            se=np.sqrt((cell_se**2).sum(axis=1)) / cells,
            timeouts=timeouts.sum(axis=1),
            cell_timeouts=timeouts,
            by_profile=by_cell.mean(axis=(2, 3)),
            by_buff=by_cell.mean(axis=(1, 3)),
            by_scenario=by_cell.mean(axis=(1, 2)),
        )


@hookimpl
def balance_scorings():
    return [MeanTurns()]
