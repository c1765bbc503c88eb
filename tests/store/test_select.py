"""Top-N selection equals a full sort by (score, tie-break), ties included, whatever the blocks."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance.records import Schema
from balance_plugins.store import MsgpackStore, RunInfo

SCHEMA = Schema.of({"a_index": "int32", "b_index": "int32", "overall": "float32", "extra": ("uint8", (2,))})


def brute_top(data, n, ascending):
    key = data["overall"].astype(np.float64)
    key = key if ascending else -key
    key = np.where(np.isnan(key), np.inf, key)
    order = np.lexsort((data["b_index"], data["a_index"], key))[:n]
    return {k: v[order] for k, v in data.items()}


@st.composite
def datasets(draw):
    total = draw(st.integers(0, 400))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    levels = draw(st.sampled_from([1, 3, 20, 10_000]))  # 1 level: every score tied
    overall = rng.integers(0, levels, total).astype(np.float32) / 4
    if total and draw(st.booleans()):
        overall[rng.integers(0, total, max(1, total // 20))] = np.nan
    # unique (a, b) ids in shuffled order so that id order differs from index order
    ids = rng.permutation(total)
    data = {"a_index": (ids // 7).astype(np.int32), "b_index": (ids % 7).astype(np.int32), "overall": overall,
            "extra": rng.integers(0, 255, (total, 2)).astype(np.uint8)}
    return data, draw(st.integers(0, 120)), draw(st.booleans()), draw(st.integers(1, 64)), draw(st.integers(16, 200))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=datasets())
def test_top_n_equals_full_sort(tmp_path_factory, case):
    data, n, ascending, frame, shard = case
    total = len(data["overall"])
    store = MsgpackStore(frame_records=frame, shard_records=shard)
    run = store.create(tmp_path_factory.mktemp("sel") / "run", RunInfo())
    w = run.stage_writer("s", SCHEMA, total=total)
    step = max(1, frame // 2 + 3)
    for s in range(0, total, step):
        w.write(s, min(s + step, total), {k: v[s: s + step] for k, v in data.items()})
    w.finish()
    got = run.stage_reader("s").top_n(n, ascending=ascending, tiebreak=("a_index", "b_index"))
    want = brute_top(data, n, ascending)
    assert set(got) == set(want)
    for k in want:
        assert np.array_equal(got[k], want[k], equal_nan=True), k


def test_top_n_columns_subset_keeps_score_and_ids(stage2_run):
    top = stage2_run.stage_reader("stage2").top_n(7, columns=["synergy"], tiebreak=("a_index", "b_index"))
    assert list(top) == ["synergy", "overall", "a_index", "b_index"]
    assert len(top["overall"]) == 7


def test_default_tie_break_is_the_record_position_whatever_the_columns(tmp_path):
    """Stage-2 records name their attacks ``a`` and ``b``: the default order needs no id columns."""
    schema = Schema.of({"a": "int32", "b": "int32", "overall": "float32"})
    overall = np.array([3, 1, 2, 1, 1, 5, 2], dtype=np.float32)
    run = MsgpackStore(frame_records=2, shard_records=3).create(tmp_path / "run", RunInfo())
    w = run.stage_writer("stage2", schema, total=len(overall))
    ids = np.arange(len(overall), dtype=np.int32)
    w.write(0, len(overall), {"a": ids[::-1].copy(), "b": ids, "overall": overall})
    w.finish()
    reader = run.stage_reader("stage2")
    top = reader.top_n(4)
    assert top["record"].tolist() == [1, 3, 4, 2]  # the three 1.0s in record order, then the first 2.0
    assert top["b"].tolist() == [1, 3, 4, 2] and top["overall"].tolist() == [1, 1, 1, 2]
    assert reader.scan(top=2, quantiles=()).top["record"].tolist() == [1, 3]
