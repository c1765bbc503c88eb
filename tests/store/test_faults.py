"""Faults: corrupt, truncated and missing shards are named (or skipped and counted), and a full disk
while writing leaves the completed shards and the manifest intact."""

from __future__ import annotations

import errno
import json
import os
import struct

import numpy as np
import pytest

from balance.errors import StoreError
from balance_plugins.store import fsio
from balance_plugins.store.synthetic import stage2_block, stage2_schema

from .conftest import INFO, concat


def frame_offsets(path) -> list[int]:
    """Byte offsets where the frames of a shard start (parsing the framing independently)."""
    data = path.read_bytes()
    out, pos = [], 8
    while pos < len(data):
        out.append(pos)
        (length,) = struct.unpack_from("<I", data, pos)
        pos += 8 + length
    return out


def shard_path(run, name):
    entry = next(s for s in run.manifest["stages"]["stage2"]["shards"] if s["name"] == name)
    return run.dir / entry["file"], entry


def flip(path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_byte_is_named_with_shard_and_frame_offset(stage2_run):
    path, _ = shard_path(stage2_run, "stage2/000001")
    offs = frame_offsets(path)
    target = offs[3] + 100  # inside the payload of the fourth frame (third block)
    flip(path, target)
    r = stage2_run.stage_reader("stage2")
    with pytest.raises(StoreError) as exc:
        for _ in r.blocks():
            pass
    assert str(exc.value) == f"shard stage2/000001 is corrupt at byte {offs[3]}: frame checksum mismatch"
    assert StoreError.exit_code == 3


@pytest.mark.parametrize("where", ["mid_frame", "frame_boundary", "inside_magic"])
def test_truncated_shard_is_detected(stage2_run, where):
    path, _ = shard_path(stage2_run, "stage2/000002")
    offs = frame_offsets(path)
    data = path.read_bytes()
    cut = {"mid_frame": offs[2] + 50, "frame_boundary": offs[-1], "inside_magic": 5}[where]
    path.write_bytes(data[:cut])
    with pytest.raises(StoreError) as exc:
        list(stage2_run.stage_reader("stage2").blocks())
    msg = str(exc.value)
    expected = {
        "mid_frame": f"shard stage2/000002 is corrupt at byte {offs[2]}: truncated: frame declares",
        "frame_boundary": f"shard stage2/000002 is corrupt at byte {offs[-1]}: truncated: end frame missing",
        "inside_magic": "shard stage2/000002 is corrupt at byte 0: truncated",
    }[where]
    assert msg.startswith(expected), msg


def test_skip_corrupt_delivers_the_good_frames_and_counts_the_rest(stage2_run):
    full = concat(stage2_run.stage_reader("stage2").blocks())
    path, entry = shard_path(stage2_run, "stage2/000001")
    offs = frame_offsets(path)
    flip(path, offs[3] + 100)  # frames 1, 2 (blocks 0, 1) stay good: 2 x 256 records delivered
    missing_path, missing = shard_path(stage2_run, "stage2/000003")
    missing_path.unlink()

    r = stage2_run.stage_reader("stage2", skip_corrupt=True)
    got = concat(r.blocks())
    lost_1 = entry["records"] - 512
    assert r.skipped == lost_1 + missing["records"]
    assert r.count == 5000 - r.skipped == len(got["overall"])
    keep = np.ones(5000, bool)
    keep[entry["start"] + 512: entry["stop"]] = False
    keep[missing["start"]: missing["stop"]] = False
    for k, v in full.items():
        assert np.array_equal(got[k], v[keep]), k
    assert set(r.corrupt) == {"stage2/000001", "stage2/000003"}
    assert "is missing" in r.corrupt["stage2/000003"][1]
    # a second pass counts the same, not twice
    list(r.blocks())
    assert r.skipped == lost_1 + missing["records"]
    # the two-pass API reports the same population
    first = r.scan(top=10)
    assert first.count == r.count and first.skipped == r.skipped


def test_missing_shard_is_an_error_without_skip(stage2_run):
    path, _ = shard_path(stage2_run, "stage2/000000")
    path.unlink()
    with pytest.raises(StoreError, match=r"^shard stage2/000000 is missing: stage2/000000.shard does not exist"):
        list(stage2_run.stage_reader("stage2").blocks())


class DiskFull:
    """Fault injection at the lowest write level: the n-th and later writes fail with ENOSPC."""

    def __init__(self, monkeypatch, after: int):
        self.calls = 0
        self.after = after
        real = fsio.write_all

        def write_all(fd, data):
            self.calls += 1
            if self.calls > self.after:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(fd, data)

        monkeypatch.setattr(fsio, "write_all", write_all)


def test_disk_full_while_writing_a_shard(tmp_path, store, monkeypatch):
    run = store.create(tmp_path / "run", INFO)
    w = run.stage_writer("stage2", stage2_schema(), total=5000)
    for s in range(0, 2500, 300):  # shards [0,1200) and [1200,2400) complete, [2400,2500) by flush
        w.write(s, min(s + 300, 2500), stage2_block(s, min(s + 300, 2500), n_attacks=200))
    w.flush()
    manifest_before = (tmp_path / "run" / "manifest.json").read_bytes()
    assert w.done_ranges() == [(0, 2500)]
    assert len(run.manifest["stages"]["stage2"]["shards"]) == 3

    w2 = w
    DiskFull(monkeypatch, after=3)  # the shard's magic + header frame pass, the first block frame fails
    with pytest.raises(StoreError) as exc:
        for s in range(2500, 5000, 300):
            w2.write(s, min(s + 300, 5000), stage2_block(s, min(s + 300, 5000), n_attacks=200))
    msg = str(exc.value)
    assert "no space left on device" in msg and "the partial shard was removed" in msg
    assert "completed shards of stage2 and the manifest are intact" in msg
    monkeypatch.undo()
    assert not list((tmp_path / "run" / "stage2").glob("*.tmp"))
    assert (tmp_path / "run" / "manifest.json").read_bytes() == manifest_before
    with pytest.raises(StoreError, match="stopped after an earlier error"):
        w2.write(4900, 5000, stage2_block(4900, 5000, n_attacks=200))
    # the completed records read back intact
    r = store.open(tmp_path / "run").stage_reader("stage2")
    assert r.count == 2500
    got = concat(r.blocks())
    assert np.array_equal(got["overall"], stage2_block(0, 2500, n_attacks=200)["overall"].astype(np.float32))


def test_disk_full_while_saving_the_manifest_keeps_the_old_one(tmp_path, store, monkeypatch):
    run = store.create(tmp_path / "run", INFO)
    w = run.stage_writer("stage2", stage2_schema(), total=2000)
    w.write(0, 1000, stage2_block(0, 1000, n_attacks=200))  # reaches shard_records: shard 0 complete
    before = json.loads((tmp_path / "run" / "manifest.json").read_text())

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsio, "atomic_write", full)
    with pytest.raises(StoreError, match="cannot write the manifest .*No space left on device.*previous manifest is intact"):
        w.write(1000, 1600, stage2_block(1000, 1600, n_attacks=200))
        w.flush()  # closes a shard of 600 records (not 1,000: taking it back must subtract, not reset)
    monkeypatch.undo()
    assert json.loads((tmp_path / "run" / "manifest.json").read_text()) == before
    # the shard that could not be listed was removed; the listed one is still there
    assert sorted(p.name for p in (tmp_path / "run" / "stage2").iterdir()) == ["000000.shard"]
    assert w.done_ranges() == [(0, 1000)]
    # and the manifest in memory is taken back with it: one shard, its records and bytes
    stage = run.manifest["stages"]["stage2"]
    assert stage == before["stages"]["stage2"]
    assert stage["records"] == 1000 and stage["bytes"] == (tmp_path / "run" / "stage2" / "000000.shard").stat().st_size
    # the writer says why it stopped, naming the first error
    with pytest.raises(StoreError, match="stage2 writer stopped after an earlier error: cannot write the manifest"):
        w.write(1000, 2000, stage2_block(1000, 2000, n_attacks=200))


