"""Honest populations (corrupt shards skipped and counted), the run's seed and settings in every
report, and byte-identical output when reports are written twice."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from balance.errors import StoreError
from tests.reports.conftest import copy_run, write_all
from tests.reports.helpers import bullet, first_table, num, order, records, table


def corrupt_one_shard(run_dir, stage="stage2", which=1) -> int:
    """Flip a byte in the middle of a shard; return that shard's record count."""
    m = json.loads((run_dir / "manifest.json").read_text())
    shard = sorted(m["stages"][stage]["shards"], key=lambda s: s["start"])[which]
    path = run_dir / shard["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return shard["records"]


@pytest.fixture(scope="module")
def corrupt_run(synthetic_run, tmp_path_factory):
    run = copy_run(synthetic_run, tmp_path_factory.mktemp("corrupt") / "run")
    return run, corrupt_one_shard(run)


def test_corrupt_shard_is_an_error_unless_skipped(corrupt_run, tmp_path):
    run, _ = corrupt_run
    with pytest.raises(Exception) as info:
        write_all(run, tmp_path / "strict", only=["top_1000_pairs"])
    err = info.value
    while not isinstance(err, StoreError) and err.__cause__ is not None:
        err = err.__cause__
    assert "shard stage2/000001" in str(err) or "000001" in str(err)


def test_skipped_records_are_counted_in_every_stage2_report(corrupt_run, tmp_path):
    run, lost = corrupt_run
    out = write_all(run, tmp_path / "skip", skip_corrupt=True)
    rec = records(run, "stage2", skip_corrupt=True)
    n = len(rec["a"])
    assert n == 300 - lost and lost > 0
    for md_path in sorted((out / "stage2").glob("*.md")):
        md = md_path.read_text()
        assert bullet(md, "Pairs tested (records read)") == f"{n:,}", md_path.name
        assert bullet(md, "Records skipped (corrupt shards)").startswith(f"{lost:,} "), md_path.name
    # tiers are percentages of the records actually read
    md = (out / "stage2" / "enhancement_ranking_top_5.md").read_text()
    assert f"= **{math.ceil(n * 0.05)} pairs**" in md
    _, rows = first_table((out / "stage2" / "top_1000_pairs.md").read_text(), "Top 1,000 Pairs")
    conf = table(run, "stage2", "confirmed")
    done = set(zip(conf["a"], conf["b"]))
    exp = [i for i in order(rec["overall"], rec["a"], rec["b"]) if (rec["a"][i], rec["b"][i]) not in done]
    got = [num(r[8]) for r in rows if r[7] == "screening"]
    assert got == pytest.approx([float(rec["overall"][i]) for i in exp], abs=0.006)


def test_header_states_seed_settings_and_grid(real_run, real_reports):
    cfg = (real_run / "config.toml").read_text()
    for md_path in sorted(real_reports.glob("stage*/*.md")):
        md = md_path.read_text()
        assert bullet(md, "Master seed") == "5", md_path.name
        assert bullet(md, "Max turns per combat").startswith("60 "), md_path.name
        assert "Nimble [2, 2, 4, 0, 4]" in md and "Horde [25, 25, 10, 10, 10]" in md, md_path.name
        runs = bullet(md, "Runs per cell")
        assert runs.startswith("4" if md_path.parent.name == "stage1" else "2"), md_path.name
        if md_path.parent.name == "stage2":
            assert "**Policy** (attack choice each turn)" in md
    assert 'seed = 5' in cfg


def test_reports_are_deterministic(synthetic_run, syn_reports, tmp_path):
    again = write_all(synthetic_run, tmp_path / "again")
    files = sorted(p.relative_to(syn_reports) for p in syn_reports.glob("stage*/*.md"))
    assert files and files == sorted(p.relative_to(again) for p in again.glob("stage*/*.md"))
    for rel in files:
        assert (again / rel).read_text() == (syn_reports / rel).read_text(), rel


def test_plots_are_pngs_linked_from_their_reports(syn_reports):
    links = {"stage2/synergy_analysis.md": "synergy_distribution.png",
             "stage2/pair_cost_analysis.md": "pair_turns_by_cost.png",
             "stage2/enhancement_ranking_top_20.md": "enhancement_efficiency_top_20.png",
             "stage1/cost_analysis_report.md": "stage1_enhancement_efficiency.png"}
    for md, png in links.items():
        assert f"]({png})" in (syn_reports / md).read_text()
        path = syn_reports / md.split("/")[0] / png
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_timeouts_are_shown(synthetic_run, syn_reports):
    rec = records(synthetic_run, "stage2")
    md = (syn_reports / "stage2" / "top_1000_pairs.md").read_text()
    assert num(bullet(md, "Timeouts, all pairs tested")) == int(np.sum(rec["timeouts"]))
    md = (syn_reports / "stage2" / "stage2_pairing_report.md").read_text()
    assert num(bullet(md, "Timeouts, all pairs")) == int(np.sum(rec["timeouts"]))


def test_every_record_skipped_still_reports_honestly(synthetic_run, tmp_path):
    run = copy_run(synthetic_run, tmp_path / "run")
    m = json.loads((run / "manifest.json").read_text())
    lost = 0
    for which in range(len(m["stages"]["stage2"]["shards"])):
        lost += corrupt_one_shard(run, which=which)
    out = write_all(run, tmp_path / "out", skip_corrupt=True)
    for md_path in sorted((out / "stage2").glob("*.md")):
        md = md_path.read_text()
        assert bullet(md, "Pairs tested (records read)") == "0", md_path.name
        assert bullet(md, "Records skipped (corrupt shards)").startswith(f"{lost:,} "), md_path.name
