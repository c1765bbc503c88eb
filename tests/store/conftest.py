"""Helpers for the store tests: a small stage-2-shaped run written with tiny frames and shards so
that every test crosses many frame and shard boundaries."""

from __future__ import annotations

import numpy as np
import pytest

from balance_plugins.store import MsgpackStore, RunInfo
from balance_plugins.store.synthetic import stage2_block, stage2_schema

INFO = RunInfo(config={"budget": 6, "profiles": ["Evasive", "Tanky"]}, master_seed=1234,
               plugins={"store_msgpack": "1", "vitality": "0.1"}, project_version="9.9.9",
               stages=("stage1", "stage2"))


def concat(blocks) -> dict[str, np.ndarray]:
    blocks = list(blocks)
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def write_stage2(run, total: int, step: int = 300, n_attacks: int = 200, finish: bool = True):
    w = run.stage_writer("stage2", stage2_schema(), total=total)
    for s in range(0, total, step):
        e = min(s + step, total)
        w.write(s, e, stage2_block(s, e, n_attacks=n_attacks))
    if finish:
        w.finish({"items": total, "combats": total * 8, "wall_seconds": 1.5, "peak_memory_bytes": 1 << 20})
    return w


@pytest.fixture
def store():
    return MsgpackStore(frame_records=256, shard_records=1000)


@pytest.fixture
def stage2_run(tmp_path, store):
    """A complete stage-2 run of 5,000 records in 5 shards of ~1000 records (frames of 256)."""
    run = store.create(tmp_path / "run", INFO)
    write_stage2(run, 5000)
    return store.open(tmp_path / "run")
