"""A third pipeline stage, from outside the project: ``retest`` re-tests the best pairs of stage 2
under a second attack-choice policy, with fresh dice, and records both scores side by side.

It uses only the stage contract (``name``, ``requires``, ``settings``, ``check_settings``,
``selected``, ``run``) and the run context; the core knows nothing of it. Its settings are the
``[retest]`` table of the config:

    [retest]
    top = 20          # how many of stage 2's best pairs (by overall score; ties: a, b)
    policy = "first"  # the second policy
    runs = 10         # combats per pair and cell
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance.config.model import MAX_RUNS
from balance.hookspecs import hookimpl
from balance.records import Column, Schema
from balance_plugins.stages.common import grid_columns, score_columns, simulation_state

#: Dice of its own: never those of stage 1 (0, 100+), stage 2 (1) or the confirmation (2).
STREAM_RETEST = 7


@attrs.frozen
class RetestSettings:
    top: int = 20
    policy: str = "first"
    runs: int = 10


@attrs.frozen(eq=False)
class RetestTask:
    """Item ``i`` is the pair ``(a[i], b[i])`` of stage 2's attacks."""

    builds: tuple[Build, ...]
    a: tuple[int, ...]
    b: tuple[int, ...]
    runs: int
    seed: int
    policy: str

    def prepare(self, session):
        return simulation_state(session, list(self.builds), self.policy, session.config.stage2.max_turns)

    def compute(self, state, start, stop):
        sim, score, grid = state
        a, b = np.asarray(self.a[start:stop]), np.asarray(self.b[start:stop])
        res = sim.run(np.stack([a, b], axis=1), self.runs, self.seed, stream=STREAM_RETEST)
        return {"a": a, "b": b, **score_columns(score.score(res.turn_sum, res.turn_sumsq, res.timeouts, res.runs, grid))}


def schema(grid) -> Schema:
    return Schema([
        Column("a", "int32", doc="first attack: index into the stage-2 attacks table"),
        Column("b", "int32", doc="second attack"),
        Column("overall", "float32", doc="mean turns over all cells under the retest policy"),
        Column("se", "float32", doc="standard error of overall"),
        Column("timeouts", "int32"),
        *grid_columns(grid),
    ])


class Retest:
    name = "retest"
    requires = ("stage2",)
    settings = RetestSettings

    def check_settings(self, s: RetestSettings, config):
        if s.top <= 0:
            yield "top", f"expected a positive number of pairs, got {s.top}"
        if not 0 < s.runs <= MAX_RUNS:
            yield "runs", f"expected from 1 to {MAX_RUNS:,} combats per cell, got {s.runs}"

    def selected(self, config):
        return [("retest.policy", "balance_policies", config.settings(self.name).policy)]

    def run(self, ctx) -> None:
        c, s = ctx.session.config, ctx.session.config.settings(self.name)
        attacks = ctx.run.read_table("stage2", "attacks")
        builds = tuple(Build(t, u, lim) for t, u, lim in zip(attacks["attack_type"], attacks["upgrades"], attacks["limits"]))
        top = ctx.run.stage_reader("stage2").top_n(s.top, score="overall", tiebreak=("a", "b"))
        ctx.run.write_table(self.name, "stage2_scores", {"a": top["a"].tolist(), "b": top["b"].tolist(),
                                                          "overall": top["overall"].tolist()})
        task = RetestTask(builds, tuple(top["a"].tolist()), tuple(top["b"].tolist()), s.runs, c.seed, s.policy)
        ctx.simulate(self.name, schema(ctx.session.grid), task, len(task.a), len(ctx.session.grid.cells) * s.runs,
                     info={"policy": s.policy})


@hookimpl
def balance_stages():
    return [Retest()]
