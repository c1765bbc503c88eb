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


def pair_task(session, builds, costs):
    """Stage 2's pairs of the ``N`` attacks (all 15), 2 runs, seed 5, against their solos."""
    policy = session.config.stage2.policy
    solos = SoloTask(builds, 2, 5, STREAM_STAGE2, policy)
    solo = tuple(solos.compute(solos.prepare(session), 0, N)["overall"].tolist())
    return PairTask(builds, costs, solo, 2, 5, STREAM_STAGE2, policy, PairSample.build(N, 5, 1.0))


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
    task = pair_task(session, builds, costs)
    sample, solo, policy = task.sample, task.solo, task.policy
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


def test_usage_shares_count_each_groups_turns():
    """Each attack's share of the turns per profile and per scenario, against a loop over the cells
    of a grid with several buffs (cells are profile-major, then buff, then scenario)."""
    from balance.grid import Buff, Grid, Profile, Scenario
    from balance_plugins.stages.stage2 import usage_shares

    grid = Grid(tuple(Profile(f"p{i}", (2, 2, 2, 2, 4)) for i in range(2)), (Buff("none"), Buff("acc", accuracy=2)),
                tuple(Scenario(f"s{i}", (10,) * (i + 1)) for i in range(3)))
    rng = np.random.default_rng(3)
    uses = rng.integers(0, 9, size=(5, len(grid.cells), 3))
    uses[2] = 0  # a candidate with no turns at all: shares 0, not NaN
    uses[3, :, :2] = 0  # basic attacks only
    got = usage_shares(uses, grid)
    for axis_name, key in (("profile", lambda c: c.profile), ("scenario", lambda c: c.scenario)):
        groups = grid.profiles if axis_name == "profile" else grid.scenarios
        for g, group in enumerate(groups):
            cells = [c.index for c in grid.cells if key(c) == group]
            turns = uses[:, cells].sum(axis=(1, 2))
            for slot, side in ((0, "a"), (1, "b")):
                want = np.where(turns > 0, uses[:, cells, slot].sum(axis=1) / np.maximum(turns, 1), 0.0)
                np.testing.assert_array_equal(got[f"usage_{side}_{axis_name}"][:, g], want)
    assert got["usage_a_profile"][2].tolist() == [0, 0] and got["usage_b_scenario"][3].tolist() == [0, 0, 0]


def test_records_come_back_in_the_stores_dtypes_with_the_writers_values(setup):
    """``Records`` casts a unit's columns in the worker, as the writer would in the main process:
    the same bytes (stage 2's float16 usage shares cast once from float64, never through float32),
    in fewer of them; columns the schema refuses come back untouched, for the writer's message."""
    from balance.work import Records
    from balance_plugins.stages.stage2 import schema

    session, builds, costs = setup
    task = pair_task(session, builds, costs)
    records = Records(task, schema(session.grid))
    state = records.prepare(session)
    raw, typed = task.compute(state, 2, 11), records.compute(state, 2, 11)
    assert list(typed) == list(records.schema.names)
    by_writer = records.schema.check_block(raw, 9)
    for col in records.schema.columns:
        assert typed[col.name].dtype == col.np_dtype, col.name
        assert typed[col.name].tobytes() == by_writer[col.name].tobytes(), col.name
        assert typed[col.name].tobytes() == raw[col.name].astype(col.np_dtype).tobytes(), col.name
    assert raw["usage_a_profile"].dtype == np.float64  # the cast is the worker's, not the task's
    assert sum(v.nbytes for v in typed.values()) < 0.5 * sum(np.asarray(v).nbytes for v in raw.values())

    class Broken:
        def prepare(self, session):
            return task.prepare(session)

        def compute(self, state, start, stop):
            return {**task.compute(state, start, stop), "overall": np.zeros(stop - start, dtype=np.int64) + 1j}

    passed = Records(Broken(), records.schema).compute(state, 0, 3)
    assert passed["overall"].dtype == np.complex128 and passed["a"].dtype == np.int64
