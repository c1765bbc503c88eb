"""The figures a designer reads, pinned by values computed here rather than by the code under test.

The scoring and the confirmed ranking get hand-computed numbers (typed in, with the arithmetic in the
comments). Stage 2's synergy, gain and confirmation are checked on a real tiny run against solos and
pairs simulated here with the engine alone, and scored here with plain numpy: the stage's statistics
code is never used to compute an expected value. Everything runs in this process (one worker), so a
mutation of the stage or the scoring is seen by these tests.
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from balance.builds import Build
from balance.cli.main import main
from balance.engine import Simulator
from balance.session import open_session
from balance_plugins.scoring.mean_turns import MeanTurns
from balance.paired import difference_se
from balance_plugins.stages.stage2 import confirmed_ranking
from tests.stages.tiny import read_stage, read_table, write_tiny

SEED = 11
STAGE2_RUNS, CONFIRM_RUNS, CONFIRM_TOP = 2, 6, 5  # as in tests/stages/tiny.py


# -- the scoring plugin ---------------------------------------------------------------------------

#: 2 profiles x 1 buff x 2 scenarios (cells are profile-major: p0s0, p0s1, p1s0, p1s1), 3 runs.
GRID = SimpleNamespace(profiles=["p0", "p1"], buffs=["none"], scenarios=["s0", "s1"])
TURNS = np.array(
    [
        # candidate 0: cell means 4, 3, 2, 12; sample variances 4, 0, 1, 7
        [[2, 4, 6], [3, 3, 3], [1, 2, 3], [10, 11, 15]],
        # candidate 1: cell means 5, 5, 8, 2; sample variances 1, 4, 0, 0
        [[4, 5, 6], [3, 5, 7], [8, 8, 8], [2, 2, 2]],
    ],
    dtype=float,
)


def scored(turns: np.ndarray, timeouts=None):
    timeouts = np.zeros(turns.shape[:2], dtype=np.int64) if timeouts is None else timeouts
    return MeanTurns().score(turns.sum(axis=2), (turns**2).sum(axis=2), timeouts, turns.shape[2], GRID)


def test_scoring_cell_means_and_standard_errors_by_hand():
    s = scored(TURNS)
    np.testing.assert_allclose(s.cell_mean, [[4, 3, 2, 12], [5, 5, 8, 2]])
    # se of a cell mean = sqrt(sample variance (divisor runs - 1) / runs)
    np.testing.assert_allclose(
        s.cell_se,
        [[math.sqrt(4 / 3), 0, math.sqrt(1 / 3), math.sqrt(7 / 3)], [math.sqrt(1 / 3), math.sqrt(4 / 3), 0, 0]],
        atol=1e-12,
    )


def test_overall_is_the_mean_of_the_cells_and_its_standard_error():
    s = scored(TURNS)
    # candidate 0: (4 + 3 + 2 + 12) / 4 = 5.25 (the median of the cells would be 3.5);
    # candidate 1: (5 + 5 + 8 + 2) / 4 = 5 (median 5: only candidate 0 tells mean from median)
    np.testing.assert_allclose(s.overall, [5.25, 5.0])
    # se(overall) = sqrt(sum of cell variances of the mean) / cells:
    # candidate 0: sqrt(4/3 + 0 + 1/3 + 7/3) / 4 = sqrt(4) / 4 = 0.5
    # candidate 1: sqrt(1/3 + 4/3 + 0 + 0) / 4 = sqrt(5/3) / 4
    np.testing.assert_allclose(s.se, [0.5, math.sqrt(5 / 3) / 4])


def test_means_per_profile_buff_and_scenario():
    s = scored(TURNS)
    np.testing.assert_allclose(s.by_profile, [[3.5, 7.0], [5.0, 5.0]])  # (4+3)/2, (2+12)/2 | (5+5)/2, (8+2)/2
    np.testing.assert_allclose(s.by_scenario, [[3.0, 7.5], [6.5, 3.5]])  # (4+2)/2, (3+12)/2 | (5+8)/2, (5+2)/2
    np.testing.assert_allclose(s.by_buff, [[5.25], [5.0]])


def test_timeouts_are_summed_over_cells():
    t = np.array([[0, 1, 0, 2], [3, 0, 0, 0]])
    s = scored(TURNS, t)
    np.testing.assert_array_equal(s.timeouts, [3, 3])
    np.testing.assert_array_equal(s.cell_timeouts, t)


def test_one_run_gives_no_standard_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no 0/0 warning on the user's console either
        s = scored(TURNS[:, :, :1])
    assert np.isnan(s.cell_se).all() and np.isnan(s.se).all()
    np.testing.assert_allclose(s.overall, [(2 + 3 + 1 + 10) / 4, (4 + 3 + 8 + 2) / 4])


def test_two_runs_use_the_sample_variance():
    # cell [1, 3]: sample variance 2 (divisor 1), se sqrt(2 / 2) = 1; one cell only
    grid = SimpleNamespace(profiles=["p"], buffs=["b"], scenarios=["s"])
    s = MeanTurns().score(np.array([[4.0]]), np.array([[10.0]]), np.zeros((1, 1), int), 2, grid)
    np.testing.assert_allclose(s.cell_se, [[1.0]])
    np.testing.assert_allclose(s.se, [1.0])


# -- the confirmed ranking: intervals and ties ----------------------------------------------------


def ranking_input():
    # pairs given out of order; every se is 1, so the se of a difference with rank 1 is sqrt(2) and
    # "tied with #1" means within 1.96 * sqrt(2) = 2.7719 turns of the best.
    return {
        "a": np.array([0, 1, 2, 3, 4]),
        "b": np.array([9, 9, 9, 9, 9]),
        "overall": np.array([12.8, 10.0, 12.7, 10.5, 10.0]),
        "se": np.array([1.0, 1.0, 1.0, 1.0, 1.0]),
        "synergy": np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
    }


def test_confirmed_ranking_orders_by_score_then_pair():
    r = confirmed_ranking(ranking_input(), np.array([20.0, 21.0, 22.0, 23.0, 24.0]))
    assert r["rank"] == [1, 2, 3, 4, 5]
    assert r["a"] == [1, 4, 3, 2, 0]  # 10.0 (a=1) before 10.0 (a=4): ties broken by pair id
    assert r["overall"] == [10.0, 10.0, 10.5, 12.7, 12.8]
    assert r["synergy"] == [2.0, 5.0, 4.0, 3.0, 1.0]  # every column travels with its pair
    assert r["screening_overall"] == [21.0, 24.0, 23.0, 22.0, 20.0]


def test_confirmed_ranking_ties_with_the_first_at_1_96_standard_errors():
    r = confirmed_ranking(ranking_input(), np.zeros(5))
    # differences from the best: 0, 0, 0.5, 2.7 (< 2.7719: tied), 2.8 (> 2.7719: not tied)
    assert r["tied_with_first"] == [True, True, True, True, False]


def test_tie_threshold_scales_with_both_standard_errors():
    cols = {"a": np.array([0, 1]), "b": np.array([5, 5]), "overall": np.array([10.0, 13.0]),
            "se": np.array([0.5, 1.5])}
    # se of the difference: sqrt(0.25 + 2.25) = 1.5811; 1.96 x that = 3.099 > 3: tied
    assert confirmed_ranking(cols, np.zeros(2))["tied_with_first"] == [True, True]
    cols["overall"] = np.array([10.0, 13.2])  # 3.2 > 3.099: not tied
    assert confirmed_ranking(cols, np.zeros(2))["tied_with_first"] == [True, False]
    # 3.05 is inside 3.099 (both variances), outside 1.96 x sqrt(0.125 + 2.25) = 3.021 (a wrong power)
    cols["overall"] = np.array([10.0, 13.05])
    assert confirmed_ranking(cols, np.zeros(2))["tied_with_first"] == [True, True]


def test_equal_scores_without_spread_are_tied():
    # every combat of both pairs lasted the same: se 0, and a difference of 0 is still a tie
    cols = {"a": np.array([0, 1, 2]), "b": np.array([5, 5, 5]), "overall": np.array([4.0, 4.0, 5.0]),
            "se": np.zeros(3)}
    r = confirmed_ranking(cols, np.zeros(3))
    assert r["tied_with_first"] == [True, True, False]
    assert r["ci_low"] == r["ci_high"] == [4.0, 4.0, 5.0]


def test_confirmed_intervals_are_1_96_standard_errors_wide():
    cols = {"a": np.array([0, 1]), "b": np.array([5, 5]), "overall": np.array([10.0, 12.0]),
            "se": np.array([0.5, 2.0])}
    r = confirmed_ranking(cols, np.zeros(2))
    np.testing.assert_allclose(r["ci_low"], [10.0 - 0.98, 12.0 - 3.92])
    np.testing.assert_allclose(r["ci_high"], [10.0 + 0.98, 12.0 + 3.92])


# -- paired differences: pairs on the same dice ---------------------------------------------------


def test_difference_se_is_the_scorings_error_of_the_per_combat_differences():
    # TURNS[0] - TURNS[1] per cell: [-2, -1, 0] (var 1), [0, -2, -4] (var 4), [-7, -6, -5] (var 1),
    # [8, 9, 13] (var 7); se = sqrt((1 + 4 + 1 + 7) / 3) / 4. The independent formula would give
    # sqrt(0.5² + (sqrt(5/3)/4)²) = 0.5923 against this 0.5204: not what is computed here.
    got = difference_se(MeanTurns(), GRID, TURNS[:1], TURNS[1])
    np.testing.assert_allclose(got, [math.sqrt(13 / 3) / 4])
    # a candidate exactly one turn slower in every combat differs by 1 with no error at all,
    # however much each candidate's own turns spread
    np.testing.assert_allclose(difference_se(MeanTurns(), GRID, TURNS + 1, TURNS), [0.0, 0.0], atol=1e-12)
    assert (scored(TURNS).se > 0.3).all()


def test_ties_use_the_paired_error_of_the_difference_when_given():
    # rank 1 is row 2 of the input (overall 10); row 0: 11.5, row 1: 12.5; each se 1, so the
    # independent error of a difference is sqrt(2) and 1.96 x sqrt(2) = 2.77 ties both.
    cols = {"a": np.array([0, 1, 2]), "b": np.array([5, 5, 5]), "overall": np.array([11.5, 12.5, 10.0]),
            "se": np.ones(3)}
    assert confirmed_ranking(cols, np.zeros(3))["tied_with_first"] == [True, True, True]
    asked = []

    def paired(i):
        asked.append(i)
        # errors of (row - row i), as rows of the input: row 0: 0.75, row 1: 1.25 (row i: 0)
        return np.array([0.75, 1.25, 0.0]) if i == 2 else np.full(3, np.nan)

    r = confirmed_ranking(cols, np.zeros(3), paired)
    assert asked == [2]  # the first pair's row in the input, not its rank
    # 1.5 <= 1.96 x 0.75 = 1.47? no: not tied; 2.5 <= 1.96 x 1.25 = 2.45? no: not tied
    assert r["tied_with_first"] == [True, False, False]
    np.testing.assert_allclose(r["first_diff_se"], [0.0, 0.75, 1.25])
    # just inside: 1.46 <= 1.47 and 2.44 <= 2.45
    cols["overall"] = np.array([11.46, 12.44, 10.0])
    assert confirmed_ranking(cols, np.zeros(3), paired)["tied_with_first"] == [True, True, True]
    # the pairs' own intervals are not differences: still 1.96 x their own se
    np.testing.assert_allclose(r["ci_low"], [10.0 - 1.96, 11.5 - 1.96, 12.5 - 1.96])


# -- stage 2 on a real run against an independent computation -------------------------------------


@pytest.fixture
def tiny_run(tmp_path):
    """A tiny two-stage run in this process (one worker), and the engine set up as the stage has it.

    Each test runs its own (about a second): a mutation tester credits a test only with the code
    that ran during it, so a run shared between tests would hide stage 2 from all but the first."""
    tmp = tmp_path
    config = write_tiny(tmp / "tiny.toml", seed=SEED)
    run_dir = tmp / "run"
    assert main(["run", str(config), "--out", str(run_dir), "--workers", "1", "--no-reports"]) == 0
    session = open_session(str(config))
    att = read_table(run_dir, "stage2", "attacks")
    builds = [Build(t, u, lim) for t, u, lim in zip(att["attack_type"], att["upgrades"], att["limits"])]
    c = session.config
    assert (c.stage2.runs, c.stage2.confirm_runs, c.stage2.confirm_top) == (STAGE2_RUNS, CONFIRM_RUNS, CONFIRM_TOP)
    policy = session.plugins.component("balance_policies", c.stage2.policy)
    sim = Simulator(session.kernel(), builds, session.grid, c.attacker, c.max_turns, policy)
    return SimpleNamespace(dir=run_dir, sim=sim, n=len(builds), seed=c.seed)


def overall_here(sim, candidates, runs, seed, stream):
    """Mean turns over the cells, each cell the mean of its runs: plain numpy on the engine's sums."""
    res = sim.run(np.asarray(candidates).reshape(len(candidates), -1), runs, seed, stream=stream)
    return (res.turn_sum / runs).mean(axis=1)


