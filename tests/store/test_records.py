"""Record schemas: validation and casting of blocks before they reach a shard."""

from __future__ import annotations

import numpy as np
import pytest

from balance.records import Column, Schema


def test_schema_round_trips_through_dict_and_flattens_labelled_columns():
    s = Schema([Column("a", "int32"), Column("m", "float32", (2,), ["Evasive", "Tanky"]),
                Column("g", ">f8", (2, 2))])
    assert Schema.from_dict(s.to_dict()) == s
    assert s.column("g").dtype == "<f8"  # stored little-endian whatever the spec
    assert s.row_nbytes == 4 + 8 + 32
    assert s.column("m").sub_names() == ["m_Evasive", "m_Tanky"]
    assert s.column("g").sub_names() == ["g_0_0", "g_0_1", "g_1_0", "g_1_1"]


@pytest.mark.parametrize("bad", [lambda: Column("x", "object"), lambda: Column("x", "U4"),
                                 lambda: Column("x", "f4", (2,), ["only one"]),
                                 lambda: Schema([Column("x", "i4"), Column("x", "f4")])])
def test_bad_schemas_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_check_block_casts_safely_and_names_the_bad_column():
    s = Schema.of({"n": "uint16", "x": "float32", "m": ("float32", (2,))})
    out = s.check_block({"n": np.array([1, 65535]), "x": np.array([0.5, 1.5]), "m": np.zeros((2, 2))}, 2)
    assert out["n"].dtype == np.uint16 and out["x"].dtype == np.float32
    with pytest.raises(ValueError, match='"n" has values in \\[-1, 3\\]'):
        s.check_block({"n": np.array([-1, 3]), "x": np.zeros(2), "m": np.zeros((2, 2))}, 2)
    with pytest.raises(ValueError, match='"n" has dtype float64'):
        s.check_block({"n": np.zeros(2), "x": np.zeros(2), "m": np.zeros((2, 2))}, 2)
    with pytest.raises(ValueError, match='"m" has shape \\(2, 3\\)'):
        s.check_block({"n": np.zeros(2, int), "x": np.zeros(2), "m": np.zeros((2, 3))}, 2)
    with pytest.raises(ValueError, match='missing column "x"'):
        s.check_block({"n": np.zeros(2, int), "m": np.zeros((2, 2))}, 2)
    with pytest.raises(ValueError, match="unexpected columns: y"):
        s.check_block({"n": np.zeros(2, int), "x": np.zeros(2), "m": np.zeros((2, 2)), "y": 1}, 2)
