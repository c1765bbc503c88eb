"""Record schemas: what a stage declares about the columns of the records it streams to a store.

A stage's records are written and read as *columnar blocks*: a dict of numpy arrays, one per
column, all with the same number of rows. A :class:`Schema` names the columns, their numpy dtype
and an optional per-row shape suffix (for example per-profile means as ``(2,)``, so the block's
array is ``(rows, 2)``), plus optional labels for the suffix positions that exports use as column
names. The core knows nothing about games: a schema is just names, dtypes and shapes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

#: Numpy dtype kinds a column may have: bool, signed/unsigned int, float.
ALLOWED_KINDS = "biuf"


def _normalize_dtype(value: Any) -> str:
    """Canonical little-endian dtype string (``"<f4"``, ``"|u1"``, ``"|b1"``) for any numpy dtype spec."""
    dt = np.dtype(value)
    if dt.kind not in ALLOWED_KINDS or dt.shape:
        raise ValueError(f"column dtype {value!r} is not a plain bool/int/float dtype")
    return dt.newbyteorder("<").str if dt.itemsize > 1 else dt.str


def _to_tuple_int(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(int(v) for v in value)


def _to_tuple_str(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@attrs.frozen
class Column:
    """One column: ``name``, numpy ``dtype`` (stored little-endian), per-row ``shape`` suffix and
    optional ``labels``, one per element of the suffix in C order (exports name sub-columns by them)."""

    name: str
    dtype: str = attrs.field(converter=_normalize_dtype)
    shape: tuple[int, ...] = attrs.field(default=(), converter=_to_tuple_int)
    labels: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple_str)
    doc: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.name:
            raise ValueError("a column needs a name")
        if any(d < 0 for d in self.shape):
            raise ValueError(f"column {self.name}: negative shape {self.shape}")
        if self.labels and len(self.labels) != self.width:
            raise ValueError(f"column {self.name}: {len(self.labels)} labels for {self.width} values per row")

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    @property
    def width(self) -> int:
        """Values per row (product of the shape suffix; 1 for a scalar column)."""
        return math.prod(self.shape)

    @property
    def row_nbytes(self) -> int:
        return self.width * self.np_dtype.itemsize

    def sub_names(self) -> list[str]:
        """Flat names of the per-row values: the column name for a scalar column, otherwise
        ``name_label`` (labels given) or ``name_i`` / ``name_i_j`` (C order)."""
        if not self.shape:
            return [self.name]
        if self.labels:
            return [f"{self.name}_{label}" for label in self.labels]
        return ["_".join([self.name, *map(str, idx)]) for idx in np.ndindex(*self.shape)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}
        if self.labels:
            out["labels"] = list(self.labels)
        if self.doc:
            out["doc"] = self.doc
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Column:
        return cls(data["name"], data["dtype"], data.get("shape", ()), data.get("labels", ()), data.get("doc", ""))


def _to_columns(value: Iterable[Column]) -> tuple[Column, ...]:
    return tuple(value)


@attrs.frozen
class Schema:
    """The ordered columns of a stage's records."""

    columns: tuple[Column, ...] = attrs.field(converter=_to_columns)

    def __attrs_post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if not names:
            raise ValueError("a schema needs at least one column")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate column names: {', '.join(dupes)}")

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Schema:
        """Shorthand: ``{"a": "int32", "means": ("float32", (2,)), "p": ("float32", (2,), ("x", "y"))}``."""
        cols = []
        for name, value in spec.items():
            if isinstance(value, Column):
                cols.append(value)
            elif isinstance(value, tuple):
                cols.append(Column(name, *value))
            else:
                cols.append(Column(name, value))
        return cls(cols)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def row_nbytes(self) -> int:
        """Raw bytes per record (the sum of the columns' row sizes)."""
        return sum(c.row_nbytes for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f'no column "{name}" (columns: {", ".join(self.names)})')

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schema:
        return cls([Column.from_dict(c) for c in data["columns"]])

    def check_block(self, block: Mapping[str, Any], rows: int) -> dict[str, np.ndarray]:
        """Return ``block`` as C-contiguous little-endian arrays of the schema's dtypes, in schema
        order; raises ``ValueError`` naming the first missing, unexpected or misshapen column.

        Values are cast with numpy's ``same_kind`` rule (float64 -> float32 is fine, float -> int is
        refused) so that a stage cannot silently truncate scores into an integer column; integers
        go into any integer column whose range holds the block's values (int64 counts -> uint16).
        """
        extra = sorted(set(block) - set(self.names))
        if extra:
            raise ValueError(f"unexpected columns: {', '.join(extra)}")
        out: dict[str, np.ndarray] = {}
        for col in self.columns:
            if col.name not in block:
                raise ValueError(f'missing column "{col.name}"')
            arr = np.asarray(block[col.name])
            want = (rows, *col.shape)
            if arr.shape != want:
                raise ValueError(f'column "{col.name}" has shape {arr.shape}, expected {want}')
            if arr.dtype != col.np_dtype:
                _check_cast(col, arr)
                arr = arr.astype(col.np_dtype)
            out[col.name] = np.ascontiguousarray(arr)
        return out


def _check_cast(col: Column, arr: np.ndarray) -> None:
    """Refuse casts that could change values silently (see :meth:`Schema.check_block`)."""
    want = col.np_dtype
    if arr.dtype.kind in "iub" and want.kind in "iu":
        if arr.size and arr.dtype.kind != "b":
            info = np.iinfo(want)
            lo, hi = arr.min(), arr.max()
            if lo < info.min or hi > info.max:
                raise ValueError(f'column "{col.name}" has values in [{lo}, {hi}], outside {col.dtype}')
        return
    if not np.can_cast(arr.dtype, want, casting="same_kind"):
        raise ValueError(f'column "{col.name}" has dtype {arr.dtype}, cannot store it as {col.dtype}')