def test_stage2_records_hold_the_pair_score_synergy_and_gain_vs_the_better_solo(tiny_run):
    rec = read_stage(tiny_run.dir, "stage2")
    a, b = rec["a"].astype(int), rec["b"].astype(int)
    # solos and pairs under the pairs' own conditions: stage 2's dice stream (1), its runs
    solo = overall_here(tiny_run.sim, np.arange(tiny_run.n), STAGE2_RUNS, tiny_run.seed, 1)
    pair = overall_here(tiny_run.sim, np.stack([a, b], axis=1), STAGE2_RUNS, tiny_run.seed, 1)
    np.testing.assert_allclose(rec["overall"], pair, rtol=1e-6)
    np.testing.assert_allclose(read_table(tiny_run.dir, "stage2", "solos")["overall"], solo, rtol=1e-12)
    sa, sb = solo[a], solo[b]
    better = np.minimum(sa, sb)
    assert (np.abs(sa - sb) > 0.5).sum() > len(a) // 2  # the solos differ: better and worse are not the same
    np.testing.assert_allclose(rec["synergy"], ((sa + sb) / 2 - pair) / ((sa + sb) / 2) * 100, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(rec["gain_vs_best"], (better - pair) / better * 100, rtol=1e-5, atol=1e-4)


def test_confirmation_draws_fresh_dice_and_ranks_the_screening_top(tiny_run):
    conf = read_table(tiny_run.dir, "stage2", "confirmed")
    rec = read_stage(tiny_run.dir, "stage2")
    a, b = np.asarray(conf["a"]), np.asarray(conf["b"])
    assert len(a) == CONFIRM_TOP
    pairs = np.stack([a, b], axis=1)
    same_dice = overall_here(tiny_run.sim, pairs, CONFIRM_RUNS, tiny_run.seed, 1)  # screening's stream
    assert not np.allclose(conf["overall"], same_dice), "confirmation reused the screening dice"
    # the screening figures it reports are those of the stage-2 records of the same pairs
    key = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(rec["a"], rec["b"]))}
    rows = [key[(int(x), int(y))] for x, y in zip(a, b)]
    np.testing.assert_allclose(conf["screening_overall"], rec["overall"][rows], rtol=1e-6)
    # fresh dice: a stream that neither stage 1 (0) nor stage 2 (1) uses, with the confirmation's runs
    fresh = overall_here(tiny_run.sim, pairs, CONFIRM_RUNS, tiny_run.seed, 2)
    np.testing.assert_allclose(conf["overall"], fresh, rtol=1e-12)
    np.testing.assert_allclose(conf["ci_high"], np.asarray(conf["overall"]) + 1.96 * np.asarray(conf["se"]))
    # the confirmation's synergy and gain are against solos on the same fresh dice
    solo = overall_here(tiny_run.sim, np.arange(tiny_run.n), CONFIRM_RUNS, tiny_run.seed, 2)
    # measured for the confirmed pairs' attacks only, the same figures as each attack simulated here
    confirm_solos = np.asarray(read_table(tiny_run.dir, "stage2", "confirm_solos")["overall"], dtype=float)
    used = np.union1d(a, b)
    assert len(used) < tiny_run.n and np.isnan(np.delete(confirm_solos, used)).all()
    np.testing.assert_allclose(confirm_solos[used], solo[used], rtol=1e-12)
    better = np.minimum(solo[a], solo[b])
    np.testing.assert_allclose(conf["gain_vs_best"], (better - fresh) / better * 100, rtol=1e-9)
    mean = (solo[a] + solo[b]) / 2
    np.testing.assert_allclose(conf["synergy"], (mean - fresh) / mean * 100, rtol=1e-9)
    # the confirmed pairs are the screening's best, ranked by their confirmed score
    top = np.lexsort((rec["b"], rec["a"], rec["overall"]))[:CONFIRM_TOP]
    assert sorted(zip(rec["a"][top].tolist(), rec["b"][top].tolist())) == sorted(zip(conf["a"], conf["b"]))
    assert conf["rank"] == list(range(1, CONFIRM_TOP + 1))
    assert conf["overall"] == sorted(conf["overall"])


