"""Streaming aggregators the reports need beyond the core's own (``balance.aggregates``).

They follow the core's aggregator protocol (``columns``, ``add(block)``, ``result()``,
``fresh()``), so they can be fed by ``StageReader.aggregate`` (one pass) and by the tier pass
(``StageReader.tiers``). Memory is bounded by the number of groups/members and N, never by the
number of records:

- :class:`TopBy`          the N best rows by any derived key (per-profile score, synergy descending);
- :class:`GroupTop`       the N best rows of each group (e.g. of each total cost);
- :class:`Moments`        count, sum, sum of squares, min, max of a column (NaNs counted apart);
- :class:`SparseMembership` per-enhancement counts and sums for records naming attacks in slots —
                          the core's ``MembershipSums`` multiplies dense (rows × members)
                          matrices, which is too slow with hundreds of members (enhancement ×
                          attack type); this one expands only the ≤ 5 enhancements an attack carries;
- :class:`GroupHist` + :func:`group_medians`  exact per-group medians in two passes: a coarse
                          histogram of order keys in pass 1, then only the records of the bins
                          holding the middle ranks are kept and sorted in pass 2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from balance.ranks import rank_bins
from balance.ordering import TopN, order_key

SCORE = "__score"


def _rows(block) -> int:
    return len(next(iter(block.values()))) if block else 0


class Derive:
    """Wraps an aggregator, adding derived columns computed from source columns to each block."""

    def __init__(self, inner, derive: dict[str, tuple[Sequence[str], Callable[[dict], np.ndarray]]]):
        self.inner = inner
        self.derive = derive
        src = [c for _, (cols, _) in derive.items() for c in cols]
        self.columns = tuple(dict.fromkeys([*(c for c in inner.columns if c not in derive), *src]))

    def add(self, block):
        b = dict(block)
        for name, (_, fn) in self.derive.items():
            b[name] = fn(block)
        self.inner.add(b)

    def result(self):
        return self.inner.result()

    def fresh(self):
        return Derive(self.inner.fresh(), self.derive)


class TopBy:
    """The ``n`` best rows by ``key(block)`` (smaller is better; NaN last), ties broken by the
    ``tiebreak`` columns ascending. The result holds ``columns``, the tie-break and ``__score``."""

    def __init__(self, n: int, key: Callable[[dict], np.ndarray], needs: Sequence[str], columns: Sequence[str],
                 tiebreak: Sequence[str] = ("a", "b")):
        self.n, self.key, self.needs = n, key, tuple(needs)
        self.keep = tuple(dict.fromkeys([*columns, *tiebreak]))
        self.tiebreak = tuple(tiebreak)
        self.columns = tuple(dict.fromkeys([*self.needs, *self.keep]))
        self._top = TopN(n, SCORE, True, self.tiebreak, self.keep)

    def add(self, block):
        b = {c: block[c] for c in self.keep}
        b[SCORE] = np.asarray(self.key(block), dtype=np.float64)
        self._top.add(b)

    def result(self) -> dict[str, np.ndarray]:
        rows = self._top.result()
        if SCORE not in rows or rows[SCORE].dtype != np.float64:
            rows[SCORE] = np.asarray(rows.get(SCORE, []), dtype=np.float64)
        return rows

    def fresh(self):
        return TopBy(self.n, self.key, self.needs, self.keep, self.tiebreak)


def column_key(name: str, descending: bool = False, index: int | None = None):
    """A TopBy key: the column (or one position of a shaped column), negated when higher is better."""
    def key(block):
        v = np.asarray(block[name], dtype=np.float64)
        if index is not None:
            v = v[:, index]
        return -v if descending else v
    return key


class GroupTop:
    """The ``n`` best rows (by ``score`` ascending, then tie-break) of each value of integer column
    ``group`` (values ``offset .. offset + n_groups - 1``)."""

    def __init__(self, group: str, n_groups: int, n: int, score: str, columns: Sequence[str],
                 tiebreak: Sequence[str] = ("a", "b"), offset: int = 0):
        self.group, self.n_groups, self.n, self.score, self.offset = group, n_groups, n, score, offset
        self.keep = tuple(dict.fromkeys([score, *columns, *tiebreak]))
        self.tiebreak = tuple(tiebreak)
        self.columns = tuple(dict.fromkeys([group, *self.keep]))
        self._tops = [TopN(n, score, True, self.tiebreak, self.keep) for _ in range(n_groups)]

    def add(self, block):
        g = np.asarray(block[self.group]).astype(np.int64) - self.offset
        for gi in np.unique(g):
            sel = np.flatnonzero(g == gi)
            self._tops[int(gi)].add({c: np.asarray(block[c])[sel] for c in self.keep})

    def result(self) -> list[dict[str, np.ndarray]]:
        return [t.result() for t in self._tops]

    def fresh(self):
        return GroupTop(self.group, self.n_groups, self.n, self.score, self.keep, self.tiebreak, self.offset)


class Moments:
    """Count, sum, sum of squares, min and max of a scalar column; NaNs are counted, not summed."""

    def __init__(self, column: str):
        self.column = column
        self.columns = (column,)
        self.n = 0
        self.nan = 0
        self.s = 0.0
        self.ss = 0.0
        self.lo = math.inf
        self.hi = -math.inf

    def add(self, block):
        v = np.asarray(block[self.column], dtype=np.float64)
        bad = np.isnan(v)
        if bad.any():
            self.nan += int(bad.sum())
            v = v[~bad]
        if len(v):
            self.n += len(v)
            self.s += float(v.sum())
            self.ss += float(np.dot(v, v))
            self.lo = min(self.lo, float(v.min()))
            self.hi = max(self.hi, float(v.max()))

    def result(self) -> dict[str, float]:
        mean = self.s / self.n if self.n else math.nan
        var = max(self.ss / self.n - mean * mean, 0.0) if self.n else math.nan
        # sample standard deviation (n - 1), what numpy's std(ddof=1) gives
        sd = math.sqrt(var * self.n / (self.n - 1)) if self.n > 1 else math.nan
        return {"count": self.n, "nan": self.nan, "sum": self.s, "mean": mean, "sd": sd,
                "min": self.lo if self.n else math.nan, "max": self.hi if self.n else math.nan}

    def fresh(self):
        return Moments(self.column)


class SparseMembership:
    """Per-member sums for records that name items (attacks) in ``slots`` columns.

    ``members_of[i]`` lists the member ids (e.g. enhancements) item i carries. A record carries
    member m when any slot's item does (counted once); ``slot_*`` figures are per slot. ``values``
    are summed over carrying records (shaped columns per position: ``sums[v]`` is (width, members));
    ``slot_values`` maps a name to one column per slot, summed over the records whose slot-k item
    carries the member (e.g. ``usage`` -> (``usage_a``, ``usage_b``): the share of turns of the
    attack that carries it).

    Why it is fast: per block it only sums each value per *item* (one ``bincount`` over the
    records per slot); items are spread over their members once, in ``result``. Records whose two
    items share a member would be counted twice that way, so the members of slot 0 are expanded
    and checked against slot 1's item to subtract exactly those (few) overlaps; only the records
    whose two items share a member at all (one AND of the items' member bit sets) are expanded.
    """

    def __init__(self, members_of: Sequence[Sequence[int]], n_members: int, slots: Sequence[str],
                 values: Sequence[str] = (), slot_values: dict[str, Sequence[str]] | None = None):
        self.members_of = members_of
        self.n_members = n_members
        self.slots = tuple(slots)
        if not 1 <= len(self.slots) <= 2:
            raise ValueError("SparseMembership counts overlaps of two slots; give one or two slot columns")
        self.values = tuple(values)
        self.slot_values = {k: tuple(v) for k, v in (slot_values or {}).items()}
        self.columns = tuple(dict.fromkeys([*self.slots, *self.values,
                                            *(c for cols in self.slot_values.values() for c in cols)]))
        self.n_items = len(members_of)
        lengths = np.array([len(m) for m in members_of], dtype=np.int64)
        self._lengths = lengths
        self._starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self._flat = np.array([x for m in members_of for x in m], dtype=np.int64)
        self._rows = np.repeat(np.arange(self.n_items), lengths)
        if len(self.slots) > 1:
            # item x member lookup, to find the members both slots' items carry
            self._dense = np.zeros((self.n_items, n_members), dtype=bool)
            self._dense[self._rows, self._flat] = True
            # the same as bit sets (64 members a word): whether two items share any member at all
            self._bits = np.zeros((self.n_items, max(1, -(-n_members // 64))), dtype=np.uint64)
            np.bitwise_or.at(self._bits, (self._rows, self._flat // 64),
                             np.left_shift(np.uint64(1), (self._flat % 64).astype(np.uint64)))
        K = len(self.slots)
        self._item_counts = np.zeros((K, self.n_items))
        self._item_sums: dict[str, np.ndarray] = {}  # value -> (K, width, items)
        self._item_slot_sums = {k: np.zeros((K, self.n_items)) for k in self.slot_values}
        self._shared_counts = np.zeros(n_members)
        self._shared_sums: dict[str, np.ndarray] = {}  # value -> (width, members)

    def _expand(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lens = self._lengths[items]
        total = int(lens.sum())
        rec = np.repeat(np.arange(len(items)), lens)
        within = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        mem = self._flat[np.repeat(self._starts[items], lens) + within]
        return rec, mem

    def add(self, block):
        n = _rows(block)
        if not n:
            return
        N, M = self.n_items, self.n_members
        items = [np.asarray(block[s]).astype(np.int64) for s in self.slots]
        vals = {v: np.asarray(block[v], dtype=np.float64).reshape(n, -1) for v in self.values}
        for k, it in enumerate(items):
            self._item_counts[k] += np.bincount(it, minlength=N)
            for v, x in vals.items():
                s = np.stack([np.bincount(it, weights=x[:, w], minlength=N) for w in range(x.shape[1])])
                if v not in self._item_sums:
                    self._item_sums[v] = np.zeros((len(self.slots), x.shape[1], N))
                self._item_sums[v][k] += s
            for name, cols in self.slot_values.items():
                x = np.asarray(block[cols[k]], dtype=np.float64)
                self._item_slot_sums[name][k] += np.bincount(it, weights=x, minlength=N)
        if len(items) > 1:
            # only records whose two items share a member are expanded (few: most pairs share none);
            # the (record, member) sequence, hence every sum, is the one expanding all records gives
            first, other = items
            some = np.flatnonzero((self._bits[first] & self._bits[other]).any(axis=1))
            rec, mem = self._expand(first[some])
            shared = self._dense[other[some][rec], mem]
            rec, mem = some[rec[shared]], mem[shared]
            if len(rec):
                self._shared_counts += np.bincount(mem, minlength=M)
                for v, x in vals.items():
                    s = np.stack([np.bincount(mem, weights=x[rec, w], minlength=M) for w in range(x.shape[1])])
                    self._shared_sums[v] = self._shared_sums[v] + s if v in self._shared_sums else s

    def _spread(self, per_item: np.ndarray) -> np.ndarray:
        """Per-item figures -> per-member sums over the items carrying each member."""
        return np.bincount(self._flat, weights=per_item[self._rows], minlength=self.n_members)

    def result(self) -> dict[str, Any]:
        M, K = self.n_members, len(self.slots)
        slot_counts = np.stack([self._spread(self._item_counts[k]) for k in range(K)])
        counts = slot_counts.sum(axis=0) - self._shared_counts
        sums = {}
        for v in self.values:
            if v not in self._item_sums:
                sums[v] = np.zeros((1, M))
                continue
            per = self._item_sums[v]
            tot = np.stack([sum(self._spread(per[k, w]) for k in range(K)) for w in range(per.shape[1])])
            sums[v] = tot - self._shared_sums.get(v, 0.0)
        slot_sums = {name: np.stack([self._spread(a[k]) for k in range(K)]) for name, a in self._item_slot_sums.items()}
        return {"counts": np.rint(counts).astype(np.int64), "slot_counts": np.rint(slot_counts).astype(np.int64),
                "sums": sums, "slot_sums": slot_sums, "clusters": self._clusters()}

    def _clusters(self) -> dict[str, Any]:
        """What a standard error clustered by item needs: records that share an item (pairs that
        share an attack) are not independent. Every record carrying member m through item k is in
        cluster (m, k); its cluster total is item k's total over all records naming it (each of
        those carries m). Per member: ``g`` clusters with records, ``nn`` = sum of squared sizes,
        and per value column ``(tt, tn)`` = sums of squared cluster totals and of total × size.
        A record whose two items both carry m is in both clusters (conservative)."""
        n = self._item_counts.sum(axis=0)
        out: dict[str, Any] = {"g": self._spread((n > 0).astype(np.float64)), "nn": self._spread(n * n)}
        for v, per in self._item_sums.items():
            tot = per.sum(axis=0)  # (width, items)
            out[v] = (np.stack([self._spread(t * t) for t in tot]), np.stack([self._spread(t * n) for t in tot]))
        return out

    def fresh(self):
        return SparseMembership(self.members_of, self.n_members, self.slots, self.values, self.slot_values)


class ClusterTotals:
    """Per item (attack), how many records name it in any of ``slots`` and their total of ``value``:
    the clusters of the standard error of the mean of *all* records (a population's mean turns),
    clustered by item, as :func:`cluster_se` reads them for one member every record carries. Only
    two ``bincount`` per slot and block: no membership to expand."""

    def __init__(self, slots: Sequence[str], n_items: int, value: str):
        self.slots, self.n_items, self.value = tuple(slots), n_items, value
        self.columns = (*self.slots, value)
        self._n = np.zeros(n_items)
        self._t = np.zeros(n_items)

    def add(self, block):
        x = np.asarray(block[self.value], dtype=np.float64)
        for s in self.slots:
            it = np.asarray(block[s]).astype(np.int64)
            self._n += np.bincount(it, minlength=self.n_items)
            self._t += np.bincount(it, weights=x, minlength=self.n_items)

    def result(self) -> dict[str, Any]:
        n, t = self._n, self._t
        return {"g": np.array([float((n > 0).sum())]), "nn": np.array([(n * n).sum()]),
                self.value: (np.array([(t * t).sum()]), np.array([(t * n).sum()]))}

    def fresh(self):
        return ClusterTotals(self.slots, self.n_items, self.value)


def cluster_se(clusters: dict[str, Any], value: str, mean: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Standard error of each member's mean of ``value`` clustered by item (CR1: with the
    G / (G - 1) small-sample factor; G = clusters), from :meth:`SparseMembership.result`'s
    ``clusters``; NaN with fewer than two clusters. With one record per item it is sd / sqrt(n)."""
    tt, tn = clusters[value]
    g, nn = clusters["g"], clusters["nn"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = np.maximum(tt - 2 * mean * tn + mean**2 * nn, 0.0)
        se = np.sqrt(ss * g / (g - 1)) / counts
    return np.where(g > 1, se, np.nan)


# -- exact per-group medians in two passes --------------------------------------------------------

#: Pass-1 bins: the top 16 bits of the core's 20-bit rank bins (balance.ranks) (bins 2^-7 of the value wide).
_SHIFT = 4
_NB = 1 << 16


def _bins(values: np.ndarray) -> np.ndarray:
    return rank_bins(order_key(values, True)) >> _SHIFT


class GroupHist:
    """Pass 1 of :func:`group_medians`: per group (integer column ``group`` minus ``offset``, or
    one group when ``group`` is None) a histogram of ``score`` over 65,536 order-preserving bins.
    NaN scores are left out (and counted)."""

    def __init__(self, score: str, group: str | None = None, n_groups: int = 1, offset: int = 0):
        self.score, self.group, self.n_groups, self.offset = score, group, n_groups, offset
        self.columns = tuple(c for c in (group, score) if c)
        self.counts = np.zeros((n_groups, _NB), dtype=np.int64)
        self.nan = 0

    def groups_of(self, block) -> np.ndarray:
        n = _rows(block)
        if self.group is None:
            return np.zeros(n, dtype=np.int64)
        return np.asarray(block[self.group]).astype(np.int64) - self.offset

    def add(self, block):
        v = np.asarray(block[self.score], dtype=np.float64)
        ok = ~np.isnan(v)
        self.nan += int((~ok).sum())
        g = self.groups_of(block)[ok]
        b = _bins(v[ok])
        self.counts += np.bincount(g * _NB + b, minlength=self.n_groups * _NB).reshape(self.n_groups, _NB)

    def result(self) -> GroupHist:
        return self

    def fresh(self):
        return GroupHist(self.score, self.group, self.n_groups, self.offset)


def group_medians(reader, *hists: GroupHist) -> list[np.ndarray]:
    """Pass 2 for any number of pass-1 histograms at once: the exact median of each one's score in
    each of its groups (mean of the two middle values when the group's size is even; NaN for an
    empty group). Only the records of the bins holding the middle ranks are kept and sorted."""
    plans = []
    for hist in hists:
        want: list[tuple[int, int, int]] = []  # (group, combined key g * NB + bin, rank within the bin)
        for g, n in enumerate(hist.counts.sum(axis=1)):
            if not n:
                continue
            cum = np.cumsum(hist.counts[g])
            for r in sorted({(int(n) - 1) // 2, int(n) // 2}):
                b = int(np.searchsorted(cum, r + 1, side="left"))
                want.append((g, g * _NB + b, r - (int(cum[b - 1]) if b else 0)))
        keys = np.array(sorted({k for _, k, _ in want}), dtype=np.int64)
        plans.append((hist, want, keys, {int(k): [] for k in keys}))
    columns = list(dict.fromkeys(c for h in hists for c in h.columns))
    if any(len(keys) for _, _, keys, _ in plans):
        for block in reader.blocks(columns):
            for hist, _, keys, found in plans:
                if not len(keys):
                    continue
                v = np.asarray(block[hist.score], dtype=np.float64)
                ok = ~np.isnan(v)
                comb = hist.groups_of(block) * _NB + _bins(np.where(ok, v, 0.0))
                hit = np.flatnonzero(ok & np.isin(comb, keys))
                for k in np.unique(comb[hit]):
                    found[int(k)].append(v[hit[comb[hit] == k]])
    out = []
    for hist, want, _, found in plans:
        vals = {k: np.sort(np.concatenate(parts)) for k, parts in found.items() if parts}
        picked: dict[int, list[float]] = {}
        for g, key, inner in want:
            picked.setdefault(g, []).append(float(vals[key][inner]))
        med = np.full(hist.n_groups, np.nan)
        for g, v in picked.items():
            med[g] = float(np.mean(v))
        out.append(med)
    return out
