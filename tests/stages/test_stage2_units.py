"""Stage 2's work units give the same figures however the items are split, in this process.

The end-to-end tests prove this for whole runs in subprocesses; here the stage's own tasks (solos,
pairs, confirmation) run on the real engine, once over every item and once over uneven ranges, so
that an off-by-range mistake in a task shows up wherever the task runs."""

from __future__ import annotations

import numpy as np
import pytest

from balance_plugins.stages.pairs import PairSample, pair_at
from balance_plugins.stages.common import STREAM_CONFIRM, STREAM_STAGE2
from balance_plugins.stages.stage2 import ConfirmTask, PairTask, SoloTask
from tests.stages.tiny import tiny_session_builds

N = 6  # attacks: 15 pairs


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return tiny_session_builds(tmp_path_factory.mktemp("units"), 5, N)


def split(task, state, total, cuts):
    bounds = [0, *cuts, total]
    parts = [task.compute(state, lo, hi) for lo, hi in zip(bounds, bounds[1:])]
    return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]}


def assert_same(whole, parts):
    assert whole.keys() == parts.keys()
    for k in whole:
        np.testing.assert_array_equal(np.asarray(whole[k]), parts[k], err_msg=k)


def test_solos_do_not_depend_on_the_split(setup):
    session, builds, _ = setup
    task = SoloTask(builds, 2, 5, STREAM_STAGE2, session.config.stage2.policy)
    state = task.prepare(session)
    whole = task.compute(state, 0, N)
    assert len(whole["overall"]) == N
    assert_same(whole, split(task, state, N, [1, 4]))
    tail = task.compute(state, 4, N)
    np.testing.assert_array_equal(tail["overall"], whole["overall"][4:])


def test_pairs_and_confirmation_do_not_depend_on_the_split(setup):
    session, builds, costs = setup
    policy = session.config.stage2.policy
    solos = SoloTask(builds, 2, 5, STREAM_STAGE2, policy)
    solo = tuple(solos.compute(solos.prepare(session), 0, N)["overall"].tolist())
    sample = PairSample.build(N, 5, 1.0)
    task = PairTask(builds, costs, solo, 2, 5, STREAM_STAGE2, policy, sample)
    state = task.prepare(session)
    whole = task.compute(state, 0, sample.size)
    a, b = pair_at(sample.indices(0, sample.size), N)
    np.testing.assert_array_equal(whole["a"], a)
    np.testing.assert_array_equal(whole["b"], b)
    np.testing.assert_array_equal(whole["cost"], np.asarray(costs)[a] + np.asarray(costs)[b])
    assert_same(whole, split(task, state, sample.size, [4, 9]))

    pick = [3, 7, 11, 14]
    confirm = ConfirmTask(builds, costs, solo, 4, 5, STREAM_CONFIRM, policy, None,
                          tuple(int(a[i]) for i in pick), tuple(int(b[i]) for i in pick))
    cstate = confirm.prepare(session)
    cwhole = confirm.compute(cstate, 0, len(pick))
    np.testing.assert_array_equal(cwhole["a"], a[pick])
    np.testing.assert_array_equal(cwhole["b"], b[pick])
    assert_same(cwhole, split(confirm, cstate, len(pick), [1, 3]))
