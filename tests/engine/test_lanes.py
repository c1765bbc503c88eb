"""The lane helpers kernels build on: branch-free gather/select give exactly numpy's indexing and
``np.where``; LaneState compacts and extends every per-lane array together."""

from __future__ import annotations

import numpy as np

from balance.engine.lanes import LaneState
from balance.engine.lanes_np import gather, select


def test_gather_and_select_equal_indexing_and_where():
    rng = np.random.default_rng(3)
    a = rng.integers(-50, 50, size=1000).astype(np.int32)
    rows = rng.integers(-9, 9, size=(1000, 4))
    idx = rng.integers(0, 1000, size=777)
    assert np.array_equal(gather(a, idx), a[idx])
    assert np.array_equal(gather(rows, idx), rows[idx])
    mask = rng.random(1000) < 0.5
    b = rng.integers(-50, 50, size=1000).astype(np.int32)
    assert np.array_equal(select(mask, a, b), np.where(mask, a, b))
    assert np.array_equal(select(mask, 7, b), np.where(mask, 7, b))
    assert np.array_equal(select(mask, a, -3), np.where(mask, a, -3))
    x, y = rng.random(1000) < 0.3, rng.random(1000) < 0.6
    assert np.array_equal(select(mask, x, y), np.where(mask, x, y))


class _State(LaneState):
    pass


def _state(n, with_bleed):
    st = _State()
    st.n = n
    st.hp = np.full((n, 3), 10, dtype=np.int32)
    st.turns = np.arange(n)
    st.c_bits = np.array([1, 2, 4])  # per cell: never compacted or extended
    st.scalar = 5
    if with_bleed:
        st.bleed = np.full((n, 3), 2, dtype=np.int32)
    return st


def test_extend_appends_lanes_and_zero_fills_arrays_one_side_lacks():
    # 3 lanes, like the 3 per-cell bits: only the c_ prefix keeps c_bits out of the lane arrays
    a, b = _state(3, with_bleed=False), _state(2, with_bleed=True)
    b.turns += 100
    a.extend(b)
    assert a.n == 5
    assert a.hp.shape == (5, 3) and a.turns.tolist() == [0, 1, 2, 100, 101]
    assert a.bleed.tolist() == [[0, 0, 0]] * 3 + [[2, 2, 2]] * 2
    assert a.c_bits.tolist() == [1, 2, 4] and a.scalar == 5
    a.take(np.array([1, 4]))
    assert a.n == 2 and a.turns.tolist() == [1, 101] and a.bleed.tolist() == [[0, 0, 0], [2, 2, 2]]
    assert a.c_bits.tolist() == [1, 2, 4]
