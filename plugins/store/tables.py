"""Side tables of a stage (attack table, pruned set, ...): small msgpack files; numpy arrays are
kept as typed arrays (an ext type carrying dtype, shape and raw little-endian bytes)."""

from __future__ import annotations

from typing import Any

import msgpack
import numpy as np

NDARRAY_EXT = 42


def _default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        arr = np.ascontiguousarray(obj)
        if arr.dtype.kind not in "biufSU" or arr.dtype.hasobject:
            raise TypeError(f"cannot store an array of dtype {arr.dtype} in a table")
        dt = arr.dtype.newbyteorder("<") if arr.dtype.byteorder not in "|<=" else arr.dtype
        arr = arr.astype(dt)
        head = msgpack.packb([dt.str, list(arr.shape)])
        return msgpack.ExtType(NDARRAY_EXT, head + arr.tobytes())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"cannot store a {type(obj).__name__} in a table")


def _ext_hook(code: int, data: bytes) -> Any:
    if code != NDARRAY_EXT:
        return msgpack.ExtType(code, data)
    unpacker = msgpack.Unpacker()
    unpacker.feed(data)
    dtype, shape = unpacker.unpack()
    offset = unpacker.tell()
    return np.frombuffer(data, dtype=np.dtype(dtype), offset=offset).reshape(shape).copy()


def encode(obj: Any) -> bytes:
    return msgpack.packb(obj, default=_default, use_bin_type=True)


def decode(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, strict_map_key=False)
