"""Property tests: whatever the schema, block sizes, write order, frame and shard sizes, the reader
returns exactly the bytes that were written, in work-item order, and the manifest accounts for them."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from balance.records import Column, Schema
from balance_plugins.store import MsgpackStore, RunInfo

DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "float32", "float64", ">i4", ">f8"]


@st.composite
def schemas(draw):
    n = draw(st.integers(1, 4))
    cols = []
    for i in range(n):
        shape = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
        cols.append(Column(f"c{i}", draw(st.sampled_from(DTYPES)), shape))
    return Schema(cols)


@st.composite
def cases(draw):
    schema = draw(schemas())
    total = draw(st.integers(0, 120))
    cuts = sorted(set(draw(st.lists(st.integers(1, max(total - 1, 1)), max_size=8)))) if total > 1 else []
    bounds = [0, *[c for c in cuts if 0 < c < total], total] if total else []
    ranges = list(zip(bounds, bounds[1:]))
    order = draw(st.permutations(range(len(ranges))))
    data = {c.name: draw(hnp.arrays(c.np_dtype, (total, *c.shape))) for c in schema.columns}
    frame = draw(st.integers(1, 40))
    shard = draw(st.integers(1, 100))
    return schema, total, [ranges[i] for i in order], data, frame, shard


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_blocks_round_trip_bit_for_bit(tmp_path_factory, case):
    schema, total, ranges, data, frame, shard = case
    store = MsgpackStore(frame_records=frame, shard_records=shard)
    run_dir = tmp_path_factory.mktemp("rt") / "run"
    run = store.create(run_dir, RunInfo())
    w = run.stage_writer("s", schema, total=total)
    for a, b in ranges:
        w.write(a, b, {k: v[a:b] for k, v in data.items()})
    w.finish()

    r = store.open(run_dir).stage_reader("s")
    assert r.count == total and r.complete
    got = list(r.iter_blocks())
    # blocks tile [0, total) in order
    assert [b.start for b in got] == sorted(b.start for b in got)
    assert sum(len(b) for b in got) == total
    assert all(len(b) <= frame for b in got)
    pos = 0
    for b in got:
        assert b.start == pos
        pos = b.stop
    for col in schema.columns:
        parts = [b.columns[col.name] for b in got]
        back = np.concatenate(parts) if parts else np.empty((0, *col.shape), col.np_dtype)
        assert back.dtype == col.np_dtype and back.shape == (total, *col.shape)
        # compare raw bytes: NaN payloads and -0.0 must survive too
        assert back.tobytes() == np.ascontiguousarray(data[col.name].astype(col.np_dtype)).tobytes()
    entry = r.run.manifest["stages"]["s"]
    assert entry["records"] == total == sum(s["records"] for s in entry["shards"])
    assert all(s["records"] == s["stop"] - s["start"] for s in entry["shards"])


def test_column_subset_and_dict_blocks(stage2_run):
    r = stage2_run.stage_reader("stage2")
    blocks = list(r.blocks(["overall", "a_index"]))
    assert all(set(b) == {"overall", "a_index"} for b in blocks)
    assert sum(len(b["overall"]) for b in blocks) == 5000
    # blocks are read-only views: a reader cannot corrupt another reader's data by accident
    assert not blocks[0]["overall"].flags.writeable


def test_writer_does_not_keep_references_to_the_callers_buffers(tmp_path):
    schema = Schema.of({"x": "float32", "m": ("int32", (2,))})
    store = MsgpackStore(frame_records=64, shard_records=1000)
    run = store.create(tmp_path / "run", RunInfo())
    w = run.stage_writer("s", schema, total=40)
    buf = {"x": np.zeros(10, np.float32), "m": np.zeros((10, 2), np.int32)}
    for k in range(4):  # one reused buffer, as an executor might do
        buf["x"][:] = k
        buf["m"][:] = k * 10
        w.write(k * 10, k * 10 + 10, buf)
    w.finish()
    got = np.concatenate(list(b["x"] for b in run.stage_reader("s").blocks()))
    assert np.array_equal(got, np.repeat(np.arange(4, dtype=np.float32), 10))