def turns_by_run(sim, candidates, runs, seed, stream):
    """Every combat's turns (n, C, runs), one run at a time: a run's dice depend on its run index
    only, so ``run(runs=1, run_offset=r)`` is combat r of each cell (no raced policy: a race's
    pilot would change with the runs)."""
    cand = np.asarray(candidates).reshape(len(candidates), -1)
    return np.stack([sim.run(cand, 1, seed, stream=stream, run_offset=r).turn_sum for r in range(runs)], axis=-1)


def raced_turns_here(sim, greedy, candidates, runs, seed, stream):
    """The raced policy's combats rebuilt from plain runs: per (pair, cell) the plan the race
    picks (attack 1 alone, attack 2 alone, the greedy policy), then that plan's combats."""
    cand = np.asarray(candidates)
    choice = sim.race_choice(cand, runs, seed, stream, 0, tuple(sim.policy.race))
    plans = [turns_by_run(greedy, cand[:, j], runs, seed, stream) for j in range(2)]
    plans.append(turns_by_run(greedy, cand, runs, seed, stream))
    return np.choose(choice[..., None], plans)


def test_per_combat_turns_are_the_combats_of_the_sums(tiny_run):
    sim = tiny_run.sim
    policy = sim.policy
    assert getattr(policy, "race", None), "the tiny run's policy is the raced default"
    greedy = Simulator(sim.kernel, sim.builds, sim.grid, sim.attacker, sim.max_turns, policy.race[0])
    pairs = np.array([[0, 1], [2, 5], [3, 4], [1, 6]])
    for s, cand in ((greedy, pairs), (greedy, np.arange(5)), (sim, pairs), (sim, np.arange(5))):
        t = s.turns(cand, CONFIRM_RUNS, tiny_run.seed, stream=2)
        res = s.run(cand, CONFIRM_RUNS, tiny_run.seed, stream=2)
        np.testing.assert_array_equal(t.sum(axis=2), res.turn_sum)
        np.testing.assert_array_equal((t**2).sum(axis=2), res.turn_sumsq)
    # combat by combat against runs made one at a time (sums alone would not see a run moved)
    np.testing.assert_array_equal(greedy.turns(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2),
                                  turns_by_run(greedy, pairs, CONFIRM_RUNS, tiny_run.seed, 2))
    np.testing.assert_array_equal(sim.turns(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2),
                                  raced_turns_here(sim, greedy, pairs, CONFIRM_RUNS, tiny_run.seed, 2))
    # a kernel without whole combats: the engine's turn loop gives the same combats
    from balance_rules.vitality.kernel import VitalityKernel

    for policy in (policy, policy.race[0]):
        loop = Simulator(VitalityKernel(None, sim.kernel.ruleset), sim.builds, sim.grid, sim.attacker, sim.max_turns,
                         policy)
        compiled = Simulator(sim.kernel, sim.builds, sim.grid, sim.attacker, sim.max_turns, policy)
        np.testing.assert_array_equal(loop.turns(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2),
                                      compiled.turns(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2))

    class SecondFirst:
        """A policy the compiled kernel does not know (no ``rule``): the turn loop plays it."""

        name, needs_view = "second first", False

        def choose(self, view, usable):
            return np.where(usable[:, 1], 1, 0)

    odd = Simulator(sim.kernel, sim.builds, sim.grid, sim.attacker, sim.max_turns, SecondFirst())
    t = odd.turns(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2)
    np.testing.assert_array_equal(t.sum(axis=2), odd.run(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2).turn_sum)
    assert not np.array_equal(t, greedy.turns(pairs, CONFIRM_RUNS, tiny_run.seed, stream=2))  # another policy


