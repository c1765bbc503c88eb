"""A writer process killed with SIGKILL mid-stage resumes to exactly the uninterrupted result.

This exercises the store alone (a child process streaming synthetic records); the end-to-end
`balance run` kill-and-resume test belongs with the stage runner."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from balance_plugins.store.synthetic import stage2_block, stage2_schema

from .conftest import INFO, concat, write_stage2

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import sys, time
from balance_plugins.store import MsgpackStore
from balance_plugins.store.synthetic import stage2_block, stage2_schema
from tests.store.conftest import INFO
run = MsgpackStore(frame_records=256, shard_records=1000).create(sys.argv[1], INFO)
w = run.stage_writer("stage2", stage2_schema(), total=20000)
for s in range(0, 20000, 100):
    w.write(s, s + 100, stage2_block(s, s + 100, n_attacks=300))
    time.sleep(0.002)
w.finish()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkilled_writer_resumes_to_the_uninterrupted_result(tmp_path, store):
    run_dir = tmp_path / "killed"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(run_dir)], cwd=str(REPO))
    deadline = time.monotonic() + 60
    # kill once a few shards are complete, i.e. somewhere in the middle of the stage
    while time.monotonic() < deadline:
        try:
            shards = json.loads((run_dir / "manifest.json").read_text())["stages"]["stage2"]["shards"]
        except (OSError, ValueError, KeyError):
            shards = []
        if len(shards) >= 3:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL

    run = store.resume(run_dir)
    w = run.stage_writer("stage2", stage2_schema(), total=20000)
    missing = w.missing_ranges()
    assert missing and missing[-1][1] == 20000 and w.done_ranges()[0][0] == 0
    for lo, hi in missing:
        for s in range(lo, hi, 777):
            w.write(s, min(s + 777, hi), stage2_block(s, min(s + 777, hi), n_attacks=300))
    w.finish()

    clean = store.create(tmp_path / "clean", INFO)
    write_stage2(clean, 20000, n_attacks=300)
    a = concat(store.open(tmp_path / "clean").stage_reader("stage2").blocks())
    b = concat(store.open(run_dir).stage_reader("stage2").blocks())
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert not list((run_dir / "stage2").glob("*.tmp"))
