"""Stage-2 throughput (pytest-benchmark): pairs of default-budget builds over the default grid,
2 runs, the default policy, through the real runner, executor and store.

Run with ``pytest tests/benchmarks/test_bench_stage2.py --benchmark-enable``; the whole-process
figure with 2 workers comes from ``python -m balance_plugins.stages.bench`` (docs/performance.md).
"""

from __future__ import annotations

import itertools

from balance.runner import run_pipeline
from balance.work import SessionSpec
from balance_plugins.stages.bench import prepare
from tests.stages.tiny import read_stage

PAIRS = 3000
counter = itertools.count()


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
