"""Every check the shard reader makes, each met by a shard crafted to fail only that check.

Frames are re-encoded with valid CRCs (the framing is parsed and rebuilt here, independently of
the writer), so the structural checks behind the checksums are what is tested: header, block
ranges, column counts and lengths, the end frame, stray and trailing bytes, and the file size."""

from __future__ import annotations

import struct
import zlib

import msgpack
import pytest

from balance.errors import StoreError
from balance_plugins.store.shardfile import MAGIC

HEAD = struct.Struct("<II")


def parse(data: bytes) -> list[dict]:
    out, pos = [], len(MAGIC)
    while pos < len(data):
        length, _ = HEAD.unpack_from(data, pos)
        out.append(msgpack.unpackb(data[pos + 8: pos + 8 + length], raw=False))
        pos += 8 + length
    return out


def frame(payload: bytes) -> bytes:
    return HEAD.pack(len(payload), zlib.crc32(payload)) + payload


def build(frames: list) -> tuple[bytes, list[int]]:
    """The shard bytes and each frame's offset; a frame is a dict (packed) or raw payload bytes."""
    data, offsets = bytearray(MAGIC), []
    for f in frames:
        offsets.append(len(data))
        data += frame(f if isinstance(f, bytes) else msgpack.packb(f, use_bin_type=True))
    return bytes(data), offsets


def read_with(run, data: bytes, fix_manifest: bool = True, bytes_delta: int = 0) -> str:
    entry = run.manifest["stages"]["stage2"]["shards"][0]
    (run.dir / entry["file"]).write_bytes(data)
    if fix_manifest:  # the manifest agrees with the new file, so only the structure can be wrong
        entry["crc32"] = f"{zlib.crc32(data):08x}"
        entry["bytes"] = len(data) + bytes_delta
    with pytest.raises(StoreError) as exc:
        for _ in run.stage_reader("stage2").blocks():
            pass
    prefix = f"shard {entry['name']} is corrupt at byte "
    assert str(exc.value).startswith(prefix)
    return str(exc.value)[len(prefix):]


@pytest.fixture
def frames(stage2_run):
    entry = stage2_run.manifest["stages"]["stage2"]["shards"][0]
    fr = parse((stage2_run.dir / entry["file"]).read_bytes())
    # shard 0 of the fixture: items [0, 1200) in blocks of 256 (the last one 176)
    assert [f["kind"] for f in fr] == ["header", "block", "block", "block", "block", "block", "end"]
    assert (fr[0]["start"], fr[-1]["records"], entry["start"], entry["stop"]) == (0, 1200, 0, 1200)
    return fr


def test_rebuilt_shard_reads_back(stage2_run, frames):
    data, _ = build(frames)
    entry = stage2_run.manifest["stages"]["stage2"]["shards"][0]
    assert data == (stage2_run.dir / entry["file"]).read_bytes()  # the framing is understood here


def test_header_must_start_where_the_manifest_says(stage2_run, frames):
    frames[0]["start"] = 5
    assert read_with(stage2_run, build(frames)[0]) == "8: header starts at item 5, the manifest says 0"


def test_header_columns_must_be_the_schema(stage2_run, frames):
    frames[0]["columns"] = frames[0]["columns"][:-1]
    assert read_with(stage2_run, build(frames)[0]) == "8: header columns differ from the stage schema"


def test_first_frame_must_be_the_header(stage2_run, frames):
    assert read_with(stage2_run, build(frames[1:])[0]) == "8: missing header frame"


def test_end_frame_must_count_the_records(stage2_run, frames):
    frames[-1]["records"] = 1199
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[-1]}: end frame says 1199 records, blocks hold 1200"


def test_end_frame_must_count_the_frames(stage2_run, frames):
    frames[-1]["frames"] = 4
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[-1]}: end frame says 1200 records, blocks hold 1200"


def test_blocks_must_cover_the_whole_range(stage2_run, frames):
    del frames[5]  # the last block: [1024, 1200)
    frames[-1]["records"], frames[-1]["frames"] = 1024, 4
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[-1]}: end frame says 1024 records, blocks hold 1024"


def test_nothing_may_follow_the_end_frame(stage2_run, frames):
    data, _ = build(frames)
    assert read_with(stage2_run, data + b"abc") == f"{len(data)}: 3 unexpected bytes after the end frame"


def test_only_blocks_between_header_and_end(stage2_run, frames):
    frames.insert(1, dict(frames[0]))
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[1]}: unexpected 'header' frame"


def test_blocks_must_continue_each_other(stage2_run, frames):
    frames[2], frames[3] = frames[3], frames[2]
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[2]}: block [512, 768) does not continue at 256"


@pytest.mark.parametrize("start,stop", [(0, 0), (0, 1201), (0, None), (0, 256.0)])
def test_a_block_must_end_after_it_starts_and_within_the_shard(stage2_run, frames, start, stop):
    frames[1]["start"], frames[1]["stop"] = start, stop
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[1]}: block [{start}, {stop}) does not continue at 0"


