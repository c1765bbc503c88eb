"""Stage-2 throughput (pytest-benchmark), side by side with the engine alone: pairs of default-budget
builds over the default grid, 2 runs, the default policy. The stage figure goes through the real
runner, executor (one worker, in this process) and store, and adds the solos; the engine figure
simulates the very same sampled pairs with the same dice, so the difference is what the stage's
machinery costs.

Run with ``pytest tests/benchmarks/test_bench_stage2.py --benchmark-enable`` (both rows print in
one group); the whole-process figure with 2 workers comes from ``python -m balance_plugins.stages.bench``
(docs/performance.md).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from balance.builds import Build
from balance_plugins.stages.pairs import PairSample, pair_at
from balance.runner import run_pipeline
from balance.work import SessionSpec
from balance_plugins.stages.bench import prepare
from balance_plugins.stages.common import STREAM_STAGE2, simulator
from balance_plugins.store import MsgpackStore
from tests.stages.tiny import read_stage

PAIRS = 3000
GROUP = f"stage 2: {PAIRS:,} pairs x default grid x 2 runs, one worker"
counter = itertools.count()


@pytest.mark.benchmark(group=GROUP)
def test_stage2_pairs_per_second_one_worker(benchmark, tmp_path):
    def one_run():
        run_dir = tmp_path / f"run{next(counter)}"
        session = prepare(run_dir, PAIRS, runs=2, confirm_top=0)
        local = session.plugins.component("balance_executors", "local")
        run_pipeline(session, SessionSpec(str(run_dir / "config.toml")), run_dir, ["stage2"], 1, local, resume=True)
        return run_dir

    run_dir = benchmark.pedantic(one_run, rounds=1, iterations=1)
    records = read_stage(run_dir, "stage2")
    assert PAIRS * 0.9 < len(records["a"]) <= PAIRS
    assert (records["overall"] >= 1).all() and (records["overall"] <= 100).all()


@pytest.mark.benchmark(group=GROUP)
def test_engine_alone_on_the_same_pairs(benchmark, tmp_path):
    session = prepare(tmp_path / "run", PAIRS, runs=2, confirm_top=0)
    c = session.config
    run = MsgpackStore().open(tmp_path / "run")
    att, kept = run.read_table("stage1", "attacks"), run.read_table("stage1", "kept")["attack"]
    builds = [Build(att["attack_type"][i], att["upgrades"][i], att["limits"][i]) for i in kept]
    sample = PairSample.build(len(builds), c.seed, c.stage2.sample_fraction, c.stage2.max_pairs)
    a, b = pair_at(sample.indices(0, sample.size), len(builds))
    pairs = np.stack([a, b], axis=1)
    sim = simulator(session, builds, c.stage2.policy)
    res = benchmark.pedantic(lambda: sim.run(pairs, c.stage2.runs, c.seed, stream=STREAM_STAGE2), rounds=1, iterations=1)
    assert PAIRS * 0.9 < len(pairs) <= PAIRS
    assert res.turn_sum.shape == (len(pairs), len(session.grid.cells))
    assert (res.turn_sum >= c.stage2.runs).all()
