"""The two-pass reporter API, and exact quantiles, on top of :mod:`ranks` and :mod:`select`.

Pass 1 (:func:`scan`) reads every record once: count, top N, all-record aggregates and the rank
histogram of the score (from which quantiles are read to within one bin, see :mod:`ranks`).
Pass 2 (:func:`tiers`) reads every record once more. Tier k holds the best m = ceil(p% × count)
records in (score, tie-break) order. From pass 1 we know the bin of the m-th record and how many
records lie in earlier bins: records in earlier bins go straight into the tier's aggregators,
records of the boundary bin are collected and sorted exactly at the end. Memory is the
aggregators plus the records of the boundary bins (a 2^-11-wide slice of the score range; only a
huge run of exactly equal scores makes that large).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from balance.errors import StoreError
from balance_plugins.store.aggregates import Aggregator, make_all, needed_columns
from balance_plugins.store.ranks import RankHistogram, rank_bins
from balance_plugins.store.select import TopN, lex_order, order_key

if TYPE_CHECKING:
    from balance_plugins.store.reader import StageReader


@attrs.frozen
class ScanResult:
    """Pass-1 results. ``quantiles`` map q -> score (to within 2^-11 relative, 'lower' rank
    floor(q × (count-1))); ``top`` holds the best records, best first; ``skipped`` counts records of
    corrupt shards (skip_corrupt readers)."""

    count: int
    skipped: int
    score: str
    ascending: bool
    tiebreak: tuple[str, ...]
    top: dict[str, np.ndarray]
    quantiles: dict[float, float]
    aggregates: dict[str, Any]
    histogram: RankHistogram = attrs.field(repr=False)


@attrs.frozen
class TierResult:
    """One tier: the best ``size`` records of ``population``. ``threshold`` is the score of the
    last record in the tier and ``threshold_ids`` its tie-break values; ``median`` is the exact
    median score inside the tier (mean of the two middle records when ``size`` is even)."""

    percent: float
    size: int
    population: int
    threshold: float
    threshold_ids: tuple
    median: float
    aggregates: dict[str, Any]


def tier_size(percent: float, count: int) -> int:
    """ceil(percent% × count), computed exactly (0.1 % of 1000 is 1, not 2 by float rounding)."""
    m = math.ceil(Fraction(str(percent)) * count / 100)
    return max(0, min(count, m))


def _unkey(key: float, ascending: bool) -> float:
    return float(key) if ascending else float(-key)


def scan(reader: StageReader, score: str, ascending: bool, tiebreak: Sequence[str], top: int,
         quantiles: Sequence[float], aggregators: dict[str, Aggregator], top_columns: Sequence[str] | None
         ) -> ScanResult:
    tiebreak = tuple(tiebreak)
    top_cols = list(reader.schema.names if top_columns is None else top_columns)
    sel = TopN(top, score, ascending, tiebreak, top_cols)
    hist = RankHistogram()
    cols = needed_columns(aggregators, [score, *tiebreak, *top_cols])
    for block in reader.blocks(cols):
        key = order_key(block[score], ascending)
        hist.add(key)
        sel.add(block, key)
        for agg in aggregators.values():
            agg.add(block)
    qs = {}
    for q in quantiles:
        if hist.total:
            qs[float(q)] = _unkey(hist.approx_key(_q_rank(q, hist.total)), ascending)
        else:
            qs[float(q)] = math.nan
    empty = {c.name: np.empty((0, *c.shape), c.np_dtype) for c in reader.schema.columns}
    return ScanResult(hist.total, reader.skipped, score, ascending, tiebreak, sel.result(empty), qs,
                      {k: a.result() for k, a in aggregators.items()}, hist)


def _q_rank(q: float, count: int) -> int:
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} outside [0, 1]")
    return int(math.floor(Fraction(str(q)) * (count - 1)))


class _BinProbe:
    """Collects the records of one rank bin during pass 2, to resolve ranks inside it exactly."""

    def __init__(self, hist: RankHistogram, rank: int, columns: Sequence[str]):
        self.bin, self.before = hist.locate(rank)
        self.columns = list(columns)
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, block: dict[str, np.ndarray], key: np.ndarray, bins: np.ndarray) -> None:
        hit = np.flatnonzero(bins == self.bin)
        if len(hit):
            part = {c: np.asarray(block[c])[hit] for c in self.columns}
            part["__key"] = key[hit]
            self.parts.append(part)

    def sorted_rows(self, tiebreak: Sequence[str]) -> dict[str, np.ndarray]:
        cols = [*self.columns, "__key"]
        rows = {c: np.concatenate([p[c] for p in self.parts]) for c in cols}
        order = lex_order(rows["__key"], rows, tiebreak)
        return {c: v[order] for c, v in rows.items()}


def tiers(reader: StageReader, first: ScanResult, percents: Sequence[float],
          aggregators: dict[str, Aggregator]) -> dict[float, TierResult]:
    score, asc, tb, hist = first.score, first.ascending, first.tiebreak, first.histogram
    count = first.count
    # the score always travels with the rows, so that column-less aggregators (Count) see the rows
    agg_cols = needed_columns(aggregators, [score])
    plans = []
    for p in percents:
        m = tier_size(p, count)
        plan = {"percent": float(p), "size": m, "aggs": make_all(aggregators), "edge": None, "meds": []}
        if m:
            plan["edge"] = _BinProbe(hist, m - 1, [*tb, *agg_cols])
            plan["meds"] = [_BinProbe(hist, r, tb) for r in sorted({(m - 1) // 2, m // 2})]
        plans.append(plan)
    cols = list(dict.fromkeys([score, *tb, *agg_cols]))
    seen = 0
    for block in reader.blocks(cols):
        key = order_key(block[score], asc)
        bins = rank_bins(key)
        seen += len(key)
        for plan in plans:
            edge = plan["edge"]
            if edge is None:
                continue
            inside = np.flatnonzero(bins < edge.bin)
            if len(inside):
                sub = {c: np.asarray(block[c])[inside] for c in agg_cols}
                for agg in plan["aggs"].values():
                    agg.add(sub)
            edge.add(block, key, bins)
            for probe in plan["meds"]:
                probe.add(block, key, bins)
    if seen != count:
        raise StoreError(f"{reader.stage} changed between passes: {count} records in pass 1, {seen} in pass 2")
    out = {}
    for plan in plans:
        m, edge = plan["size"], plan["edge"]
        if edge is None:
            out[plan["percent"]] = TierResult(plan["percent"], 0, count, math.nan, (), math.nan,
                                              {k: a.result() for k, a in plan["aggs"].items()})
            continue
        rows = edge.sorted_rows(tb)
        need = m - edge.before
        taken = {c: rows[c][:need] for c in agg_cols}
        for agg in plan["aggs"].values():
            agg.add(taken)
        last = need - 1
        meds = []
        for r in sorted({(m - 1) // 2, m // 2}):
            probe = next(pr for pr in plan["meds"] if pr.before <= r < pr.before + hist.counts[pr.bin])
            meds.append(_unkey(probe.sorted_rows(tb)["__key"][r - probe.before], asc))
        out[plan["percent"]] = TierResult(
            plan["percent"], m, count, _unkey(rows["__key"][last], asc),
            tuple(rows[c][last].item() for c in tb), float(np.mean(meds)),
            {k: a.result() for k, a in plan["aggs"].items()})
    return out


def quantiles(reader: StageReader, column: str, qs: Sequence[float], exact: bool) -> dict[float, float]:
    first = scan(reader, column, True, (), 0, qs, {}, [])
    if not exact or not first.count:
        return first.quantiles
    probes = {q: _BinProbe(first.histogram, _q_rank(q, first.count), []) for q in qs}
    for block in reader.blocks([column]):
        key = order_key(block[column], True)
        bins = rank_bins(key)
        for probe in probes.values():
            probe.add(block, key, bins)
    out = {}
    for q, probe in probes.items():
        keys = np.sort(np.concatenate([p["__key"] for p in probe.parts]))
        out[float(q)] = float(keys[_q_rank(q, first.count) - probe.before])
    return out
