"""Stage 1: simulate every legal single attack over all cells and prune to the set stage 2 pairs.

With ``stage1.rounds`` the screen is a race: the first round simulates every attack (its records are
the stage's, which the stage-1 reports read), and each later round re-tests the previous round's
survivors with fresh dice and its own runs, as records of their own (``stage1-round2``, ...). Each
round keeps its best share by overall score (ties: the canonical build id), so the survivors of a
round follow from its records alone: a resumed run recomputes them and continues exactly. Pruning
then chooses among the last round's survivors, by that round's scores, keeping the same shares of
every attack as without rounds."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np

from balance.hookspecs import hookimpl
from balance.progress import console
from balance_plugins.stages.distributions import DistributionTask
from balance.records import Column, Schema
from balance_plugins.stages.common import (
    STREAM_STAGE1,
    attack_table,
    cell_labels,
    grid_columns,
    score_columns,
    round_stream,
    simulation_state,
    stage1_builds,
)
from balance_plugins.stages.prune import REASONS, prune
from balance_plugins.stages.settings import Stage1Settings, stage1_problems
from balance_plugins.stages.ranking import id_ranks, ordered, top_count


#: Dice groups a stage-1 record keeps its turns in (at most; fewer when there are fewer runs).
DICE_GROUPS = 10


def dice_groups(runs: int) -> list[tuple[int, int]]:
    """The run ids ``[start, stop)`` of each dice group: consecutive runs, sizes differing by at most 1.

    Stage 1 rolls the same dice for every build of a cell (a die depends on the seed, cell, run and
    turn only), so the dice of run ``r`` are shared by all builds. Keeping each build's turns per
    group of runs lets the point values resample the dice (the groups) as well as the builds: see
    :mod:`balance_plugins.reports.point_values`."""
    k = min(DICE_GROUPS, runs)
    return [(g * runs // k, (g + 1) * runs // k) for g in range(k)]


def _uint(largest: int) -> str:
    return "uint16" if largest <= np.iinfo(np.uint16).max else "uint32"


def group_columns(grid, runs: int, max_turns: int) -> list[Column]:
    groups = dice_groups(runs)
    largest = max(b - a for a, b in groups)
    return [
        Column("group_turns", _uint(largest * max_turns), (len(groups), len(grid.cells)),
               [f"runs {a + 1}-{b} / {c}" for a, b in groups for c in cell_labels(grid)],
               doc="turns summed over each dice group's runs, per cell (every build of a cell shares a group's dice)"),
        Column("group_runs", _uint(largest), (len(groups),), [f"runs {a + 1}-{b}" for a, b in groups],
               doc="runs in each dice group"),
    ]


def schema(grid, runs: int | None = None, max_turns: int = 0) -> Schema:
    """Stage 1's record columns; with ``runs`` also its dice groups' turns (``group_columns``): a
    schema without them is an older run's, which the reports still read (builds-only intervals)."""
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
            *(group_columns(grid, runs, max_turns) if runs else ()),
        ]
    )


