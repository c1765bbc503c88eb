"""Report benchmarks (pytest-benchmark). With ``--benchmark-disable`` (the default) each runs once
on a small synthetic run as a smoke test, except the timing of all stage-2 reporters: the command's
smoke test runs the same reporters (``bench.run_reports``) and checks the same page, and all of
them take seconds however small the run (their plots); the 10-million-record figures come from
``python -m balance_plugins.reports.bench --records 10000000`` (see docs/performance.md).

The reporters are grouped with a floor on the same run: one streaming pass over every stage-2
record, which is the least any report needs. ``pytest tests/benchmarks/test_bench_reports.py
--benchmark-enable`` prints them side by side."""

from __future__ import annotations

import pytest

from balance_plugins.reports import bench, enh_tiers
from balance_plugins.stages.synthetic import make_run, pairs_for
from balance_plugins.store import MsgpackStore

RECORDS = 20_000


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("bench") / "run", budget=4, pairs=RECORDS,
                    n_stage2=pairs_for(RECORDS), confirm_top=50, block=4096)


@pytest.mark.benchmark(group=f"stage-2 reports: {RECORDS:,} records")
def test_bench_all_stage2_reporters(benchmark, run_dir, tmp_path):
    if benchmark.disabled:
        pytest.skip("timing only: test_bench_command_end_to_end runs the same reporters as a smoke test")

    def once():
        enh_tiers._CACHE.clear()  # measure the passes, not the cache
        return bench.run_reports(run_dir, tmp_path / "out")

    res = benchmark(once)
    assert set(res["per_reporter"]) == set(bench.STAGE2_REPORTERS)
    text = (tmp_path / "out" / "stage2" / "enhancement_ranking_top_0.1.md").read_text()
    assert f"**Pairs tested (records read)**: {RECORDS:,}" in text and "= **20 pairs**" in text


@pytest.mark.benchmark(group=f"stage-2 reports: {RECORDS:,} records")
def test_bench_floor_one_pass_over_the_records(benchmark, run_dir):
    reader = MsgpackStore().open(run_dir).stage_reader("stage2")
    n = benchmark(lambda: sum(len(b["overall"]) for b in reader.blocks()))
    assert n == RECORDS


def test_bench_command_end_to_end(tmp_path, capsys):
    assert bench.main(["--records", "3000", "--dir", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "all stage-2 reporters:" in out and "peak RSS" in out
    for name in bench.STAGE2_REPORTERS:
        assert f"  {name} " in out
    assert (tmp_path / "run" / "reports" / "stage2" / "top_1000_pairs.md").exists()
    text = (tmp_path / "run" / "reports" / "stage2" / "enhancement_ranking_top_0.1.md").read_text()
    assert "**Pairs tested (records read)**: 3,000" in text and "= **3 pairs**" in text
