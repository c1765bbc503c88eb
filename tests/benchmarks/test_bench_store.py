"""Store benchmarks (pytest-benchmark). With ``--benchmark-disable`` (the default in pyproject)
each runs once on a small run as a smoke test; the full-scale figures come from
``python -m balance_plugins.store.bench --records 10000000`` (see docs/performance.md).

Writing and reading are each grouped with a floor on the same records: the raw column bytes
written to one file with one fsync, and the shard files' bytes read without decoding or checks.
``pytest tests/benchmarks/test_bench_store.py --benchmark-enable`` prints each pair side by side;
the difference is what framing, checksums, msgpack and the manifest cost."""

from __future__ import annotations

import os

import numpy as np
import pytest

from balance.aggregates import GroupSums, Histogram
from balance_plugins.store import MsgpackStore, RunInfo
from balance_plugins.store.bench import SYNERGY_BANDS, run_bench
from balance_plugins.store.synthetic import stage2_block, stage2_schema

RECORDS = 200_000


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("bench") / "run"
    run = MsgpackStore().create(run_dir, RunInfo(stages=("stage2",)))
    w = run.stage_writer("stage2", stage2_schema(), total=RECORDS)
    for s in range(0, RECORDS, 1 << 16):
        e = min(s + (1 << 16), RECORDS)
        w.write(s, e, stage2_block(s, e, n_attacks=1000))
    w.finish()
    return run_dir


@pytest.mark.benchmark(group=f"store write: {RECORDS:,} stage-2 records")
def test_bench_write(benchmark, tmp_path):
    blocks = [(s, min(s + (1 << 16), RECORDS), stage2_block(s, min(s + (1 << 16), RECORDS), n_attacks=1000))
              for s in range(0, RECORDS, 1 << 16)]
    counter = iter(range(10**6))

    def write():
        run = MsgpackStore().create(tmp_path / f"run{next(counter)}", RunInfo())
        w = run.stage_writer("stage2", stage2_schema(), total=RECORDS)
        for s, e, block in blocks:
            w.write(s, e, block)
        w.finish()
        return run

    run = benchmark(write)
    assert run.manifest["stages"]["stage2"]["records"] == RECORDS


@pytest.mark.benchmark(group=f"store write: {RECORDS:,} stage-2 records")
def test_bench_write_floor_raw_columns_one_fsync(benchmark, tmp_path):
    block = stage2_block(0, RECORDS, n_attacks=1000)
    arrays = [np.ascontiguousarray(block[c.name]) for c in stage2_schema().columns]
    counter = iter(range(10**6))

    def write():
        path = tmp_path / f"raw{next(counter)}.bin"
        with open(path, "wb") as f:
            for a in arrays:
                f.write(memoryview(a.reshape(-1).view(np.uint8)))
            f.flush()
            os.fsync(f.fileno())
        return path

    path = benchmark(write)
    assert path.stat().st_size == sum(a.nbytes for a in arrays)


@pytest.mark.benchmark(group=f"store read: {RECORDS:,} stage-2 records")
def test_bench_read(benchmark, written):
    reader = MsgpackStore().open(written).stage_reader("stage2")
    n = benchmark(lambda: sum(len(b["overall"]) for b in reader.blocks()))
    assert n == RECORDS


@pytest.mark.benchmark(group=f"store read: {RECORDS:,} stage-2 records")
def test_bench_read_floor_shard_bytes_unchecked(benchmark, written):
    files = sorted((written / "stage2").glob("*.shard"))

    def read():
        return sum(len(p.read_bytes()) for p in files)

    n = benchmark(read)
    run = MsgpackStore().open(written)
    assert n == run.manifest["stages"]["stage2"]["bytes"]


def test_bench_pass1_top5000(benchmark, written):
    reader = MsgpackStore().open(written).stage_reader("stage2")
    first = benchmark(lambda: reader.scan(tiebreak=("a_index", "b_index"), top=5000, aggregators={
        "cost": GroupSums("total_cost", 32, ("overall",)), "synergy": Histogram("synergy", SYNERGY_BANDS)}))
    assert first.count == RECORDS and len(first.top["overall"]) == 5000
    assert np.all(np.diff(first.top["overall"]) >= 0)


def test_bench_script_runs_end_to_end(tmp_path):
    out = run_bench(20_000, tmp_path / "run", quiet=True)
    assert out["records"] == 20_000 and out["bytes_per_record"] < 100