def test_stage_bytes_are_the_sum_of_its_shard_files(stage2_run):
    stage = stage2_run.manifest["stages"]["stage2"]
    sizes = [(stage2_run.dir / s["file"]).stat().st_size for s in stage["shards"]]
    assert len(sizes) > 1 and [s["bytes"] for s in stage["shards"]] == sizes
    assert stage["bytes"] == sum(sizes) and stage["records"] == 5000


def test_an_io_error_closing_a_shard_is_one_line_naming_the_shard(tmp_path, store, monkeypatch):
    """fsync of a complete shard fails (a disk error): the error names the shard and the reason, the
    partial file is gone and the manifest lists only what was complete before."""
    from balance_plugins.store import writer as writer_module

    run = store.create(tmp_path / "run", INFO)
    w = run.stage_writer("stage2", stage2_schema(), total=2000)
    w.write(0, 1000, stage2_block(0, 1000, n_attacks=200))  # shard 000000 complete

    class FailingOs:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def fsync(fd):
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(writer_module, "os", FailingOs())
    with pytest.raises(StoreError) as exc:
        w.write(1000, 2000, stage2_block(1000, 2000, n_attacks=200))
    monkeypatch.undo()
    assert str(exc.value) == (f"cannot write shard stage2/000001 in {tmp_path / 'run'}: Input/output error; "
                              "the partial shard was removed, the 1 completed shards of stage2 and the manifest are "
                              "intact (records [1000, 2000) must be redone: resume the run)")
    assert sorted(p.name for p in (tmp_path / "run" / "stage2").iterdir()) == ["000000.shard"]
    assert [s["name"] for s in run.manifest["stages"]["stage2"]["shards"]] == ["stage2/000000"]


def test_writes_that_overlap_done_ranges_are_refused(tmp_path, store):
    run = store.create(tmp_path / "run", INFO)
    w = run.stage_writer("stage2", stage2_schema(), total=3000)
    w.write(1000, 2000, stage2_block(1000, 2000, n_attacks=200))
    with pytest.raises(StoreError, match=r"overlaps completed range \[1000, 2000\)"):
        w.write(1500, 1600, stage2_block(1500, 1600, n_attacks=200))
    w.write(0, 100, stage2_block(0, 100, n_attacks=200))
    with pytest.raises(StoreError, match="overlaps the open shard"):
        w.write(50, 60, stage2_block(50, 60, n_attacks=200))
    with pytest.raises(StoreError, match=r"cannot be marked complete: 1900 work items missing, first range \[100, 1000\)"):
        w.finish()