def test_confirmation_ties_and_policy_errors_come_from_paired_combats(tiny_run):
    conf = read_table(tiny_run.dir, "stage2", "confirmed")
    sim = tiny_run.sim
    greedy = Simulator(sim.kernel, sim.builds, sim.grid, sim.attacker, sim.max_turns, sim.policy.race[0])
    pairs = np.stack([conf["a"], conf["b"]], axis=1)
    turns = raced_turns_here(sim, greedy, pairs, CONFIRM_RUNS, tiny_run.seed, 2).astype(float)
    # the rows are ranked: row 0 is #1. Scored here with plain numpy: mean of cell means.
    d = turns - turns[0]
    cell_var = d.var(axis=2, ddof=1) / CONFIRM_RUNS
    expected = np.sqrt(cell_var.sum(axis=1)) / d.shape[1]
    np.testing.assert_allclose(conf["first_diff_se"], expected, rtol=1e-9, atol=1e-12)
    overall = np.asarray(conf["overall"])
    np.testing.assert_array_equal(conf["tied_with_first"], overall - overall[0] <= 1.96 * expected)
    independent = np.sqrt(np.asarray(conf["se"]) ** 2 + conf["se"][0] ** 2)
    assert (expected[1:] < independent[1:]).all(), "common dice: the paired error is the smaller"
    # pair minus its better attack alone (by the confirmation solos), combat by combat
    solo = read_table(tiny_run.dir, "stage2", "confirm_solos")["overall"]
    better = np.where(np.asarray(solo)[pairs[:, 0]] <= np.asarray(solo)[pairs[:, 1]], pairs[:, 0], pairs[:, 1])
    solo_turns = turns_by_run(greedy, better, CONFIRM_RUNS, tiny_run.seed, 2)
    d = turns - solo_turns
    expected = np.sqrt((d.var(axis=2, ddof=1) / CONFIRM_RUNS).sum(axis=1)) / d.shape[1]
    np.testing.assert_allclose(conf["solo_diff_se"], expected, rtol=1e-9, atol=1e-12)


