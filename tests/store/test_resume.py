"""Resume: an interrupted writer, reopened with ``resume``, finishes with exactly the records (and
the same query results) that an uninterrupted write produces."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from balance.errors import StoreError
from balance_plugins.store.synthetic import stage2_block, stage2_schema

from .conftest import INFO, concat, write_stage2


def test_interrupted_writer_resumes_to_the_uninterrupted_result(tmp_path, store):
    clean = store.create(tmp_path / "clean", INFO)
    write_stage2(clean, 5000)

    run = store.create(tmp_path / "killed", INFO)
    w = run.stage_writer("stage2", stage2_schema(), total=5000)
    for s in range(0, 2700, 300):
        w.write(s, s + 300, stage2_block(s, s + 300, n_attacks=200))
    # "kill" the process: the open shard stays a temp file, nothing is flushed or closed properly
    os.close(w._shard.fd)
    stage_dir = tmp_path / "killed" / "stage2"
    assert [p.name for p in stage_dir.glob("*.tmp")] == ["000002.shard.tmp"]
    # a kill between renaming a shard and saving the manifest leaves an unlisted shard behind
    shutil.copy(stage_dir / "000000.shard", stage_dir / "000007.shard")
    (tmp_path / "killed" / "manifest.json.tmp").write_text("{half a manif")
    del w, run

    run = store.resume(tmp_path / "killed")
    assert sorted(p.name for p in stage_dir.iterdir()) == ["000000.shard", "000001.shard"]
    assert not (tmp_path / "killed" / "manifest.json.tmp").exists()
    assert run.stage_status("stage2") == "running"
    w = run.stage_writer("stage2", stage2_schema(), total=5000)
    assert w.done_ranges() == [(0, 2400)]
    assert w.missing_ranges() == [(2400, 5000)]
    for lo, hi in w.missing_ranges():
        for s in range(lo, hi, 700):  # a different batch size than the first attempt
            w.write(s, min(s + 700, hi), stage2_block(s, min(s + 700, hi), n_attacks=200))
    w.finish({"items": 5000})

    a = store.open(tmp_path / "clean").stage_reader("stage2")
    b = store.open(tmp_path / "killed").stage_reader("stage2")
    assert b.complete and a.count == b.count == 5000
    ra, rb = concat(a.blocks()), concat(b.blocks())
    for k in ra:
        assert ra[k].tobytes() == rb[k].tobytes(), k
    ta, tb = a.top_n(100), b.top_n(100)
    assert all(np.array_equal(ta[k], tb[k]) for k in ta)
    # new shards continue the numbering after the listed ones: nothing is overwritten
    names = [s["name"] for s in b.shards]
    assert len(set(names)) == len(names)


def test_resume_of_a_complete_stage_reports_everything_done(stage2_run, store):
    run = store.resume(stage2_run.dir)
    assert run.stage_complete("stage2")
    w = run.stage_writer("stage2", stage2_schema(), total=5000)
    assert w.missing_ranges() == [] and w.done_ranges() == [(0, 5000)]


def test_resume_refuses_another_schema_or_total(stage2_run, store):
    run = store.resume(stage2_run.dir)
    other = stage2_schema()
    from balance.records import Column, Schema

    other = Schema([*other.columns, Column("extra", "float32")])
    with pytest.raises(StoreError, match="another record schema"):
        run.stage_writer("stage2", other, total=5000)
    with pytest.raises(StoreError, match="started with 5000 work items, now 6000"):
        run.stage_writer("stage2", stage2_schema(), total=6000)


def test_open_is_read_only_and_create_refuses_an_existing_run(stage2_run, store):
    with pytest.raises(StoreError, match="opened read-only; use resume"):
        stage2_run.stage_writer("stage2", stage2_schema())
    with pytest.raises(StoreError, match="already holds a run"):
        store.create(stage2_run.dir, INFO)
    with pytest.raises(StoreError, match="is not a run directory"):
        store.open(stage2_run.dir / "nowhere")
