"""Stage 2: pairs of the stage-1 survivors, each turn's attack chosen by a policy plugin; synergy
against solos measured under the same engine, cells, max turns and dice; then confirmation of the
best candidates with fresh dice and more runs."""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance.errors import UsageError
from balance.hookspecs import hookimpl
from balance.engine.distribution import summarize
from balance.paired import difference_se
from balance_plugins.stages.paired import TurnsTask
from balance_plugins.stages.pairs import PairSample, pair_at, pair_count
from balance.records import Column, Schema
from balance_plugins.stages.settings import Stage2Settings, stage2_problems
from balance_plugins.stages.common import (
    STREAM_CONFIRM,
    STREAM_STAGE2,
    attack_table,
    grid_columns,
    score_columns,
    scoring,
    simulation_state,
)


def schema(grid) -> Schema:
    P, S = len(grid.profiles), len(grid.scenarios)
    profiles = [p.name for p in grid.profiles]
    scenarios = [s.name for s in grid.scenarios]
    return Schema(
        [
            Column("a", "int32", doc="first attack: index into the stage-2 attacks table"),
            Column("b", "int32", doc="second attack (a < b)"),
            Column("overall", "float32", doc="mean turns over all cells"),
            Column("se", "float32", doc="standard error of overall"),
            Column("timeouts", "int32"),
            Column("cost", "uint8", doc="total cost of both attacks"),
            Column("synergy", "float32", doc="(mean(solo_a, solo_b) - pair) / mean(solo_a, solo_b) x 100"),
            Column("gain_vs_best", "float32", doc="(min(solo_a, solo_b) - pair) / min(solo_a, solo_b) x 100"),
            *grid_columns(grid),
            Column("usage_a_profile", "float16", (P,), profiles, doc="share of turns attack a was used"),
            Column("usage_b_profile", "float16", (P,), profiles),
            Column("usage_a_scenario", "float16", (S,), scenarios),
            Column("usage_b_scenario", "float16", (S,), scenarios),
        ]
    )


def usage_shares(uses: np.ndarray, grid) -> dict[str, np.ndarray]:
    """Share of turns each attack was used, per profile and per scenario (cells are profile-major)."""
    n, slots = uses.shape[0], uses.shape[-1]
    P, B, S = len(grid.profiles), len(grid.buffs), len(grid.scenarios)
    # Sums of a few strided (n, group) planes: numpy's reductions over several short axes cost
    # twice as much, 3 % of a stage-2 worker's time.
    cells = [uses[..., 0], uses[..., 1], sum(uses[..., i] for i in range(slots))]  # a, b, all turns
    out = {}
    for axis_name, groups in (
        ("profile", [sum(x.reshape(n, P, B * S)[:, :, j] for j in range(B * S)) for x in cells]),
        ("scenario", [sum(x.reshape(n, P * B, S)[:, j] for j in range(P * B)) for x in cells]),
    ):
        turns = np.maximum(groups[2], 1)
        out[f"usage_a_{axis_name}"] = groups[0] / turns
        out[f"usage_b_{axis_name}"] = groups[1] / turns
    return out


@attrs.frozen
class Solos:
    """Each stage-2 attack alone, under the pairs' own conditions."""

    overall: np.ndarray
    se: np.ndarray
    timeouts: np.ndarray

    def to_table(self) -> dict:
        return {k: getattr(self, k).tolist() for k in ("overall", "se", "timeouts")}

    @classmethod
    def from_table(cls, t: dict) -> "Solos":
        return cls(np.asarray(t["overall"]), np.asarray(t["se"]), np.asarray(t["timeouts"]))


@attrs.frozen(eq=False)
class SoloTask:
    builds: tuple[Build, ...]
    runs: int
    seed: int
    stream: int
    policy: str

    def prepare(self, session):
        return simulation_state(session, list(self.builds), self.policy, session.config.stage2.max_turns)

    def compute(self, state, start, stop):
        sim, score, grid = state
        res = sim.run(np.arange(start, stop)[:, None], self.runs, self.seed, stream=self.stream)
        s = score.score(res.turn_sum, res.turn_sumsq, res.timeouts, res.runs, grid)
        return {"overall": s.overall, "se": s.se, "timeouts": s.timeouts}


