"""The manifest describes the run honestly, tables round-trip, and the plugin provides the store."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from balance.errors import StoreError
from balance.plugin_manager import Plugins
from balance_plugins.store import MsgpackStore
from balance_plugins.store.synthetic import stage2_schema


def test_manifest_contents(stage2_run):
    m = json.loads((stage2_run.dir / "manifest.json").read_text())
    assert m["format"] == "balance-run" and m["schema_version"] == 1 and m["store"] == "msgpack"
    assert m["config"] == {"budget": 6, "profiles": ["Evasive", "Tanky"]}
    assert m["master_seed"] == 1234 and m["project_version"] == "9.9.9"
    assert m["plugins"] == [{"name": "store_msgpack", "version": "1"}, {"name": "vitality", "version": "0.1"}]
    assert m["stages"]["stage1"]["status"] == "pending"
    s2 = m["stages"]["stage2"]
    assert s2["status"] == "complete" and s2["total"] == 5000 and s2["records"] == 5000
    assert s2["stats"] == {"items": 5000, "combats": 40000, "wall_seconds": 1.5, "peak_memory_bytes": 1 << 20}
    assert m["totals"] == s2["stats"]
    assert s2["schema"] == stage2_schema().to_dict()
    covered = 0
    for shard in s2["shards"]:
        data = (stage2_run.dir / shard["file"]).read_bytes()
        assert shard["bytes"] == len(data)
        assert shard["crc32"] == f"{zlib.crc32(data):08x}"
        assert shard["start"] == covered and shard["records"] == shard["stop"] - shard["start"]
        covered = shard["stop"]
    assert covered == 5000
    assert s2["bytes"] == sum(s["bytes"] for s in s2["shards"])
    # ~69 raw bytes per record plus framing; far under the 100-byte budget even with tiny frames
    assert s2["bytes"] / s2["records"] < 80


def test_tables_round_trip_and_detect_corruption(tmp_path):
    store = MsgpackStore()
    run = store.create(tmp_path / "run", {"stages": ("stage1",)})
    table = {"id": ["fire|a", "ice|b"], "cost": [3, 6], "matrix": np.eye(2, dtype=np.uint8),
             "scores": np.array([1.5, np.nan], dtype=">f8"), "nested": {"kept": (0, 1)}}
    run.write_table("stage1", "attacks", table)
    back = store.open(tmp_path / "run").read_table("stage1", "attacks")
    assert back["id"] == table["id"] and back["cost"] == [3, 6] and back["nested"] == {"kept": [0, 1]}
    assert back["matrix"].dtype == np.uint8 and np.array_equal(back["matrix"], np.eye(2))
    assert back["scores"].dtype == np.dtype("<f8") and np.array_equal(back["scores"], table["scores"], equal_nan=True)
    assert run.has_table("stage1", "attacks") and not run.has_table("stage1", "kept")
    path = tmp_path / "run" / "stage1" / "tables" / "attacks.msgpack"
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with pytest.raises(StoreError, match="table stage1/attacks is corrupt"):
        store.open(tmp_path / "run").read_table("stage1", "attacks")
    with pytest.raises(StoreError, match="no table stage1/kept"):
        run.read_table("stage1", "kept")
    with pytest.raises(StoreError, match='invalid table name "../x"'):
        run.write_table("stage1", "../x", {})


def test_reader_of_a_stage_without_records_names_the_stages(stage2_run):
    with pytest.raises(StoreError, match=r"no records for stage stage1 \(stages with records: stage2\)"):
        stage2_run.stage_reader("stage1")


def test_plugin_provides_the_msgpack_store():
    store = Plugins().component("balance_stores", "msgpack")
    assert store.name == "msgpack" and isinstance(store.unwrapped, MsgpackStore)
