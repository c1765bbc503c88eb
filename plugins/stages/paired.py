"""Differences between candidates measured on the same dice.

A die depends on (seed, stream, cell, run, turn, slot), never on the candidate
(:mod:`balance.engine.dice`), so two candidates simulated with the same seed, stream and runs play
each cell's run r on the same dice. Their scores' difference is then best estimated from the
per-combat differences (a paired comparison on common random numbers), whose spread is usually
far smaller than that of either candidate alone; treating the two means as independent overstates
the error of the difference. The confirmation keeps the per-combat turns of its pairs (and of their
attacks alone) for this: 50 pairs x cells x 100 runs is small.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance_plugins.stages.common import simulation_state


@attrs.frozen(eq=False)
class TurnsTask:
    """Item ``i``: every combat's turns of candidate ``(a[i], b[i])`` (or of the single attack
    ``a[i]`` when ``b`` is empty), as a row of cells x runs (cell-major)."""

    builds: tuple[Build, ...]
    runs: int
    seed: int
    stream: int
    policy: str
    max_turns: int | None
    a: tuple[int, ...]
    b: tuple[int, ...] = ()

    def prepare(self, session):
        return simulation_state(session, list(self.builds), self.policy, self.max_turns)

    def compute(self, state, start, stop):
        sim, _, _ = state
        a = np.asarray(self.a[start:stop], dtype=np.int64)
        cand = np.stack([a, np.asarray(self.b[start:stop], dtype=np.int64)], axis=1) if self.b else a[:, None]
        turns = sim.turns(cand, self.runs, self.seed, stream=self.stream)
        return {"turns": turns.reshape(len(cand), -1)}


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
