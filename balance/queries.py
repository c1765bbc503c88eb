"""The queries reporters ask of a stage reader, for any store: top-N, one-pass aggregates,
quantiles and the two-pass tier scan, computed from the reader's blocks (:class:`BlockQueries`).

Records are ordered by the score, then by the tie-break columns; by default by the record's
position (its work-item index), which every store knows, so the order never depends on the store,
its block boundaries or the stage's column names.

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
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from balance.aggregates import Aggregator, make_all, needed_columns
from balance.errors import StoreError
from balance.ordering import TopN, lex_order, order_key
from balance.ranks import RankHistogram, rank_bins

if TYPE_CHECKING:
    from balance.store import StageReader

#: The tie-break "column" holding each record's position (work-item index); the default tie-break.
POSITION = "record"
DEFAULT_TIEBREAK = (POSITION,)


def read_blocks(reader: StageReader, columns: Sequence[str]) -> Iterator[dict[str, np.ndarray]]:
    """The reader's blocks as dicts of ``columns``; :data:`POSITION` (when asked for and not a
    column of the stage) is filled from each block's range."""
    names = list(dict.fromkeys(columns))
    computed = POSITION in names and POSITION not in reader.schema.names
    stored = [c for c in names if not (computed and c == POSITION)]
    for block in reader.iter_blocks(stored):
        data = dict(block.columns)
        if computed:
            data[POSITION] = np.arange(block.start, block.stop, dtype=np.int64)
        yield data


class BlockQueries:
    """The query half of :class:`balance.store.StageReader`: everything here reads through
    ``self.iter_blocks``, so a store implements storage only and answers queries like any other."""

    def blocks(self, columns: Sequence[str] | None = None) -> Iterator[dict[str, np.ndarray]]:
        """Every block as a dict of arrays, in work-item order."""
        return read_blocks(self, list(self.schema.names if columns is None else columns))

    def top_n(self, n: int, score: str = "overall", ascending: bool = True,
              tiebreak: Sequence[str] = DEFAULT_TIEBREAK, columns: Sequence[str] | None = None
              ) -> dict[str, np.ndarray]:
        """The ``n`` best records by ``score`` (lower is better when ``ascending``), ties broken by
        ``tiebreak`` ascending (default: the record's position), best first; ``columns`` default to
        all. One pass, O(n + block) memory."""
        cols = list(self.schema.names if columns is None else columns)
        top = TopN(n, score, ascending, tiebreak, cols)
        for block in self.blocks(list(dict.fromkeys([score, *tiebreak, *cols]))):
            top.add(block)
        res = top.result(_empty(self))
        return {c: res[c] for c in dict.fromkeys([*cols, score, *tiebreak])}

    def aggregate(self, aggregators: dict[str, Aggregator]) -> dict[str, Any]:
        """Feed every record to the aggregators in one pass; return their results by key."""
        cols = needed_columns(aggregators)
        for block in self.blocks(cols or [self.schema.names[0]]):
            for agg in aggregators.values():
                agg.add(block)
        return {k: a.result() for k, a in aggregators.items()}

    def quantiles(self, column: str, qs: Sequence[float], exact: bool = True) -> dict[float, float]:
        """Quantiles of a scalar column ('lower' method: the value of rank floor(q × (count-1))).
        ``exact`` takes two passes; otherwise one pass, to within 2^-11 of the value."""
        return quantiles(self, column, qs, exact)

    def scan(self, score: str = "overall", ascending: bool = True, tiebreak: Sequence[str] = DEFAULT_TIEBREAK,
             top: int = 5000, quantiles: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
             aggregators: dict[str, Aggregator] | None = None, top_columns: Sequence[str] | None = None
             ) -> ScanResult:
        """Pass 1: count, approximate quantiles of the score, the top N and all-record aggregates."""
        return scan(self, score, ascending, tiebreak, top, quantiles, aggregators or {}, top_columns)

    def tiers(self, first: ScanResult, percents: Sequence[float], aggregators: dict[str, Aggregator],
              bare: Sequence[float] = ()) -> dict[float, TierResult]:
        """Pass 2: for each p, the aggregates over the best ceil(p% × count) records (deterministic
        tie-break), with the tier's exact threshold record and median score; for each p of ``bare``
        (not in ``percents``) the tier's threshold and median only, in the same pass (``bare=[100]``:
        the exact median of all records)."""
        return tiers(self, first, percents, aggregators, bare)


def _empty(reader: StageReader) -> dict[str, np.ndarray]:
    empty = {c.name: np.empty((0, *c.shape), c.np_dtype) for c in reader.schema.columns}
    empty.setdefault(POSITION, np.empty(0, np.int64))
    return empty


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
    for block in read_blocks(reader, cols):
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
    return ScanResult(hist.total, reader.skipped, score, ascending, tiebreak, sel.result(_empty(reader)), qs,
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
          aggregators: dict[str, Aggregator], bare: Sequence[float] = ()) -> dict[float, TierResult]:
    score, asc, tb, hist = first.score, first.ascending, first.tiebreak, first.histogram
    count = first.count
    plans = []
    for p, aggs in [*((p, aggregators) for p in percents), *((p, {}) for p in bare)]:
        m = tier_size(p, count)
        # the score always travels with the rows, so that column-less aggregators (Count) see the rows
        agg_cols = needed_columns(aggs, [score])
        plan = {"percent": float(p), "size": m, "aggs": make_all(aggs), "cols": agg_cols, "edge": None, "meds": []}
        if m:
            plan["edge"] = _BinProbe(hist, m - 1, [*tb, *agg_cols])
            plan["meds"] = [_BinProbe(hist, r, tb) for r in sorted({(m - 1) // 2, m // 2})]
        plans.append(plan)
    cols = list(dict.fromkeys([score, *tb, *(c for plan in plans for c in plan["cols"])]))
    seen = 0
    for block in read_blocks(reader, cols):
        key = order_key(block[score], asc)
        bins = rank_bins(key)
        seen += len(key)
        for plan in plans:
            edge = plan["edge"]
            if edge is None:
                continue
            if plan["aggs"]:
                inside = np.flatnonzero(bins < edge.bin)
                if len(inside):
                    sub = {c: np.asarray(block[c])[inside] for c in plan["cols"]}
                    for agg in plan["aggs"].values():
                        agg.add(sub)
            edge.add(block, key, bins)
            for probe in plan["meds"]:
                probe.add(block, key, bins)
    if seen != count:
        raise StoreError(f"{reader.stage} changed between passes: {count} records in pass 1, {seen} in pass 2")
    out = {}
    for plan in plans:
        m, edge, agg_cols = plan["size"], plan["edge"], plan["cols"]
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
    for block in read_blocks(reader, [column]):
        key = order_key(block[column], True)
        bins = rank_bins(key)
        for probe in probes.values():
            probe.add(block, key, bins)
    out = {}
    for q, probe in probes.items():
        keys = np.sort(np.concatenate([p["__key"] for p in probe.parts]))
        out[float(q)] = float(keys[_q_rank(q, first.count) - probe.before])
    return out
