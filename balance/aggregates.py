"""Streaming aggregates: each one sees blocks (dict of arrays) one at a time and keeps O(groups) state.

An aggregator has ``columns`` (what it needs), ``add(block)``, ``result()`` and ``fresh()`` (an
empty copy with the same settings; the tier pass makes one per tier). They are plain data
holders, so a reporter can define its own with the same four members.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import attrs
import numpy as np


class Aggregator(Protocol):
    columns: tuple[str, ...]

    def add(self, block: dict[str, np.ndarray]) -> None: ...

    def result(self) -> Any: ...

    def fresh(self) -> Aggregator: ...


def _rows(block: dict[str, np.ndarray]) -> int:
    return len(next(iter(block.values()))) if block else 0


# -- results -------------------------------------------------------------------------------------


@attrs.frozen
class SumsResult:
    count: int
    sums: dict[str, np.ndarray]

    def mean(self, column: str) -> np.ndarray:
        return self.sums[column] / self.count if self.count else np.full_like(self.sums[column], np.nan)


@attrs.frozen
class HistogramResult:
    """``counts[i]`` = values in ``[edges[i], edges[i+1])``; ``below``/``above`` the edges; NaNs apart."""

    edges: np.ndarray
    counts: np.ndarray
    below: int
    above: int
    nan: int


@attrs.frozen
class GroupSumsResult:
    """Per group g (= key value - offset): ``counts[g]``, ``sums[col][g]``, ``mins[col][g]`` (inf if empty)."""

    offset: int
    counts: np.ndarray
    sums: dict[str, np.ndarray]
    mins: dict[str, np.ndarray]


@attrs.frozen
class MembershipSumsResult:
    """Per member e (a column of the membership matrix): ``counts[e]`` = records carrying e in any
    slot; ``slot_counts[k][e]`` = records whose slot-k item carries e; ``sums[col][..., e]`` = sum of
    the column over records carrying e; ``slot_sums[col][k][..., e]`` = the same per slot."""

    counts: np.ndarray
    slot_counts: np.ndarray
    sums: dict[str, np.ndarray]
    slot_sums: dict[str, np.ndarray]


# -- aggregators ---------------------------------------------------------------------------------


@attrs.define
class Count:
    """Number of records."""

    columns: tuple[str, ...] = ()
    n: int = 0

    def add(self, block):
        self.n += _rows(block)

    def result(self) -> int:
        return self.n

    def fresh(self) -> Count:
        return Count()


@attrs.define
class Sums:
    """Count and float64 sums of columns (shaped columns give per-position sums)."""

    columns: tuple[str, ...] = attrs.field(converter=tuple)
    _count: int = 0
    _sums: dict = attrs.field(factory=dict)

    def add(self, block):
        n = _rows(block)
        self._count += n
        for c in self.columns:
            s = np.asarray(block[c]).sum(axis=0, dtype=np.float64)
            self._sums[c] = self._sums[c] + s if c in self._sums else s

    def result(self) -> SumsResult:
        return SumsResult(self._count, {c: np.asarray(self._sums.get(c, 0.0)) for c in self.columns})

    def fresh(self) -> Sums:
        return Sums(self.columns)


@attrs.define
class Histogram:
    """Counts of a scalar column in bins ``[edges[i], edges[i+1])`` (edges may be ±inf)."""

    column: str
    edges: np.ndarray = attrs.field(converter=lambda e: np.asarray(e, dtype=np.float64))
    _counts: np.ndarray | None = None
    _below: int = 0
    _above: int = 0
    _nan: int = 0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def add(self, block):
        v = np.asarray(block[self.column], dtype=np.float64)
        nan = np.isnan(v)
        self._nan += int(nan.sum())
        v = v[~nan]
        pos = np.searchsorted(self.edges, v, side="right")  # 0: below; len(edges): at/above the last edge
        counts = np.bincount(pos, minlength=len(self.edges) + 1)
        self._below += int(counts[0])
        self._above += int(counts[-1])
        inner = counts[1:-1]
        self._counts = inner if self._counts is None else self._counts + inner

    def result(self) -> HistogramResult:
        counts = self._counts if self._counts is not None else np.zeros(len(self.edges) - 1, dtype=np.int64)
        return HistogramResult(self.edges, counts, self._below, self._above, self._nan)

    def fresh(self) -> Histogram:
        return Histogram(self.column, self.edges)


@attrs.define
class GroupSums:
    """Per-group counts, sums and minimums, the group being an integer column (e.g. total cost)
    minus ``offset``, for groups ``0 .. n_groups-1``; values outside raise ``ValueError``."""

    key: str
    n_groups: int
    values: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    offset: int = 0
    _counts: np.ndarray | None = None
    _sums: dict = attrs.field(factory=dict)
    _mins: dict = attrs.field(factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.key, *self.values)

    def add(self, block):
        g = np.asarray(block[self.key]).astype(np.int64) - self.offset
        if len(g) and (g.min() < 0 or g.max() >= self.n_groups):
            raise ValueError(f'group column "{self.key}" has values outside [{self.offset}, {self.offset + self.n_groups})')
        c = np.bincount(g, minlength=self.n_groups)
        self._counts = c if self._counts is None else self._counts + c
        for v in self.values:
            x = np.asarray(block[v], dtype=np.float64)
            s = np.bincount(g, weights=x, minlength=self.n_groups)
            self._sums[v] = self._sums[v] + s if v in self._sums else s
            m = self._mins.get(v)
            if m is None:
                m = self._mins[v] = np.full(self.n_groups, np.inf)
            np.minimum.at(m, g, x)

    def result(self) -> GroupSumsResult:
        counts = self._counts if self._counts is not None else np.zeros(self.n_groups, dtype=np.int64)
        sums = {v: self._sums.get(v, np.zeros(self.n_groups)) for v in self.values}
        mins = {v: self._mins.get(v, np.full(self.n_groups, np.inf)) for v in self.values}
        return GroupSumsResult(self.offset, counts, sums, mins)

    def fresh(self) -> GroupSums:
        return GroupSums(self.key, self.n_groups, self.values, self.offset)


@attrs.define
class MembershipSums:
    """Sums over the members of a lookup table, e.g. per enhancement for pair records.

    ``matrix`` is (items, members) 0/1: ``matrix[i, e]`` says item i carries member e (attack ->
    enhancement). Each record names items in its ``slots`` columns (stage 2's ``a`` and ``b``; no
    default, since each stage names its own); a record carries e when any slot's item does. ``values`` columns are summed per member (a shaped
    column gives ``(*shape, members)``).
    """

    matrix: np.ndarray = attrs.field(converter=lambda m: np.asarray(m, dtype=np.float32))
    slots: tuple[str, ...] = attrs.field(converter=tuple)
    values: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    _counts: np.ndarray | None = None
    _slot_counts: np.ndarray | None = None
    _sums: dict = attrs.field(factory=dict)
    _slot_sums: dict = attrs.field(factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.slots, *self.values)

    def add(self, block):
        if not _rows(block):
            return
        per_slot = [self.matrix[np.asarray(block[s])] for s in self.slots]  # each (n, members) float32
        carried = per_slot[0]
        for p in per_slot[1:]:
            carried = np.maximum(carried, p)
        n = len(carried)
        if n < 1 << 24:  # float32 sums of 0/1 are exact below 2^24; a BLAS product is much faster
            ones = np.ones(n, dtype=np.float32)
            col_sum = lambda m: (ones @ m).astype(np.float64)  # noqa: E731
        else:
            col_sum = lambda m: m.sum(axis=0, dtype=np.float64)  # noqa: E731
        slot_counts = np.stack([col_sum(p) for p in per_slot])
        self._counts = _acc(self._counts, col_sum(carried))
        self._slot_counts = _acc(self._slot_counts, slot_counts)
        for v in self.values:
            x = np.asarray(block[v], dtype=np.float32)
            flat = x.reshape(len(x), -1).T  # (width, n)
            # float32 products within a block (BLAS, ~10x faster than float64 here; relative error
            # ~1e-6 per block), float64 accumulation across blocks
            s = (flat @ carried).astype(np.float64).reshape(*x.shape[1:], -1)
            ss = np.stack([(flat @ p).astype(np.float64).reshape(*x.shape[1:], -1) for p in per_slot])
            self._sums[v] = _acc(self._sums.get(v), s)
            self._slot_sums[v] = _acc(self._slot_sums.get(v), ss)

    def result(self) -> MembershipSumsResult:
        m = self.matrix.shape[1]
        k = len(self.slots)
        counts = np.rint(self._counts).astype(np.int64) if self._counts is not None else np.zeros(m, np.int64)
        slot_counts = (np.rint(self._slot_counts).astype(np.int64) if self._slot_counts is not None
                       else np.zeros((k, m), np.int64))
        sums = {v: self._sums.get(v, np.zeros(m)) for v in self.values}
        slot_sums = {v: self._slot_sums.get(v, np.zeros((k, m))) for v in self.values}
        return MembershipSumsResult(counts, slot_counts, sums, slot_sums)

    def fresh(self) -> MembershipSums:
        return MembershipSums(self.matrix, self.slots, self.values)


def _acc(total, part):
    return part if total is None else total + part


def make_all(aggs: dict[str, Aggregator]) -> dict[str, Aggregator]:
    return {k: a.fresh() for k, a in aggs.items()}


def needed_columns(aggs: dict[str, Aggregator], extra: Sequence[str] = ()) -> list[str]:
    cols: list[str] = list(extra)
    for a in aggs.values():
        cols.extend(a.columns)
    return list(dict.fromkeys(cols))
