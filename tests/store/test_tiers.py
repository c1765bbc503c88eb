"""The two-pass reporter API and the aggregates equal brute-force computations over all records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance.records import Schema
from balance.aggregates import Count, GroupSums, Histogram, MembershipSums, Sums
from balance_plugins.store import MsgpackStore, RunInfo
from balance.queries import tier_size

from .conftest import concat

PERCENTS = (50, 20, 5, 1, 0.1)
N_ATTACKS = 200


def membership(seed=3, members=6):
    return np.random.default_rng(seed).integers(0, 2, (N_ATTACKS, members)).astype(np.uint8)


def aggregators(matrix):
    return {
        "count": Count(),
        "sums": Sums(("overall", "profile_mean")),
        "synergy": Histogram("synergy", [-np.inf, -30, -15, -5, 5, 15, 30, np.inf]),
        "cost": GroupSums("total_cost", 16, ("overall",)),
        "enh": MembershipSums(matrix, ("a_index", "b_index"), ("overall", "usage_a_profile")),
    }


def brute(rows, matrix):
    """The same aggregates computed directly on an in-memory set of rows."""
    m = matrix.astype(bool)
    carried = m[rows["a_index"]] | m[rows["b_index"]]
    edges = np.array([-np.inf, -30, -15, -5, 5, 15, 30, np.inf])
    return {
        "count": len(rows["overall"]),
        "sums": rows["overall"].astype(np.float64).sum(),
        "profile_sums": rows["profile_mean"].astype(np.float64).sum(axis=0),
        "synergy": np.histogram(rows["synergy"], edges)[0],
        "cost_counts": np.bincount(rows["total_cost"], minlength=16),
        "cost_sums": np.bincount(rows["total_cost"], weights=rows["overall"].astype(np.float64), minlength=16),
        "cost_mins": np.array([rows["overall"][rows["total_cost"] == g].min() if (rows["total_cost"] == g).any()
                               else np.inf for g in range(16)]),
        "enh_counts": carried.sum(axis=0),
        "enh_slot_a": m[rows["a_index"]].sum(axis=0),
        "enh_sums": rows["overall"].astype(np.float64) @ carried,
        "enh_usage": rows["usage_a_profile"].astype(np.float64).T @ carried,
    }


def check(agg, want):
    assert agg["count"] == want["count"]
    assert agg["sums"].count == want["count"]
    assert np.allclose(agg["sums"].sums["overall"], want["sums"])
    assert np.allclose(agg["sums"].sums["profile_mean"], want["profile_sums"])
    h = agg["synergy"]
    assert np.array_equal(h.counts, want["synergy"]) and h.below == h.above == 0
    assert np.array_equal(agg["cost"].counts, want["cost_counts"])
    assert np.allclose(agg["cost"].sums["overall"], want["cost_sums"])
    assert np.array_equal(agg["cost"].mins["overall"], want["cost_mins"])
    e = agg["enh"]
    assert np.array_equal(e.counts, want["enh_counts"])
    assert np.array_equal(e.slot_counts[0], want["enh_slot_a"])
    assert np.allclose(e.sums["overall"], want["enh_sums"])
    assert np.allclose(e.sums["usage_a_profile"], want["enh_usage"])


def ranked(data, ascending=True):
    key = data["overall"].astype(np.float64)
    key = key if ascending else -key
    order = np.lexsort((data["b_index"], data["a_index"], key))
    return {k: v[order] for k, v in data.items()}


def test_tier_size_is_exact():
    assert tier_size(0.1, 1000) == 1  # float rounding would give ceil(1.0000000000000002) = 2
    assert tier_size(50, 5) == 3 and tier_size(1, 5) == 1 and tier_size(0, 5) == 0
    assert tier_size(100, 7) == 7 and tier_size(20, 0) == 0


def test_two_pass_tiers_match_brute_force(stage2_run):
    r = stage2_run.stage_reader("stage2")
    matrix = membership()
    data = concat(r.blocks())
    srt = ranked(data)

    first = r.scan(tiebreak=IDS, top=50, aggregators=aggregators(matrix), quantiles=(0.0, 0.1, 0.5, 0.9, 1.0))
    assert first.count == 5000 and first.skipped == 0
    check(first.aggregates, brute(data, matrix))  # pass-1 aggregates cover all records
    for k in ("overall", "a_index", "b_index", "synergy"):
        assert np.array_equal(first.top[k], srt[k][:50])
    for q, v in first.quantiles.items():
        exact = np.quantile(data["overall"].astype(np.float64), q, method="lower")
        assert abs(v - exact) <= abs(exact) * 2.0**-11, (q, v, exact)

    tiers = r.tiers(first, PERCENTS, aggregators(matrix))
    assert list(tiers) == [float(p) for p in PERCENTS]
    for p, t in tiers.items():
        m = math.ceil(p * 5000 / 100)
        assert t.size == m and t.population == 5000
        assert t.threshold == srt["overall"][m - 1]
        assert t.threshold_ids == (srt["a_index"][m - 1], srt["b_index"][m - 1])
        assert t.median == np.median(srt["overall"][:m])
        check(t.aggregates, brute({k: v[:m] for k, v in srt.items()}, matrix))


def test_exact_quantiles_match_numpy(stage2_run):
    r = stage2_run.stage_reader("stage2")
    data = concat(r.blocks(["synergy"]))["synergy"].astype(np.float64)
    qs = [0.0, 0.01, 0.25, 0.5, 0.77, 1.0]
    got = r.quantiles("synergy", qs, exact=True)
    for q in qs:
        assert got[q] == np.quantile(data, q, method="lower")


#: The records' own ids, as the reports break ties (the default is the record position).
IDS = ("a_index", "b_index")

SMALL = Schema.of({"a_index": "int32", "b_index": "int32", "overall": "float32", "total_cost": "uint8"})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(1, 300), levels=st.sampled_from([1, 2, 5, 1000]), seed=st.integers(0, 1000),
       ascending=st.booleans(), percents=st.lists(st.sampled_from([0.1, 1, 5, 20, 33.3, 50, 100]), min_size=1,
                                                   max_size=4, unique=True))
def test_tiers_with_heavy_ties_match_brute_force(tmp_path_factory, total, levels, seed, ascending, percents):
    rng = np.random.default_rng(seed)
    ids = rng.permutation(total)
    data = {"a_index": (ids // 13).astype(np.int32), "b_index": (ids % 13).astype(np.int32),
            "overall": (rng.integers(0, levels, total) * 0.5 - 3).astype(np.float32),
            "total_cost": rng.integers(0, 4, total).astype(np.uint8)}
    store = MsgpackStore(frame_records=17, shard_records=100)
    run = store.create(tmp_path_factory.mktemp("t") / "run", RunInfo())
    w = run.stage_writer("s", SMALL, total=total)
    for s in range(0, total, 23):
        w.write(s, min(s + 23, total), {k: v[s: s + 23] for k, v in data.items()})
    w.finish()
    r = run.stage_reader("s")
    first = r.scan(ascending=ascending, tiebreak=IDS, top=5)
    aggs = {"n": Count(), "cost": GroupSums("total_cost", 4, ("overall",)), "ids": Sums(("a_index", "b_index"))}
    tiers = r.tiers(first, percents, aggs)
    srt = ranked(data, ascending)
    for p, t in tiers.items():
        m = tier_size(p, total)
        sub = {k: v[:m] for k, v in srt.items()}
        assert t.aggregates["n"] == m
        assert np.array_equal(t.aggregates["cost"].counts, np.bincount(sub["total_cost"], minlength=4))
        # the id sums pin down *which* tied records are in the tier
        assert t.aggregates["ids"].sums["a_index"] == sub["a_index"].sum()
        assert t.aggregates["ids"].sums["b_index"] == sub["b_index"].sum()
        assert t.threshold_ids == (sub["a_index"][-1], sub["b_index"][-1])
        assert t.median == np.median(sub["overall"])


def test_group_sums_refuse_out_of_range_groups():
    g = GroupSums("c", 3)
    with pytest.raises(ValueError, match="outside \\[0, 3\\)"):
        g.add({"c": np.array([0, 3])})


def test_column_less_aggregators_count_tier_rows(stage2_run):
    r = stage2_run.stage_reader("stage2")
    first = r.scan(top=0)
    assert len(first.top["overall"]) == 0
    tiers = r.tiers(first, [100, 50, 0.1], {"n": Count()})
    assert [t.aggregates["n"] for t in tiers.values()] == [5000, 2500, 5]
    assert r.aggregate({"n": Count()}) == {"n": 5000}
