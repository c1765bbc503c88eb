"""Distributions of turns for a few candidates (the confirmed pairs): p10/p50/p90 of turns,
one-turn-kill share and timeout share, gathered on the same dice as the candidates' own results.

The engine counts combats by turn only in its own turn loop (a compiled kernel returns sums), so
this re-runs the candidates there: results identical to the compiled ones, at the reference
loop's speed. That is why it is done for the confirmed few, not for every pair.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance.engine.distribution import summarize
from balance_plugins.stages.common import simulation_state


@attrs.frozen(eq=False)
class DistributionTask:
    """Item ``i``: the candidate ``(a[i], b[i])`` (or the single attack ``a[i]`` when ``b`` is empty)."""

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
        res = sim.run(cand, self.runs, self.seed, stream=self.stream, histogram=True)
        return {**summarize(res.turn_hist, res.timeouts), "check_turn_sum": res.turn_sum.sum(axis=1)}
