"""Report benchmarks (pytest-benchmark). With ``--benchmark-disable`` (the default) each runs once
on a small synthetic run as a smoke test; the 10-million-record figures come from
``python -m balance_plugins.reports.bench --records 10000000`` (see docs/performance.md)."""

from __future__ import annotations

import pytest

from balance_plugins.reports import bench, enh_tiers
from balance_plugins.stages.synthetic import make_run, pairs_for

RECORDS = 20_000


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("bench") / "run", budget=4, pairs=RECORDS,
                    n_stage2=pairs_for(RECORDS), confirm_top=50, block=4096)


def test_bench_all_stage2_reporters(benchmark, run_dir, tmp_path):
    def once():
        enh_tiers._CACHE.clear()  # measure the passes, not the cache
        return bench.run_reports(run_dir, tmp_path / "out")

    res = benchmark(once)
    assert set(res["per_reporter"]) == set(bench.STAGE2_REPORTERS)
    text = (tmp_path / "out" / "stage2" / "enhancement_ranking_top_0.1.md").read_text()
    assert f"**Pairs tested (records read)**: {RECORDS:,}" in text and "= **20 pairs**" in text


def test_bench_command_end_to_end(tmp_path, capsys):
    assert bench.main(["--records", "3000", "--dir", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "all stage-2 reporters:" in out and "peak RSS" in out
    assert (tmp_path / "run" / "reports" / "stage2" / "top_1000_pairs.md").exists()