@attrs.frozen(eq=False)
class PairTask:
    """Stage-2 work: item ``i`` is the ``i``-th pair of the sample (all pairs when not sampling)."""

    builds: tuple[Build, ...]
    costs: tuple[int, ...]
    solo: tuple[float, ...]
    runs: int
    seed: int
    stream: int
    policy: str
    sample: PairSample | None

    def prepare(self, session):
        return simulation_state(session, list(self.builds), self.policy, session.config.stage2.max_turns)

    def compute(self, state, start, stop):
        a, b = pair_at(self.sample.indices(start, stop), len(self.builds))
        return self.simulate(state, a, b)

    def simulate(self, state, a, b, combats: bool = False):
        """The pairs' record columns; ``combats``: also their distributions of turns (p10/p50/p90,
        one-turn kills, timeouts) and every combat's turns (``turns``, a row of cells x runs per
        pair), all from the one play that gives the sums."""
        sim, score, grid = state
        res = sim.run(np.stack([a, b], axis=1), self.runs, self.seed, stream=self.stream, histogram=combats,
                      per_combat=combats)
        s = score.score(res.turn_sum, res.turn_sumsq, res.timeouts, res.runs, grid)
        solo = np.asarray(self.solo)
        costs = np.asarray(self.costs)
        pair_mean, best = (solo[a] + solo[b]) / 2, np.minimum(solo[a], solo[b])
        return {
            "a": a,
            "b": b,
            **score_columns(s),
            "cost": costs[a] + costs[b],
            "synergy": (pair_mean - s.overall) / pair_mean * 100,
            "gain_vs_best": (best - s.overall) / best * 100,
            **usage_shares(res.uses, grid),
            **(_combat_columns(res) if combats else {}),
        }


def _combat_columns(res) -> dict:
    dist = summarize(res.turn_hist, res.timeouts)
    del dist["combats"]
    return {**dist, "turns": res.turns.reshape(len(res.turns), -1)}


@attrs.frozen(eq=False)
class ConfirmTask(PairTask):
    """Explicit candidate pairs (positions a[i], b[i]) rather than a range of pair indices; besides
    the record columns, their distributions of turns and every combat's turns, from one play."""

    a: tuple[int, ...] = ()
    b: tuple[int, ...] = ()

    def compute(self, state, start, stop):
        return self.simulate(state, np.asarray(self.a[start:stop]), np.asarray(self.b[start:stop]), combats=True)


