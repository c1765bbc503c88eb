"""Reporters are plugins: selected, skipped and replaced by name; a third-party reporter package
(examples/custom_reporter) installs and runs through ``balance report`` on a real run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.conftest import REPO, run_balance
from tests.reports.conftest import REAL_CONFIG
from tests.reports.helpers import first_table, num, records, table

ALL_STAGE2 = {"stage2_pairing_report.md", "top_1000_pairs.md", "pair_cost_analysis.md", "synergy_analysis.md",
              *(f"enhancement_ranking_top_{x}.md" for x in ("50", "20", "5", "1", "0.1")),
              *(f"enhancement_saturation_top_{x}.md" for x in ("50", "20", "5", "1", "0.1"))}
ALL_STAGE1 = {"stage1_pruning_report.md", "enhancement_saturation_report.md", "cost_analysis_report.md",
              "fair_costs.md"}


def md_files(folder):
    return {p.name for p in folder.glob("*.md")} if folder.exists() else set()


def test_every_report_is_written(real_reports):
    assert md_files(real_reports / "stage2") == ALL_STAGE2
    assert md_files(real_reports / "stage1") == ALL_STAGE1


def test_reporters_option_selects_by_name(real_run, tmp_path):
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path),
                      "--reporters", "top_1000_pairs,stage1_pruning_report")
    assert res.returncode == 0, res.stderr
    assert md_files(tmp_path / "stage2") == {"top_1000_pairs.md"}
    assert md_files(tmp_path / "stage1") == {"stage1_pruning_report.md"}


def test_config_skip_and_only(real_run, tmp_path):
    base = REAL_CONFIG  # the run's own config.toml already has a [reports] table
    skip = tmp_path / "skip.toml"
    skip.write_text(base + '\n[reports]\nskip = ["enhancement_ranking", "stage1_cost_analysis"]\n')
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path / "a"), "--config", str(skip))
    assert res.returncode == 0, res.stderr
    assert md_files(tmp_path / "a" / "stage2") == {n for n in ALL_STAGE2 if not n.startswith("enhancement_ranking")}
    assert md_files(tmp_path / "a" / "stage1") == ALL_STAGE1 - {"cost_analysis_report.md"}
    only = tmp_path / "only.toml"
    only.write_text(base + '\n[reports]\nonly = ["synergy_analysis"]\n')
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path / "b"), "--config", str(only))
    assert res.returncode == 0, res.stderr
    assert md_files(tmp_path / "b" / "stage2") == {"synergy_analysis.md"} and not (tmp_path / "b" / "stage1").exists()


def test_unknown_reporter_is_a_usage_error(real_run, tmp_path):
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path), "--reporters", "nope")
    assert res.returncode != 0 and 'unknown reporter "nope"' in res.stderr


@pytest.fixture(scope="module")
def custom_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("custom")
    src = root / "src"
    # build from a copy: an in-tree build would leave egg-info in examples/
    shutil.copytree(REPO / "examples" / "custom_reporter", src)
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "--target", str(site), str(src)], check=True, capture_output=True)
    return {"PYTHONPATH": str(site)}


def test_custom_reporter_package(real_run, custom_site, tmp_path):
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path),
                      "--reporters", "best_per_scenario", env=custom_site)
    assert res.returncode == 0, res.stderr
    md = (tmp_path / "stage2" / "best_per_scenario.md").read_text()
    rec = records(real_run, "stage2")
    ids = table(real_run, "stage2", "attacks")["id"]
    head, rows = first_table("# x\n" + md.split("\n", 1)[1].replace("# Best", "## Best"), "x")
    import tomllib
    scenarios = [s["name"] for s in tomllib.loads((real_run / "config.toml").read_text())["scenarios"]]
    assert [r[0] for r in rows] == scenarios
    for k, row in enumerate(rows):
        i = np.lexsort((rec["b"], rec["a"], rec["by_scenario"][:, k]))[0]
        assert (row[1], row[2]) == (ids[rec["a"][i]], ids[rec["b"][i]])
        assert num(row[3]) == pytest.approx(float(rec["by_scenario"][i, k]), abs=0.006)
    # without the package on the path the reporter does not exist
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path / "none"),
                      "--reporters", "best_per_scenario")
    assert res.returncode != 0 and "best_per_scenario" in res.stderr


def test_builtin_reporter_replaced_by_local_plugin(real_run, tmp_path):
    plugin = tmp_path / "my_top.py"
    plugin.write_text(textwrap.dedent("""
        from balance.hookspecs import hookimpl

        class MyTop:
            name = "top_1000_pairs"
            stage = "stage2"

            def write(self, ctx):
                reader = ctx.reader("stage2")
                n = sum(len(b["a"]) for b in reader.blocks(columns=["a"]))
                path = ctx.out_dir / "stage2" / "top_1000_pairs.md"
                path.write_text(f"# replaced top list\\n\\n{n} pairs\\n")
                return [path]

        @hookimpl
        def balance_reporters():
            return [MyTop()]
        """))
    # both enabled: the name clash is an error naming both plugins
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path / "clash"),
                      "--plugin", str(plugin), "--reporters", "top_1000_pairs")
    assert res.returncode != 0 and "report_top_1000_pairs" in res.stderr and "my_top" in res.stderr
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path / "out"),
                      "--disable-plugin", "report_top_1000_pairs", "--plugin", str(plugin),
                      "--reporters", "top_1000_pairs")
    assert res.returncode == 0, res.stderr
    n = len(records(real_run, "stage2")["a"])
    assert (tmp_path / "out" / "stage2" / "top_1000_pairs.md").read_text() == f"# replaced top list\n\n{n} pairs\n"


def test_rewriting_reports_removes_only_files_a_reporter_no_longer_writes(synthetic_run, tmp_path):
    """A plot a reporter wrote last time but not this time (say, of a tier that is now empty) is
    removed; its current files are rewritten; files no reporter wrote are left alone."""
    import json

    from balance.reporting import WRITTEN_INDEX
    from tests.reports.conftest import write_all

    out = write_all(synthetic_run, tmp_path / "reports", only=["enhancement_ranking"])
    index = json.loads((out / WRITTEN_INDEX).read_text())
    current = index["enhancement_ranking"]
    assert current and all((out / f).is_file() for f in current)
    (out / "stage2" / "enhancement_ranking_old_tier.png").write_bytes(b"old plot")
    (out / "stage2" / "my_notes.md").write_text("a designer's notes")
    index["enhancement_ranking"] = [*current, "stage2/enhancement_ranking_old_tier.png"]
    index["stage1_pruning_report"] = ["stage1/stage1_pruning_report.md"]  # not rerun below
    (out / WRITTEN_INDEX).write_text(json.dumps(index))
    write_all(synthetic_run, out, only=["enhancement_ranking"])
    assert not (out / "stage2" / "enhancement_ranking_old_tier.png").exists()
    assert (out / "stage2" / "my_notes.md").read_text() == "a designer's notes"
    assert all((out / f).is_file() for f in current)
    after = json.loads((out / WRITTEN_INDEX).read_text())
    assert after["enhancement_ranking"] == sorted(current)
    assert after["stage1_pruning_report"] == ["stage1/stage1_pruning_report.md"]
