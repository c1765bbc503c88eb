"""Stage 1's screening rounds (racing): each round re-tests the previous round's survivors with its
own runs and fresh dice and keeps its best share; deterministic, batch-independent and resumable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import run_balance
from tests.stages.test_resume_after_kill import kill_run_when, stage_entry
from tests.stages.tiny import TINY, read_stage, read_table

ROUNDS = """
[[stage1.rounds]]
runs = 1
keep_percent = 50.0

[[stage1.rounds]]
runs = 4
keep_percent = 30.0
"""


def tiny_with_rounds(seed: int = 11, batch: int = 0, rounds: str = ROUNDS) -> str:
    # [[stage1.rounds]] must come before the [stage1.prune] table opens
    return TINY.format(seed=seed, batch=batch).replace("[stage1.prune]", rounds.strip() + "\n\n[stage1.prune]")


def run_stage1(tmp_path, name: str, text: str):
    config = tmp_path / f"{name}.toml"
    config.write_text(text)
    out = tmp_path / name
    result = run_balance("run", str(config), "--stage", "1", "--out", str(out), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    return out


def ranking(records: dict, ids: list[str]) -> np.ndarray:
    """Attacks by overall score, ties by canonical build id (the rule the rounds use)."""
    rank = {a: r for r, a in enumerate(sorted(range(len(ids)), key=ids.__getitem__))}
    attacks = records["attack"]
    return attacks[np.lexsort(([rank[int(a)] for a in attacks], records["overall"].astype(np.float64)))]


@pytest.fixture(scope="module")
def race(tmp_path_factory):
    """Stage 1 with two rounds (seed 11, batch size 0), read by two tests; neither writes to it."""
    return run_stage1(tmp_path_factory.mktemp("race"), "race", tiny_with_rounds())


def test_each_round_re_tests_the_best_share_of_the_previous_one(race):
    out = race
    ids = read_table(out, "stage1", "attacks")["id"]
    first, second = read_stage(out, "stage1"), read_stage(out, "stage1-round2")
    n = len(ids)
    assert sorted(first["attack"].tolist()) == list(range(n))  # round 1: every attack
    keep1 = math.ceil(n * 0.5)
    assert sorted(second["attack"].tolist()) == sorted(ranking(first, ids)[:keep1].tolist())
    keep2 = math.ceil(keep1 * 0.3)
    kept = read_table(out, "stage1", "kept")
    assert kept["rounds"] == [
        {"round": 1, "stage": "stage1", "runs": 1, "keep_percent": 50.0, "tested": n, "kept": keep1},
        {"round": 2, "stage": "stage1-round2", "runs": 4, "keep_percent": 30.0, "tested": keep1, "kept": keep2},
    ]
    # pruning chose among the last round's survivors only, by the last round's scores, and its
    # overall share is still of every attack (3 %: more than survived, so every survivor)
    final = ranking(second, ids)[:keep2]
    assert set(kept["attack"]) <= set(final.tolist())
    assert kept["attack"][0] == final[0]
    assert kept["cutoffs"]["overall"]["kept"] == min(math.ceil(n * 0.03), keep2)
    assert sorted(np.asarray(kept["attack"])[kept["reasons"]["overall"]].tolist()) == sorted(
        final[: min(math.ceil(n * 0.03), keep2)].tolist()
    )
    # round 2 used fresh dice: the same attacks score differently than in round 1
    by_attack = dict(zip(first["attack"].tolist(), first["overall"].tolist()))
    assert any(by_attack[a] != o for a, o in zip(second["attack"].tolist(), second["overall"].tolist()))


def test_rounds_do_not_depend_on_batch_size(race, tmp_path):
    a = race  # batch size 0: the runner sizes the work units
    b = run_stage1(tmp_path, "b", tiny_with_rounds(batch=7))
    for stage in ("stage1", "stage1-round2"):
        ra, rb = read_stage(a, stage), read_stage(b, stage)
        order_a, order_b = np.argsort(ra["attack"]), np.argsort(rb["attack"])
        for k in ra:
            np.testing.assert_array_equal(ra[k][order_a], rb[k][order_b], err_msg=f"{stage}.{k}")
    assert read_table(a, "stage1", "kept") == read_table(b, "stage1", "kept")


def test_one_round_at_the_stage_runs_equals_no_rounds(tmp_path):
    plain = run_stage1(tmp_path, "plain", TINY.format(seed=11, batch=0))
    one = run_stage1(tmp_path, "one", tiny_with_rounds(rounds="[[stage1.rounds]]\nruns = -1\nkeep_percent = 100.0\n"))
    p, o = read_stage(plain, "stage1"), read_stage(one, "stage1")
    for k in p:
        np.testing.assert_array_equal(p[k], o[k], err_msg=k)
    kept_plain, kept_one = read_table(plain, "stage1", "kept"), read_table(one, "stage1", "kept")
    assert kept_one.pop("rounds")[0]["runs"] == 3  # -1 = the stage's runs
    assert kept_one == kept_plain


def test_sigkill_in_a_later_round_then_resume_equals_uninterrupted(tmp_path):
    slow = tiny_with_rounds(
        batch=10, rounds="[[stage1.rounds]]\nruns = 1\nkeep_percent = 60.0\n\n"
                         "[[stage1.rounds]]\nruns = 150\nkeep_percent = 10.0\n",
    ) + "shard_records = 20\n"
    config = tmp_path / "slow.toml"
    config.write_text(slow)
    killed = tmp_path / "killed"
    kill_run_when(config, killed, lambda: len(stage_entry(killed, "stage1-round2").get("shards", [])) >= 2)
    assert stage_entry(killed, "stage1-round2")["status"] != "complete"
    resumed = run_balance("run", "--resume", str(killed), "--workers", "1", "--no-reports")
    assert resumed.returncode == 0, resumed.stderr
    entry = stage_entry(killed, "stage1-round2")
    assert 0 < entry["stats"]["items_this_attempt"] < entry["total"]
    straight = tmp_path / "straight"
    result = run_balance("run", str(config), "--out", str(straight), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    for stage in ("stage1", "stage1-round2", "stage2"):
        r1, r2 = read_stage(killed, stage), read_stage(straight, stage)
        for k in r1:
            np.testing.assert_array_equal(r1[k], r2[k], err_msg=f"{stage}.{k}")
    assert read_table(killed, "stage1", "kept") == read_table(straight, "stage1", "kept")
    assert read_table(killed, "stage2", "confirmed") == read_table(straight, "stage2", "confirmed")