# -- stage 1's dice groups against the engine alone -----------------------------------------------


def test_stage1_dice_groups_are_the_engine_sums_of_their_runs_and_change_no_other_column(tmp_path):
    """13 runs make 10 dice groups of 1 or 2 consecutive runs. Each group's turns must be the
    engine's sums over those run ids, and every other column what one simulation of all 13 runs
    gives (the groups add up exactly: turns are whole numbers), so records keep their values."""
    from balance_plugins.stages.stage1 import Stage1Task, dice_groups, schema

    session = open_session(str(write_tiny(tmp_path / "tiny.toml", seed=SEED)))
    runs = 13
    groups = dice_groups(runs)
    assert [b - a for a, b in groups] == [1, 1, 1, 2, 1, 1, 2, 1, 1, 2]
    assert groups[0][0] == 0 and groups[-1][1] == runs and all(b == c for (_, b), (c, _) in zip(groups, groups[1:]))
    task = Stage1Task(runs, SEED)
    state = task.prepare(session)
    sim, n = state[0], len(state[3])
    got = schema(session.grid, runs, session.config.max_turns).check_block(task.compute(state, 0, n), n)
    whole = sim.run(np.arange(n)[:, None], runs, SEED, stream=0)
    s = MeanTurns().score(whole.turn_sum, whole.turn_sumsq, whole.timeouts, runs, session.grid)
    np.testing.assert_array_equal(got["cell_mean"], s.cell_mean.astype(np.float32))
    np.testing.assert_array_equal(got["se"], s.se.astype(np.float32))
    np.testing.assert_array_equal(got["overall"], s.overall.astype(np.float32))
    np.testing.assert_array_equal(got["cell_timeouts"], whole.timeouts)
    for g, (a, b) in enumerate(groups):
        alone = sim.run(np.arange(n)[:, None], b - a, SEED, stream=0, run_offset=a)
        np.testing.assert_array_equal(got["group_turns"][:, g], alone.turn_sum)
    np.testing.assert_array_equal(got["group_runs"], np.tile([b - a for a, b in groups], (n, 1)))
    np.testing.assert_array_equal(got["group_turns"].sum(axis=1), whole.turn_sum)