class Stage2:
    name = "stage2"
    requires = ("stage1",)
    settings = Stage2Settings

    def check_settings(self, settings: Stage2Settings, config):
        return stage2_problems(settings, config)

    def selected(self, config):
        return [("stage2.policy", "balance_policies", config.stage2.policy)]

    def run(self, ctx) -> None:
        session = ctx.session
        c = session.config
        attacks1 = ctx.run.read_table("stage1", "attacks")
        kept = ctx.run.read_table("stage1", "kept")["attack"]
        builds = tuple(
            Build(attacks1["attack_type"][i], attacks1["upgrades"][i], attacks1["limits"][i]) for i in kept
        )
        if len(builds) < 2:
            raise UsageError(f"stage 2 needs at least two attacks from stage 1, and {len(builds)} were kept")
        table = attack_table(session.rules, list(builds))
        table["stage1_attack"] = list(kept)
        ctx.run.write_table(self.name, "attacks", table)
        cells = len(session.grid.cells)

        solos = self.solos(ctx, builds, "solos", c.stage2.runs, STREAM_STAGE2)
        sample = PairSample.build(len(builds), c.seed, c.stage2.sample_fraction, c.stage2.max_pairs)
        if sample.size == 0:
            raise UsageError(
                f"stage2.sample_fraction = {c.stage2.sample_fraction:g} selects none of the "
                f"{pair_count(len(builds)):,} pairs; raise it"
            )
        task = PairTask(
            builds, tuple(table["cost"]), tuple(solos.overall.tolist()), c.stage2.runs, c.seed, STREAM_STAGE2,
            c.stage2.policy, sample,
        )
        info = {"pairs_total": pair_count(len(builds)), "pairs_sampled": sample.size, "sample_fraction": sample.fraction}
        ctx.simulate(self.name, schema(session.grid), task, sample.size, cells * c.stage2.runs, info=info)
        self.confirm(ctx, builds, table)

    def solos(self, ctx, builds, name: str, runs: int, stream: int, attacks=None) -> Solos:
        """Each attack alone, or only ``attacks`` (the rows of the others: NaN, timeouts -1)."""
        if ctx.run.has_table(self.name, name):
            return Solos.from_table(ctx.run.read_table(self.name, name))
        c = ctx.session.config
        which = np.arange(len(builds)) if attacks is None else np.asarray(attacks, dtype=np.int64)
        task = SoloTask(tuple(builds[i] for i in which), runs, c.seed, stream, c.stage2.policy)
        cols = ctx.compute(f"{self.name} {name}", task, len(which), len(ctx.session.grid.cells) * runs)
        solos = Solos(np.full(len(builds), np.nan), np.full(len(builds), np.nan), np.full(len(builds), -1))
        for have, got in zip((solos.overall, solos.se, solos.timeouts), (cols["overall"], cols["se"], cols["timeouts"])):
            have[which] = got
        ctx.run.write_table(self.name, name, solos.to_table())
        return solos

    def confirm(self, ctx, builds, table) -> None:
        """Re-simulate the best candidates with fresh dice and more runs; rank by those results."""
        c = ctx.session.config
        count = max(c.stage2.confirm_top, 0)
        if count == 0 or ctx.run.has_table(self.name, "confirmed"):
            return
        top = ctx.run.stage_reader(self.name).top_n(count, score="overall", tiebreak=("a", "b"))
        a, b = np.asarray(top["a"]), np.asarray(top["b"])
        # only the attacks of these pairs (48 of 3,296 on the default run): nobody reads the others
        solos = self.solos(ctx, builds, "confirm_solos", c.stage2.confirm_runs, STREAM_CONFIRM, np.union1d(a, b))
        task = ConfirmTask(
            builds, tuple(table["cost"]), tuple(solos.overall.tolist()), c.stage2.confirm_runs, c.seed,
            STREAM_CONFIRM, c.stage2.policy, None, tuple(a.tolist()), tuple(b.tolist()),
        )
        combats = len(ctx.session.grid.cells) * c.stage2.confirm_runs
        # One play gives the sums, the distributions of turns and every combat's turns (for the errors
        # of differences, pair minus pair and pair minus its better solo: stages/paired.py).
        cols = ctx.compute("confirmation", task, len(a), combats)
        C, R = len(ctx.session.grid.cells), c.stage2.confirm_runs
        turns = cols.pop("turns").reshape(len(a), C, R)
        # the better attacks alone, on the same dice
        better = np.where(solos.overall[a] <= solos.overall[b], a, b)  # as the policy check picks it
        attacks = np.unique(better)
        turns_task = TurnsTask.over(builds, R, c.seed, STREAM_CONFIRM, c.stage2.policy, c.stage2.max_turns or None,
                                    attacks.tolist())
        solo_turns = ctx.compute("confirmation solo combats", turns_task, len(attacks), combats)["turns"].reshape(
            len(attacks), C, R)
        score, grid = scoring(ctx.session), ctx.session.grid
        cols["solo_diff_se"] = difference_se(score, grid, turns, solo_turns[np.searchsorted(attacks, better)])
        ranked = confirmed_ranking(cols, top["overall"], lambda i: difference_se(score, grid, turns, turns[i]))
        ctx.run.write_table(self.name, "confirmed", ranked)


def confirmed_ranking(cols: dict, screening: np.ndarray, paired_se=None) -> dict:
    """Rank by confirmed score (ties: pair id); 95 % intervals; which pairs are tied with rank 1.

    A pair is tied with rank 1 when its score exceeds rank 1's by at most 1.96 standard errors of
    the difference (``first_diff_se``). ``paired_se(i)``: each pair's standard error of its score
    minus pair ``i``'s (row of ``cols``), from the per-combat differences: the confirmation plays
    every pair on the same dice, so this is the right error; without it the two are taken as
    independent, sqrt(se² + se_1²), which is off by the pairs' correlation on those dice."""
    order = np.lexsort((cols["b"], cols["a"], cols["overall"]))
    overall, se = cols["overall"][order], cols["se"][order]
    half = 1.96 * se
    if len(order) == 0:
        diff_se = se
    elif paired_se is None:
        diff_se = np.sqrt(se**2 + se[0] ** 2)
    else:
        diff_se = np.asarray(paired_se(order[0]), dtype=np.float64)[order]
    tied = (overall - overall[:1]) <= 1.96 * diff_se
    out = {k: np.asarray(v)[order].tolist() for k, v in cols.items()}
    out.update(
        rank=list(range(1, len(order) + 1)),
        ci_low=(overall - half).tolist(),
        ci_high=(overall + half).tolist(),
        first_diff_se=diff_se.tolist(),
        tied_with_first=tied.tolist(),
        screening_overall=np.asarray(screening)[order].tolist(),
    )
    return out


@hookimpl
def balance_stages():
    return [Stage2()]
