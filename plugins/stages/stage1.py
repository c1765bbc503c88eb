"""Stage 1: simulate every legal single attack over all cells and prune to the set stage 2 pairs."""

from __future__ import annotations

import attrs
import numpy as np

from balance.hookspecs import hookimpl
from balance.records import Column, Schema
from balance_plugins.stages.common import (
    STREAM_STAGE1,
    attack_table,
    cell_labels,
    grid_columns,
    score_columns,
    simulation_state,
    warm_up_kernel,
)
from balance_plugins.stages.prune import REASONS, prune
from balance_plugins.stages.ranking import id_ranks


def schema(grid) -> Schema:
    return Schema(
        [
            Column("attack", "int32", doc="index into the stage-1 attacks table"),
            Column("cost", "uint8"),
            Column("overall", "float32", doc="mean turns over all cells (each cell weighs the same)"),
            Column("se", "float32", doc="standard error of overall"),
            Column("timeouts", "int32", doc="combats that reached max turns, all cells"),
            *grid_columns(grid),
            Column("cell_mean", "float32", (len(grid.cells),), cell_labels(grid)),
            Column("cell_timeouts", "int32", (len(grid.cells),), cell_labels(grid)),
            Column("specialization", "float32", doc="variance of the per-profile means"),
        ]
    )


@attrs.frozen(eq=False)
class Stage1Task:
    runs: int
    seed: int

    def prepare(self, session):
        builds = list(session.rules.enumerate_builds(session.budget))
        costs = np.array([session.rules.build_cost(b) for b in builds], dtype=np.uint8)
        return (*simulation_state(session, builds, "first"), costs)

    def compute(self, state, start: int, stop: int):
        sim, score, grid, costs = state
        cand = np.arange(start, stop)[:, None]
        res = sim.run(cand, self.runs, self.seed, stream=STREAM_STAGE1)
        s = score.score(res.turn_sum, res.turn_sumsq, res.timeouts, res.runs, grid)
        return {
            "attack": cand[:, 0],
            "cost": costs[start:stop],
            **score_columns(s),
            "cell_mean": s.cell_mean,
            "cell_timeouts": s.cell_timeouts,
            "specialization": s.by_profile.var(axis=1),
        }


class Stage1:
    name = "stage1"
    requires: tuple[str, ...] = ()

    def run(self, ctx) -> None:
        session = ctx.session
        config = session.config
        builds = list(session.rules.enumerate_builds(session.budget))
        n = len(builds)
        ctx.run.write_table(self.name, "attacks", attack_table(session.rules, builds))
        task = Stage1Task(config.stage1.runs, config.seed)
        warm_up_kernel(session)
        per_item = len(session.grid.cells) * config.stage1.runs
        ctx.simulate(self.name, schema(session.grid), task, n, per_item)
        self.prune(ctx, builds)

    def prune(self, ctx, builds) -> None:
        session = ctx.session
        reader = ctx.run.stage_reader(self.name)
        overall = np.empty(len(builds), dtype=np.float64)
        by_profile = np.empty((len(builds), len(session.grid.profiles)), dtype=np.float64)
        for block in reader.blocks(columns=["attack", "overall", "by_profile"]):
            overall[block["attack"]] = block["overall"]
            by_profile[block["attack"]] = block["by_profile"]
        result = prune(
            overall,
            by_profile,
            [b.enhancements for b in builds],
            id_ranks([b.id for b in builds]),
            session.config.stage1.prune,
            [p.name for p in session.grid.profiles],
        )
        ctx.run.write_table(
            self.name,
            "kept",
            {
                "attack": result.kept.tolist(),
                "reasons": {r: result.reasons[:, i].tolist() for i, r in enumerate(REASONS)},
                "strategy": session.config.stage1.prune.strategy,
                "cutoffs": result.cutoffs,
            },
        )


@hookimpl
def balance_stages():
    return [Stage1()]