@attrs.frozen(eq=False)
class Stage1Task:
    """Item ``i`` is attack ``i``, or with ``subset`` (a later screening round) attack ``subset[i]``."""

    runs: int
    seed: int
    stream: int = STREAM_STAGE1
    subset: tuple[int, ...] | None = None
    #: A finished run's folder whose stage-1 records stand for the builds it shares with this one
    #: (``RunContext.reuse``: the same dice, rules that differ only in legality).
    reuse: str | None = None
    #: The builds' costs as uint8 bytes, from the parent's attack table (each worker computing them
    #: again cost it 0.5 s at the stage's start); empty: computed in the worker.
    costs: bytes = b""

    def prepare(self, session):
        builds = stage1_builds(session)
        costs = (np.frombuffer(self.costs, dtype=np.uint8) if self.costs
                 else np.array([session.rules.build_cost(b) for b in builds], dtype=np.uint8))
        donor = reused_records(session, self.reuse, builds) if self.reuse else None
        return (*simulation_state(session, builds, "first"), costs, donor)

    def compute(self, state, start: int, stop: int):
        sim, score, grid, costs, donor = state
        attacks = np.arange(start, stop) if self.subset is None else np.asarray(self.subset[start:stop], dtype=np.int64)
        rows = donor[0][attacks] if donor is not None else np.full(len(attacks), -1)
        new = rows < 0
        out = None
        if new.any():
            # A die depends on the seed, cell, run and turn only: a build scores the same whichever
            # builds share its batch, so the new builds alone are simulated.
            # One simulation per dice group (its run ids): turns are whole numbers, so the groups'
            # sums add up exactly to what one simulation of every run gives.
            groups = dice_groups(self.runs)
            parts = [sim.run(attacks[new][:, None], b - a, self.seed, stream=self.stream, run_offset=a)
                     for a, b in groups]
            turn_sum, turn_sumsq, timeouts = (sum(getattr(r, f) for r in parts)
                                              for f in ("turn_sum", "turn_sumsq", "timeouts"))
            s = score.score(turn_sum, turn_sumsq, timeouts, self.runs, grid)
            group_turns = np.stack([r.turn_sum for r in parts], axis=1).astype(np.int64)  # whole numbers
            simulated = {**score_columns(s), "cell_mean": s.cell_mean, "cell_timeouts": s.cell_timeouts,
                         "specialization": s.by_profile.var(axis=1), "group_turns": group_turns,
                         "group_runs": np.tile([b - a for a, b in groups], (len(group_turns), 1))}
            out = {k: np.empty((len(attacks), *v.shape[1:]), v.dtype) for k, v in simulated.items()}
            for k, v in simulated.items():
                out[k][new] = v
        if not new.all():
            copied = {k: v[rows[~new]] for k, v in donor[1].items()}
            out = out or {k: np.empty((len(attacks), *v.shape[1:]), v.dtype) for k, v in copied.items()}
            for k, v in copied.items():
                out[k][~new] = v
        return {"attack": attacks, "cost": costs[attacks], **out}


#: Columns a stage-1 record copies from another run (its attack index and cost are this run's).
COPIED = ("overall", "se", "timeouts", "by_profile", "by_buff", "by_scenario", "cell_mean", "cell_timeouts",
          "specialization", "group_turns", "group_runs")


def reused_records(session, run_dir: str, builds) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """For each build, its row in ``run_dir``'s stage-1 records (-1: not there), and those records."""
    run = session.plugins.component("balance_stores", session.config.store).open(Path(run_dir))
    ids = run.read_table("stage1", "attacks")["id"]
    parts: dict[str, list] = {}
    order = []
    for block in run.stage_reader("stage1").blocks():
        order.append(np.asarray(block["attack"]))
        for k in COPIED:
            parts.setdefault(k, []).append(np.asarray(block[k]))
    donor_attack = np.concatenate(order)
    records = {k: np.concatenate(v) for k, v in parts.items()}
    row_of_id = {ids[a]: r for r, a in enumerate(donor_attack)}
    rows = np.array([row_of_id.get(b.id, -1) for b in builds], dtype=np.int64)
    return rows, records


#: Attacks of the screening's top list whose distributions of turns are kept (the pruning report's top list).
TOP_DISTRIBUTIONS = 50


