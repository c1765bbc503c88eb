"""A real `balance run` killed with SIGKILL in the middle of stage 2 resumes from its complete
shards and ends with exactly the results of an uninterrupted run with the same seed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.conftest import run_balance
from tests.stages.tiny import TINY, assert_same_results

# Stage 2 with many runs and tiny shards, so that there is time to kill it between shards.
SLOW = TINY.replace("runs = 2\n", "runs = 60\n") + "shard_records = 40\n"


def stage_entry(run_dir, stage: str) -> dict:
    """The stage's manifest entry as the run left it (empty while there is none yet)."""
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}
    return manifest.get("stages", {}).get(stage) or {}


def stage2_shards(run_dir):
    return len(stage_entry(run_dir, "stage2").get("shards", []))


def kill_run_when(config, out, ready) -> None:
    """Start `balance run CONFIG --out OUT` and SIGKILL it (with its workers) once ``ready()``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "balance.cli.main", "run", str(config), "--out", str(out), "--workers", "1",
         "--no-reports"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed; make it slower"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_sigkill_mid_stage2_then_resume_equals_uninterrupted(tmp_path):
    config = tmp_path / "slow.toml"
    config.write_text(SLOW.format(seed=5, batch=20))
    killed = tmp_path / "killed"
    kill_run_when(config, killed, lambda: stage2_shards(killed) >= 2)
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["stages"]["stage2"]["status"] != "complete"
    done_before = stage2_shards(killed)

    resumed = run_balance("run", "--resume", str(killed), "--workers", "1", "--no-reports")
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((killed / "manifest.json").read_text())
    stage2 = manifest["stages"]["stage2"]
    assert stage2["status"] == "complete"
    assert stage2_shards(killed) > done_before
    # The manifest counts the whole stage; the resumed attempt did only the missing part.
    assert stage2["stats"]["items"] == stage2["total"]
    assert 0 < stage2["stats"]["items_this_attempt"] < stage2["total"]

    straight = tmp_path / "straight"
    result = run_balance("run", str(config), "--out", str(straight), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    assert_same_results(killed, straight)



def test_sigkill_during_confirmation_then_resume_confirms(tmp_path):
    # Stage 2's records are complete before its confirmation runs; a kill in between must not
    # leave a run that resumes "complete" without confirmation.
    config = tmp_path / "confirm.toml"
    config.write_text(TINY.format(seed=6, batch=0).replace("confirm_runs = 6", "confirm_runs = 4000"))
    killed = tmp_path / "killed"
    kill_run_when(config, killed, lambda: stage_entry(killed, "stage2").get("status") == "complete")
    resumed = run_balance("run", "--resume", str(killed), "--workers", "1", "--no-reports")
    assert resumed.returncode == 0, resumed.stderr
    straight = tmp_path / "straight"
    result = run_balance("run", str(config), "--out", str(straight), "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    assert_same_results(killed, straight)  # includes the "confirmed" table
