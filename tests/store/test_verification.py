"""The store's verification paths: a shard whose every frame is intact but whose bytes are not the
ones the manifest recorded is refused, and nothing is listed in the manifest before it is durable.

Durability is checked on the real store writing real files: ``os.fsync`` and ``os.replace`` are
wrapped (they still do their work) to record the order of events on disk."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from balance.errors import StoreError
from balance_plugins.store import MsgpackStore
from balance_plugins.store.synthetic import stage2_block, stage2_schema

from .conftest import INFO, concat

TOTAL, STEP = 3000, 300


def write_run(store, path: Path, seed: int):
    run = store.create(path, INFO)
    w = run.stage_writer("stage2", stage2_schema(), total=TOTAL)
    for s in range(0, TOTAL, STEP):
        w.write(s, s + STEP, stage2_block(s, s + STEP, n_attacks=200, seed=seed))
    w.finish({"items": TOTAL})
    return store.open(path)


@pytest.fixture
def two_runs(tmp_path, store):
    """Two complete runs of the same shape (same shards, sizes and frames) with different records."""
    return write_run(store, tmp_path / "one", seed=7), write_run(store, tmp_path / "two", seed=8)


def read_all(run, skip_corrupt=False):
    r = run.stage_reader("stage2", skip_corrupt=skip_corrupt)
    return r, list(r.blocks())


def test_a_shard_swapped_in_from_another_run_is_refused(two_runs):
    one, two = two_runs
    entry = one.manifest["stages"]["stage2"]["shards"][1]
    other = two.manifest["stages"]["stage2"]["shards"][1]
    # every frame of the other run's shard is valid, and it covers the same range with the same size:
    # only the whole-file checksum in the manifest tells them apart
    assert (entry["start"], entry["stop"], entry["bytes"], entry["frames"]) == (
        other["start"], other["stop"], other["bytes"], other["frames"])
    assert entry["crc32"] != other["crc32"]
    shutil.copyfile(two.dir / other["file"], one.dir / entry["file"])
    with pytest.raises(StoreError) as exc:
        read_all(one)
    assert str(exc.value) == f"shard {entry['name']} is corrupt at byte 0: file checksum differs from the manifest"


def test_skip_corrupt_names_a_shard_with_the_wrong_checksum(two_runs):
    one, two = two_runs
    entry = one.manifest["stages"]["stage2"]["shards"][2]
    shutil.copyfile(two.dir / entry["file"], one.dir / entry["file"])
    r, blocks = read_all(one, skip_corrupt=True)
    assert set(r.corrupt) == {entry["name"]}
    assert r.corrupt[entry["name"]][1] == (
        f"shard {entry['name']} is corrupt at byte 0: file checksum differs from the manifest")
    # none of the other run's records are mixed in: the whole shard is skipped and counted
    assert r.corrupt[entry["name"]][0] == entry["records"]
    assert r.skipped == entry["records"]
    got = concat(blocks)
    assert len(got["overall"]) == r.count == r.total_records - entry["records"]
    # the shards before it are read back as written
    first = entry["start"]
    np.testing.assert_array_equal(got["overall"][:first], stage2_block(0, first, n_attacks=200, seed=7)["overall"])


def test_a_manifest_checksum_that_differs_from_the_file_is_refused(two_runs, store):
    one, _ = two_runs
    data = json.loads((one.dir / "manifest.json").read_text())
    entry = data["stages"]["stage2"]["shards"][0]
    entry["crc32"] = f"{int(entry['crc32'], 16) ^ 1:08x}"
    (one.dir / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(StoreError, match="file checksum differs from the manifest"):
        read_all(store.open(one.dir))


# -- durability: fsync before the manifest lists anything -----------------------------------------


class DiskLog:
    """Wraps os.fsync and os.replace (which still run) and logs what reached the disk, in order."""

    def __init__(self, monkeypatch):
        self.events: list[tuple] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd):
            self.events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
            return real_fsync(fd)

        def replace(src, dst, *args, **kwargs):
            listed = None
            if Path(dst).name == "manifest.json":
                m = json.loads(Path(src).read_text())
                listed = {s["file"] for st in m["stages"].values() for s in st["shards"]}
                listed |= {t["file"] for st in m["stages"].values() for t in st["tables"].values()}
            self.events.append(("replace", str(Path(src).resolve()), str(Path(dst).resolve()), listed))
            return real_replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def index(self, pred) -> int:
        return next(i for i, e in enumerate(self.events) if pred(e))

    def first_listing(self, rel: str) -> int:
        return self.index(lambda e: e[0] == "replace" and e[3] is not None and rel in e[3])

    def fsyncs(self, path: Path) -> list[int]:
        return [i for i, e in enumerate(self.events) if e[0] == "fsync" and e[1] == str(path)]

    def rename_to(self, path: Path) -> int:
        return self.index(lambda e: e[0] == "replace" and e[2] == str(path))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name an fd's file")
def test_each_shard_is_fsynced_and_renamed_before_the_manifest_lists_it(tmp_path, monkeypatch):
    log = DiskLog(monkeypatch)
    run = write_run(MsgpackStore(frame_records=256, shard_records=1000), tmp_path / "run", seed=7)
    shards = run.manifest["stages"]["stage2"]["shards"]
    assert len(shards) == 3
    stage_dir = (run.dir / "stage2").resolve()
    for s in shards:
        final = (run.dir / s["file"]).resolve()
        tmp = final.with_name(final.name + ".tmp")
        renamed, listed = log.rename_to(final), log.first_listing(s["file"])
        assert renamed < listed, f"{s['file']} listed before it was renamed into place"
        # the data reached the disk before the rename, and the rename before the manifest listing
        assert any(i < renamed for i in log.fsyncs(tmp)), f"{s['file']} was not fsynced before its rename"
        assert any(renamed < i < listed for i in log.fsyncs(stage_dir)), f"rename of {s['file']} not made durable"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name an fd's file")
def test_manifest_and_tables_are_fsynced_before_they_replace_the_old_ones(tmp_path, monkeypatch):
    store = MsgpackStore()
    run = store.create(tmp_path / "run", INFO)
    log = DiskLog(monkeypatch)
    run.write_table("stage2", "solos", {"overall": [1.0, 2.0]})
    manifest = (run.dir / "manifest.json").resolve()
    table = (run.dir / "stage2" / "tables" / "solos.msgpack").resolve()
    assert any(i < log.rename_to(table) for i in log.fsyncs(table.with_name(table.name + ".tmp")))
    assert log.rename_to(table) < log.first_listing("stage2/tables/solos.msgpack")
    listed = log.first_listing("stage2/tables/solos.msgpack")
    assert any(i < listed for i in log.fsyncs(manifest.with_name("manifest.json.tmp")))


# -- the start of a shard file ---------------------------------------------------------------------


def corrupt_first_shard(run, data: bytes) -> str:
    entry = run.manifest["stages"]["stage2"]["shards"][0]
    (run.dir / entry["file"]).write_bytes(data)
    with pytest.raises(StoreError) as exc:
        read_all(run)
    return str(exc.value)


def test_a_shard_of_only_the_magic_bytes_lacks_its_header(stage2_run):
    from balance_plugins.store.shardfile import MAGIC

    assert corrupt_first_shard(stage2_run, MAGIC) == "shard stage2/000000 is corrupt at byte 8: missing header frame"


def test_a_shard_shorter_than_the_magic_bytes_is_truncated(stage2_run):
    assert corrupt_first_shard(stage2_run, b"BALSHR") == (
        "shard stage2/000000 is corrupt at byte 0: truncated: 6 bytes, not even a shard header")


def test_a_file_with_other_magic_bytes_is_not_a_shard(stage2_run):
    entry = stage2_run.manifest["stages"]["stage2"]["shards"][0]
    data = bytearray((stage2_run.dir / entry["file"]).read_bytes())
    data[7] = 2  # a format version this reader does not know
    assert corrupt_first_shard(stage2_run, bytes(data)) == (
        "shard stage2/000000 is corrupt at byte 0: not a balance shard (bad magic bytes)")


def test_removing_a_missing_temp_file_is_quiet(tmp_path):
    from balance_plugins.store import fsio

    fsio.remove_quietly(tmp_path / "never-written.tmp")
    (tmp_path / "x.tmp").write_bytes(b"1")
    fsio.remove_quietly(tmp_path / "x.tmp")
    assert not (tmp_path / "x.tmp").exists()