class Stage1:
    name = "stage1"
    requires: tuple[str, ...] = ()
    settings = Stage1Settings

    def check_settings(self, settings: Stage1Settings, config):
        return stage1_problems(settings, config)

    def selected(self, config):
        return []

    def run(self, ctx) -> None:
        session = ctx.session
        config = session.config
        builds = stage1_builds(session)
        n = len(builds)
        table = attack_table(session.rules, builds)
        ctx.run.write_table(self.name, "attacks", table)
        costs = np.asarray(table["cost"], dtype=np.uint8).tobytes()
        if not config.stage1.rounds:
            reuse = str(ctx.reuse) if ctx.reuse is not None else None
            task = Stage1Task(config.stage1.runs, config.seed, reuse=reuse, costs=costs)
            per_item = len(session.grid.cells) * config.stage1.runs
            info = {}
            if reuse and not has_dice_groups(session, reuse):
                console().print(f"stage1: {reuse} predates the dice groups: every build is simulated")
                reuse = None
            if reuse:
                shared = set(reused_ids(session, reuse)) & {b.id for b in builds}
                info = {"reused_from": reuse, "reused_records": len(shared)}
                console().print(f"stage1: {len(shared):,} of {n:,} builds' records copied from {reuse} "
                                "(the same dice; only legality rules differ)")
            ctx.simulate(self.name, schema(session.grid, config.stage1.runs, config.max_turns), task, n, per_item,
                         info=info)
            self.prune(ctx, builds, self.name, None, None)
            self.distributions(ctx, builds)
            return
        survivors, stage, history = np.arange(n), self.name, []
        tiebreak = id_ranks([b.id for b in builds])
        for k, r in enumerate(config.stage1.rounds):
            runs = config.stage1.runs if r.runs == -1 else r.runs
            stage = self.name if k == 0 else f"{self.name}-round{k + 1}"
            subset = None if k == 0 else tuple(survivors.tolist())
            task = Stage1Task(runs, config.seed, round_stream(k), subset, costs=costs)
            info = {"round": k + 1, "runs": runs, "keep_percent": r.keep_percent}
            ctx.simulate(stage, schema(session.grid, runs, config.max_turns), task, len(survivors),
                         len(session.grid.cells) * runs, info=info)
            overall = self.scores(ctx, stage, n, {"overall": ()})["overall"][survivors]
            keep = top_count(len(survivors), r.keep_percent)
            history.append({"round": k + 1, "stage": stage, "runs": runs, "keep_percent": r.keep_percent,
                            "tested": len(survivors), "kept": keep})
            # Ascending attack order, so that the next round's items do not depend on score ties.
            survivors = np.sort(survivors[ordered(overall, tiebreak[survivors])[:keep]])
        self.prune(ctx, builds, stage, survivors, history)
        self.distributions(ctx, builds)

    def distributions(self, ctx, builds) -> None:
        """Table ``distributions``: the p10/p50/p90 of turns, one-turn-kill and timeout shares of
        the best :data:`TOP_DISTRIBUTIONS` attacks of the (first-round) screening, on its own dice
        and runs: the same combats as their screening scores, counted by turn."""
        if ctx.run.has_table(self.name, "distributions"):
            return
        config = ctx.session.config
        top = ctx.run.stage_reader(self.name).top_n(TOP_DISTRIBUTIONS, score="overall", tiebreak=("attack",))
        attacks = tuple(int(x) for x in top["attack"])
        first = config.stage1.rounds[0].runs if config.stage1.rounds else -1
        runs = config.stage1.runs if first == -1 else first
        task = DistributionTask.over(builds, runs, config.seed, STREAM_STAGE1, "first", None, attacks)
        cols = ctx.compute("stage1 distributions", task, len(attacks), len(ctx.session.grid.cells) * runs)
        ctx.run.write_table(self.name, "distributions", {"attack": list(attacks), **{
            k: np.asarray(v).tolist() for k, v in cols.items() if k != "combats"}})

    @staticmethod
    def scores(ctx, stage: str, n: int, columns: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
        """A stage's score columns (name -> per-attack shape) by attack index; rows of attacks the
        stage did not test stay NaN."""
        out = {c: np.full((n, *shape), np.nan, dtype=np.float64) for c, shape in columns.items()}
        for block in ctx.run.stage_reader(stage).blocks(columns=["attack", *columns]):
            for c in columns:
                out[c][block["attack"]] = block[c]
        return out

    def prune(self, ctx, builds, stage: str, survivors: np.ndarray, rounds: list | None) -> None:
        """Apply the pruning strategy by ``stage``'s scores; only ``survivors`` may be kept."""
        session = ctx.session
        n = len(builds)
        cols = self.scores(ctx, stage, n, {"overall": (), "by_profile": (len(session.grid.profiles),)})
        eligible = None
        if rounds is not None:
            eligible = np.zeros(n, dtype=bool)
            eligible[survivors] = True
        result = prune(
            cols["overall"],
            cols["by_profile"],
            [b.enhancements for b in builds],
            id_ranks([b.id for b in builds]),
            session.config.stage1.prune,
            [p.name for p in session.grid.profiles],
            eligible,
        )
        table = {
            "attack": result.kept.tolist(),
            "reasons": {r: result.reasons[:, i].tolist() for i, r in enumerate(REASONS)},
            "strategy": session.config.stage1.prune.strategy,
            "cutoffs": result.cutoffs,
        }
        if rounds is not None:
            table["rounds"] = rounds
        ctx.run.write_table(self.name, "kept", table)


def has_dice_groups(session, run_dir: str) -> bool:
    run = session.plugins.component("balance_stores", session.config.store).open(Path(run_dir))
    return set(COPIED) <= set(run.stage_reader("stage1").schema.names)


def reused_ids(session, run_dir: str) -> list[str]:
    run = session.plugins.component("balance_stores", session.config.store).open(Path(run_dir))
    return run.read_table("stage1", "attacks")["id"]


@hookimpl
def balance_stages():
    return [Stage1()]
