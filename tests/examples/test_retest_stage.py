"""examples/retest_stage: a third stage, loaded with --plugin, reads its own [retest] table and runs
after stage 2 with no edit of the project; without it the default stages give the same records."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import run_balance
from tests.examples.conftest import EXAMPLES
from tests.stages.tiny import assert_same_results, read_stage, read_table, write_tiny

PLUGIN = EXAMPLES / "retest_stage" / "retest.py"
RETEST = '\n[retest]\ntop = 4\npolicy = "second"\nruns = 3\n'


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("retest")
    plain = write_tiny(root / "plain.toml")
    with_retest = root / "retest.toml"
    with_retest.write_text(plain.read_text() + RETEST)
    base, extra = root / "base", root / "extra"
    first = run_balance("run", str(plain), "--out", str(base), "--workers", "1", "--no-reports")
    assert first.returncode == 0, first.stderr
    second = run_balance("run", str(with_retest), "--plugin", str(PLUGIN), "--out", str(extra),
                         "--workers", "1", "--no-reports")
    assert second.returncode == 0, second.stderr
    return base, extra


def test_third_stage_retests_the_best_pairs_under_its_policy(runs):
    base, extra = runs
    assert_same_results(base, extra)  # the built-in stages are untouched by a third
    s2 = read_stage(extra, "stage2")
    best = np.lexsort((s2["b"], s2["a"], s2["overall"]))[:4]
    got = read_stage(extra, "retest")
    assert got["a"].tolist() == s2["a"][best].tolist() and got["b"].tolist() == s2["b"][best].tolist()
    assert read_table(extra, "retest", "stage2_scores")["overall"] == pytest.approx(s2["overall"][best].tolist())
    # another policy and other dice: the scores are new measurements, not copies of stage 2's
    assert not np.array_equal(got["overall"], s2["overall"][best])
    assert np.all(got["se"] > 0)
    config = (extra / "config.toml").read_text()
    assert '[retest]\ntop = 4\npolicy = "second"\nruns = 3' in config


def test_stage_settings_errors_are_one_config_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(write_tiny(tmp_path / "t.toml").read_text() + "\n[retest]\ntop = 0\n")
    result = run_balance("run", str(bad), "--plugin", str(PLUGIN), "--out", str(tmp_path / "o"), "--no-reports")
    assert result.returncode == 2
    assert result.stderr.strip() == "config error: retest.top: expected a positive number of pairs, got 0"
    wrong_type = tmp_path / "type.toml"
    wrong_type.write_text(write_tiny(tmp_path / "t.toml").read_text() + '\n[retest]\nruns = "many"\n')
    result = run_balance("run", str(wrong_type), "--plugin", str(PLUGIN), "--out", str(tmp_path / "o"), "--no-reports")
    assert result.stderr.strip() == 'config error: retest.runs: expected an integer, got "many"'
    unknown_policy = tmp_path / "policy.toml"
    unknown_policy.write_text(write_tiny(tmp_path / "t.toml").read_text() + '\n[retest]\npolicy = "nope"\n')
    result = run_balance("run", str(unknown_policy), "--plugin", str(PLUGIN), "--out", str(tmp_path / "o"), "--no-reports")
    assert result.returncode == 2 and result.stderr.strip().startswith('config error: retest.policy: unknown policy "nope"')
    # Without the plugin nobody reads [retest]: an unknown key, not silently ignored.
    result = run_balance("run", str(bad), "--out", str(tmp_path / "o"), "--no-reports")
    assert result.returncode == 2 and result.stderr.strip().startswith("config error: retest: unknown key")
    assert not (tmp_path / "o").exists()


def test_config_stages_selects_the_stages_to_run(tmp_path):
    config = tmp_path / "only1.toml"
    config.write_text('stages = ["stage1"]\n' + write_tiny(tmp_path / "t.toml").read_text())
    out = tmp_path / "run"
    result = run_balance("run", str(config), "--out", str(out), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    assert (out / "stage1").is_dir() and not (out / "stage2").exists()
    config.write_text('stages = ["stage3"]\n' + write_tiny(tmp_path / "t.toml").read_text())
    result = run_balance("run", str(config), "--out", str(tmp_path / "o2"), "--no-reports")
    assert result.stderr.strip() == 'config error: stages[0]: unknown stage "stage3" (stages: stage1, stage2)'
