"""`balance run` end to end on a tiny grid: reproducible whatever the workers or batch size, and
clear errors when stage 2 has no stage 1."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_balance
from tests.stages.tiny import assert_same_results, read_stage, read_table, write_tiny


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("ref")
    config = write_tiny(root / "tiny.toml")
    out = root / "run"
    result = run_balance("run", str(config), "--out", str(out), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    return config, out


def test_run_directory_has_manifest_records_and_tables(reference_run):
    _, out = reference_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["master_seed"] == 11
    assert (out / "config.toml").exists()
    # memory is sampled at most once a second, but always after a stage's first unit of work
    for stage in ("stage1", "stage2"):
        assert manifest["stages"][stage]["stats"]["peak_memory_bytes"] > 10 * 2**20
    s1 = read_stage(out, "stage1")
    attacks = read_table(out, "stage1", "attacks")
    assert len(s1["attack"]) == len(attacks["id"]) == 339  # every legal 2-point build
    kept = read_table(out, "stage1", "kept")["attack"]
    s2 = read_stage(out, "stage2")
    n = len(kept)
    assert len(s2["a"]) == n * (n - 1) // 2
    assert np.all(s2["a"] < s2["b"])
    # synergy is defined from solos measured under the pairs' own conditions
    solos = np.asarray(read_table(out, "stage2", "solos")["overall"])
    mean = (solos[s2["a"]] + solos[s2["b"]]) / 2
    np.testing.assert_allclose(s2["synergy"], (mean - s2["overall"]) / mean * 100, rtol=1e-4, atol=1e-3)
    confirmed = read_table(out, "stage2", "confirmed")
    assert confirmed["rank"] == [1, 2, 3, 4, 5]
    assert confirmed["overall"] == sorted(confirmed["overall"])
    assert confirmed["tied_with_first"][0] is True


def test_two_workers_and_other_batch_size_give_identical_results(reference_run, tmp_path):
    config, out = reference_run
    other = write_tiny(tmp_path / "tiny_batch.toml", batch=7)
    out2 = tmp_path / "run2"
    result = run_balance("run", str(other), "--out", str(out2), "--workers", "2", "--no-reports")
    assert result.returncode == 0, result.stderr
    assert_same_results(out, out2)


def test_rerun_from_manifest_config_reproduces(reference_run, tmp_path):
    _, out = reference_run
    out3 = tmp_path / "again"
    result = run_balance("run", str(out / "config.toml"), "--out", str(out3), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    assert_same_results(out, out3)


def test_other_seed_differs(reference_run, tmp_path):
    _, out = reference_run
    config = write_tiny(tmp_path / "seed.toml", seed=12)
    out4 = tmp_path / "seed12"
    assert run_balance("run", str(config), "--out", str(out4), "--stage", "1", "--workers", "1", "--no-reports").returncode == 0
    assert not np.array_equal(read_stage(out, "stage1")["overall"], read_stage(out4, "stage1")["overall"])


def test_stage2_without_stage1_is_a_clear_error(tmp_path):
    config = write_tiny(tmp_path / "tiny.toml")
    out = tmp_path / "fresh"
    result = run_balance("run", str(config), "--stage", "2", "--out", str(out), "--workers", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: stage2 needs the results of stage1 in {out}, and there are none; "
        "run stage1 into this directory first (e.g. `balance run --stage all`)"
    )
    assert not out.exists()  # nothing written


def test_existing_run_directory_is_not_overwritten(reference_run):
    config, out = reference_run
    before = (out / "manifest.json").read_bytes()
    result = run_balance("run", str(config), "--out", str(out), "--workers", "1")
    assert result.returncode == 2
    assert "already holds a run" in result.stderr
    assert (out / "manifest.json").read_bytes() == before


def test_stage1_then_stage2_in_two_commands_equals_one_run(reference_run, tmp_path):
    config, out = reference_run
    split = tmp_path / "split"
    first = run_balance("run", str(config), "--stage", "1", "--out", str(split), "--workers", "1", "--no-reports")
    assert first.returncode == 0, first.stderr
    again = run_balance("run", str(config), "--stage", "2", "--out", str(split), "--workers", "1")
    assert again.returncode == 2
    assert again.stderr.strip() == (
        f"error: {split} already holds a run with its own config; continue it without giving a config"
    )
    second = run_balance("run", "--stage", "2", "--out", str(split), "--workers", "1", "--no-reports")
    assert second.returncode == 0, second.stderr
    assert_same_results(out, split)
