"""The streaming aggregators of the reports against plain numpy on random data, fed in random
block sizes (results must not depend on block boundaries)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from balance_plugins.reports.stream import GroupHist, GroupTop, SparseMembership, TopBy, column_key, group_medians


class ListReader:
    """Just enough of a StageReader: ``blocks(columns)`` over in-memory blocks."""

    def __init__(self, blocks):
        self._blocks = blocks

    def blocks(self, columns=None):
        for b in self._blocks:
            yield {c: b[c] for c in (columns or b)}


def split(data: dict, cuts: list[int]) -> list[dict]:
    n = len(next(iter(data.values())))
    edges = sorted({0, n, *(c % (n + 1) for c in cuts)})
    return [{k: v[a:b] for k, v in data.items()} for a, b in zip(edges, edges[1:]) if b > a]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400), cuts=st.lists(st.integers(0, 400), max_size=5))
def test_sparse_membership_matches_dense(seed, n, cuts):
    rng = np.random.default_rng(seed)
    items, members = 12, 7
    dense = rng.random((items, members)) < 0.35
    members_of = [list(np.flatnonzero(row)) for row in dense]
    data = {"a": rng.integers(0, items, n), "b": rng.integers(0, items, n), "v": rng.normal(size=n),
            "p": rng.normal(size=(n, 2)), "ua": rng.random(n), "ub": rng.random(n)}
    agg = SparseMembership(members_of, members, ("a", "b"), ("v", "p"), {"use": ("ua", "ub")})
    for block in split(data, cuts):
        agg.add(block)
    res = agg.result()
    in_a, in_b = dense[data["a"]], dense[data["b"]]
    carried = in_a | in_b
    assert np.array_equal(res["counts"], carried.sum(0))
    assert np.array_equal(res["slot_counts"], np.stack([in_a.sum(0), in_b.sum(0)]))
    assert np.allclose(res["sums"]["v"][0], data["v"] @ carried)
    assert np.allclose(res["sums"]["p"], data["p"].T @ carried)
    assert np.allclose(res["slot_sums"]["use"], np.stack([data["ua"] @ in_a, data["ub"] @ in_b]))


def overlap_sums_expanding_every_record(members_of, members, a, b, v):
    """What the pairs' shared members add, found by expanding every record's first item (the
    aggregator's former way), in the same order: the aggregator must give these sums bit for bit."""
    dense = np.zeros((len(members_of), members), dtype=bool)
    for i, m in enumerate(members_of):
        dense[i, m] = True
    rec = np.array([r for r in range(len(a)) for _ in members_of[a[r]]], dtype=np.int64)
    mem = np.array([m for r in range(len(a)) for m in members_of[a[r]]], dtype=np.int64)
    shared = dense[b[rec], mem]
    rec, mem = rec[shared], mem[shared]
    return np.bincount(mem, minlength=members), np.bincount(mem, weights=v[rec], minlength=members)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400), members=st.sampled_from([63, 64, 65, 150, 200]))
def test_sparse_membership_overlaps_over_many_members_are_exact(seed, n, members):
    """Members beyond one 64-bit word (bit 63, the next word): overlaps found from the items' bit
    sets are exactly those of the dense lookup, with the same sums to the last bit."""
    rng = np.random.default_rng(seed)
    items = 30
    # a few members each, biased to the ends of the range so that high words and bit 63 are used
    ends = [0, members - 1, *(m for m in (63, 64) if m < members)]
    members_of = [sorted(set(rng.choice([*ends, *rng.integers(0, members, 3)], 4).tolist())) for _ in range(items)]
    a, b = rng.integers(0, items, n), rng.integers(0, items, n)
    v = rng.normal(size=n)
    agg = SparseMembership(members_of, members, ("a", "b"), ("v",))
    agg.add({"a": a, "b": b, "v": v})
    res = agg.result()
    dense = np.zeros((items, members), dtype=bool)
    for i, m in enumerate(members_of):
        dense[i, m] = True
    assert np.array_equal(res["counts"], (dense[a] | dense[b]).sum(0))
    counts, sums = overlap_sums_expanding_every_record(members_of, members, a, b, v)
    assert np.array_equal(agg._shared_counts, counts)
    assert np.array_equal(agg._shared_sums.get("v", np.zeros((1, members)))[0], sums) or not counts.any()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), cuts=st.lists(st.integers(0, 300), max_size=5),
       step=st.sampled_from([0.0, 0.25, 1.0]))
def test_group_medians_exact(seed, n, cuts, step):
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 3, n)
    if step:
        x = np.round(x / step) * step  # many exact ties
    x[rng.random(n) < 0.05] = np.nan
    data = {"g": rng.integers(0, 4, n), "x": x}
    blocks = split(data, cuts)
    hist, everything = GroupHist("x", "g", 4), GroupHist("x")
    for b in blocks:
        hist.add(b)
        everything.add(b)
    med, all_med = group_medians(ListReader(blocks), hist, everything)
    for g in range(4):
        vals = x[(data["g"] == g) & ~np.isnan(x)]
        assert (np.isnan(med[g]) and not len(vals)) or med[g] == np.median(vals)
    ok = x[~np.isnan(x)]
    assert (np.isnan(all_med[0]) and not len(ok)) or all_med[0] == np.median(ok)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), cuts=st.lists(st.integers(0, 300), max_size=5))
def test_top_by_and_group_top_deterministic_order(seed, n, cuts):
    rng = np.random.default_rng(seed)
    data = {"a": rng.integers(0, 20, n), "b": rng.integers(0, 20, n),
            "s": np.round(rng.normal(size=n), 1), "p": np.round(rng.normal(size=(n, 3)), 1),
            "c": rng.integers(0, 3, n)}
    top = TopBy(7, column_key("s", descending=True), ("s",), ("a", "b", "s"))
    per_profile = TopBy(5, column_key("p", index=2), ("p",), ("a", "b"))
    groups = GroupTop("c", 3, 4, "s", ("a", "b"))
    for block in split(data, cuts):
        top.add(block)
        per_profile.add(block)
        groups.add(block)
    exp = np.lexsort((data["b"], data["a"], -data["s"]))[:7]
    assert list(top.result()["s"]) == list(data["s"][exp])
    assert list(zip(top.result()["a"], top.result()["b"])) == list(zip(data["a"][exp], data["b"][exp]))
    exp = np.lexsort((data["b"], data["a"], data["p"][:, 2]))[:5]
    assert list(per_profile.result()["__score"]) == list(data["p"][exp, 2])
    for g, res in enumerate(groups.result()):
        idx = np.flatnonzero(data["c"] == g)
        exp = idx[np.lexsort((data["b"][idx], data["a"][idx], data["s"][idx]))[:4]]
        assert list(res["s"]) == list(data["s"][exp]) and list(res["a"]) == list(data["a"][exp])
