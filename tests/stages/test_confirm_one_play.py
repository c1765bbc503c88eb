"""The confirmation plays its pairs once: the record columns (sums), the distributions of turns and
every combat's turns all come from that play. Here they are checked against the three separate
plays the stage made before (``PairTask.simulate``'s sums, ``DistributionTask``'s histograms,
``TurnsTask``'s per-combat turns), figure for figure, for the raced default policy and for greedy,
with the compiled kernel and with the numpy turn loop (a kernel without whole combats). Equal, not
close: the same combats on the same dice."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from balance.engine import Simulator
from balance_plugins.stages.common import STREAM_CONFIRM
from balance_plugins.stages.distributions import DistributionTask
from balance_plugins.stages.paired import TurnsTask
from balance_plugins.stages.stage2 import ConfirmTask
from balance_rules.vitality.kernel import VitalityKernel
from tests.stages.test_statistics import raced_turns_here, turns_by_run
from tests.stages.tiny import tiny_session_builds

N = 8
RUNS = 6


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return tiny_session_builds(tmp_path_factory.mktemp("confirm"), 7, N)


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
@pytest.mark.parametrize("policy", ["default", "greedy"])
def test_one_play_gives_the_three_plays_figures(setup, policy, kernel):
    session, builds, costs = setup
    a = (0, 1, 2, 3, 5, 6)
    b = (7, 4, 5, 6, 7, 2)
    solo = tuple(float(x) for x in np.linspace(3, 9, N))
    task = ConfirmTask(builds, costs, solo, RUNS, 5, STREAM_CONFIRM, policy, None, a, b)
    state = task.prepare(session)
    if kernel == "numpy":
        sim = state[0]
        state = (Simulator(VitalityKernel(None, sim.kernel.ruleset), sim.builds, sim.grid, sim.attacker,
                           sim.max_turns, sim.policy), *state[1:])
    one = task.compute(state, 0, len(a))

    sums = task.simulate(state, np.asarray(a), np.asarray(b))  # the record columns alone
    dist_task = DistributionTask(builds, RUNS, 5, STREAM_CONFIRM, policy, session.config.stage2.max_turns or None, a, b)
    dist = dist_task.compute(state, 0, len(a))
    turns = TurnsTask(*(getattr(dist_task, f.name) for f in attrs.fields(DistributionTask))).compute(state, 0, len(a))
    # and every combat rebuilt from plays of one run each (the race: each plan's combats where it won)
    sim, pairs = state[0], np.stack([a, b], axis=1)
    if policy == "greedy":
        by_run = turns_by_run(sim, pairs, RUNS, 5, STREAM_CONFIRM)
    else:
        greedy = Simulator(sim.kernel, sim.builds, sim.grid, sim.attacker, sim.max_turns, sim.policy.race[0])
        by_run = raced_turns_here(sim, greedy, pairs, RUNS, 5, STREAM_CONFIRM)
    np.testing.assert_array_equal(one["turns"], by_run.reshape(len(a), -1))

    assert list(one) == [*sums, *(k for k in dist if k != "combats"), "turns"]
    for k, v in (sums | {k: v for k, v in dist.items() if k != "combats"} | turns).items():
        np.testing.assert_array_equal(one[k], v, err_msg=k)
    C = len(session.grid.cells)
    assert one["turns"].shape == (len(a), C * RUNS)
    assert (dist["combats"] == C * RUNS).all() and np.ptp(one["turns"]) > 0


@pytest.mark.parametrize("policy", ["default", "first"])
def test_a_task_over_a_few_candidates_carries_only_their_builds(setup, policy):
    """``CandidateTask.over`` ships and compiles only the builds its candidates use, renumbered;
    the dice never depend on a candidate's index, so every figure is the one of the task over
    all builds."""
    session, builds, _ = setup
    a, b = (6, 1, 6, 3), ((2, 7, 7, 2) if policy == "default" else ())
    args = (RUNS, 5, STREAM_CONFIRM, policy, session.config.stage2.max_turns or None)
    whole = DistributionTask(builds, *args, a, b)
    few = DistributionTask.over(builds, *args, a, b)
    used = sorted(set(a) | set(b))
    assert few.builds == tuple(builds[i] for i in used) and len(few.builds) < len(builds)
    assert [few.builds[i] for i in few.a] == [builds[i] for i in a]
    assert [few.builds[i] for i in few.b] == [builds[i] for i in b]
    got = few.compute(few.prepare(session), 0, len(a))
    want = whole.compute(whole.prepare(session), 0, len(a))
    assert np.ptp(want["turns_p90"]) > 0
    for k in want:
        np.testing.assert_array_equal(got[k], want[k], err_msg=k)