def test_a_block_needs_every_column(stage2_run, frames):
    frames[1]["cols"] = frames[1]["cols"][:-1]
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f"{offs[1]}: block has the wrong number of columns"


def test_a_column_needs_its_exact_byte_length(stage2_run, frames):
    frames[1]["cols"][0] = frames[1]["cols"][0][:-1]
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f'{offs[1]}: column "a_index" has the wrong byte length'


def test_a_column_must_be_bytes(stage2_run, frames):
    frames[1]["cols"][0] = "text"
    data, offs = build(frames)
    assert read_with(stage2_run, data) == f'{offs[1]}: column "a_index" has the wrong byte length'


def test_a_few_stray_bytes_where_a_frame_should_start(stage2_run, frames):
    data, offs = build(frames[:-1])
    assert read_with(stage2_run, data + b"12345") == f"{len(data)}: truncated: 5 stray bytes where a frame should start"


def test_a_shard_without_its_end_frame(stage2_run, frames):
    data, _ = build(frames[:-1])
    assert read_with(stage2_run, data) == f"{len(data)}: truncated: end frame missing"


def test_a_frame_that_is_not_msgpack(stage2_run, frames):
    data, offs = build([frames[0], b"\xc1", *frames[1:]])  # 0xc1: a byte msgpack never uses
    assert read_with(stage2_run, data) == f"{offs[1]}: undecodable frame (FormatError)"


@pytest.mark.parametrize("obj", [[1, 2], {"start": 0}])
def test_a_frame_that_is_not_a_shard_frame(stage2_run, frames, obj):
    data, offs = build([frames[0], msgpack.packb(obj), *frames[1:]])
    assert read_with(stage2_run, data) == f"{offs[1]}: frame is not a shard frame"


def test_the_file_size_must_be_the_manifests(stage2_run, frames):
    data, _ = build(frames)
    assert read_with(stage2_run, data, bytes_delta=1) == f"{len(data)}: size is {len(data)} bytes, the manifest says {len(data) + 1}"


def test_an_empty_frame_at_the_very_end_is_read_as_a_frame(stage2_run, frames):
    # exactly one frame head remains: it is a frame (of an empty payload), not stray bytes
    data, offs = build([*frames[:-1], b""])
    assert read_with(stage2_run, data) == f"{offs[-1]}: undecodable frame (ValueError)"


def test_a_file_shorter_than_its_size_while_reading():
    import io

    from balance_plugins.store.shardfile import FrameReader, ShardCorrupt

    data = MAGIC + HEAD.pack(100, 0) + b"x" * 50  # the frame says 100 bytes; the file shrank to 50
    reader = FrameReader(io.BytesIO(data), size=len(MAGIC) + 8 + 100)
    reader.magic()
    with pytest.raises(ShardCorrupt) as exc:
        reader.next()
    assert (exc.value.offset, exc.value.reason) == (8, "truncated while reading (file changed under the reader?)")
    assert str(exc.value) == "at byte 8: truncated while reading (file changed under the reader?)"


def test_a_later_shard_counts_its_own_records(stage2_run):
    """Shard 1 starts at item 1200: its end frame is checked against the records its own blocks hold
    (not counted from item 0)."""
    entry = stage2_run.manifest["stages"]["stage2"]["shards"][1]
    fr = parse((stage2_run.dir / entry["file"]).read_bytes())
    assert fr[0]["start"] == entry["start"] > 0
    held = entry["stop"] - entry["start"]
    fr[-1]["records"] = held - 1
    data, offs = build(fr)
    (stage2_run.dir / entry["file"]).write_bytes(data)
    entry["crc32"], entry["bytes"] = f"{zlib.crc32(data):08x}", len(data)
    with pytest.raises(StoreError) as exc:
        for _ in stage2_run.stage_reader("stage2").blocks():
            pass
    assert str(exc.value) == (f"shard {entry['name']} is corrupt at byte {offs[-1]}: "
                              f"end frame says {held - 1} records, blocks hold {held}")


def test_the_header_names_its_stage_and_shard(stage2_run):
    """The format's header frame (plugins/store/shardfile.py): kind, stage, shard
    name, first item and columns, so a shard file found on its own says what it is."""
    for entry in stage2_run.manifest["stages"]["stage2"]["shards"]:
        head = parse((stage2_run.dir / entry["file"]).read_bytes())[0]
        assert head["kind"] == "header"
        assert (head["stage"], head["shard"], head["start"]) == ("stage2", entry["name"], entry["start"])


@pytest.mark.parametrize("n", [0, 1, 3, 8, 255, 4096, 65537, 1 << 20])
def test_crc32_combine_is_the_crc_of_the_concatenation(n):
    """The reader checksums a frame's payload once and combines it into the file's CRC: the
    combination must be zlib's CRC of the two parts one after the other, for any length."""
    import random

    from balance_plugins.store.shardfile import crc32_combine

    rnd = random.Random(n)
    a, b = rnd.randbytes(rnd.randrange(300)), rnd.randbytes(n)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    assert crc32_combine(zlib.crc32(b), zlib.crc32(a), len(a)) == zlib.crc32(b + a)
