"""The example configs: default.toml is the embedded default written out; quick.toml and the
older tool's legacy_config.json run end to end (both stages, every report) in seconds."""

from __future__ import annotations

import tomllib

import numpy as np

from tests.conftest import run_balance
from tests.examples.conftest import EXAMPLES
from tests.stages.tiny import read_stage, read_table


def shown(*args) -> str:
    result = run_balance("config", "show", *args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines(keepends=True)
    assert lines[0].startswith("# effective config from")
    # the header (where from, which keys the file set) is comments; the TOML follows
    return "".join(line for line in lines if not line.startswith("#"))


def test_default_toml_is_the_embedded_default():
    assert shown(str(EXAMPLES / "default.toml")) == shown()
    # and it is written by hand with comments, not a bare dump
    assert (EXAMPLES / "default.toml").read_text().count("#") > 20


def report_files(out):
    return sorted(p.relative_to(out / "reports").as_posix() for p in (out / "reports").rglob("*.md"))


# One worker: the worker count changes no result (tests/stages/test_run_end_to_end.py), a pool of
# workers is started for every step of a run, and the docs run these configs with the default
# workers (tests/docs/test_doc_commands.py: getting-started.md, cli.md, writing-a-reporter.md).


def test_quick_runs_end_to_end(tmp_path):
    out = tmp_path / "quick"
    result = run_balance("run", str(EXAMPLES / "quick.toml"), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    files = report_files(out)
    assert "stage1/stage1_pruning_report.md" in files and "stage2/stage2_pairing_report.md" in files
    assert files[:2] == ["findings.md", "index.md"]
    assert len(files) == 20  # findings and the index, 4 stage-1 reports, 14 stage-2 reports
    assert len(read_stage(out, "stage1")["attack"]) == 339  # every legal 2-point Vitality build
    kept = len(read_table(out, "stage1", "kept")["attack"])
    assert len(read_stage(out, "stage2")["a"]) == kept * (kept - 1) // 2
    assert read_table(out, "stage2", "confirmed")["rank"] == list(range(1, 11))


def test_legacy_json_runs_end_to_end(tmp_path):
    out = tmp_path / "legacy"
    result = run_balance("run", str(EXAMPLES / "legacy_config.json"), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert len(report_files(out)) == 20
    # the older shape was translated: the run directory keeps the native TOML
    native = tomllib.loads((out / "config.toml").read_text())
    assert native["attacker"] == [2, 2, 2, 2, 4]
    assert native["buffs"][1] == {"name": "Blessed", "accuracy": 2, "damage": 2, "avoidance": 0, "durability": 0}
    assert [s["enemy_hp"] for s in native["scenarios"]] == [[100], [25, 25, 10, 10, 10, 10, 10]]
    s1 = read_stage(out, "stage1")
    assert len(s1["attack"]) == 51  # every legal 1-point build
    no_buffs, blessed = s1["by_buff"].astype(float).mean(axis=0)
    assert blessed < no_buffs  # +2 accuracy and damage: fewer turns
    assert np.isfinite(read_stage(out, "stage2")["overall"]).all()


def test_policy_check_toml_is_the_default_with_the_measurements_settings():
    """examples/policy_check.toml (the policy check's reference measurement, docs/performance.md)
    differs from the embedded default only in runs, the pair sample and the confirmation."""
    check = tomllib.loads(shown(str(EXAMPLES / "policy_check.toml")))
    default = tomllib.loads(shown())
    assert (check["stage1"]["runs"], check["stage2"]["runs"]) == (100, 100)
    assert check["stage2"]["sample_fraction"] == 0.002 and check["stage2"]["confirm_top"] == 0
    for d in (check, default):
        d["stage1"].pop("runs")
        for key in ("runs", "sample_fraction", "confirm_top"):
            d["stage2"].pop(key)
    assert check == default
