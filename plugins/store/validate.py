"""Checks a manifest against itself and the run directory before anything is read or deleted.

Run directories travel between people (copied, zipped, mailed), so a manifest is untrusted input:
every name in it becomes a path, and every count and range decides what a report adds up. A
manifest that fails here stops the command with one line naming the entry (a ``StoreError``, exit
code 3); nothing is read outside the run directory and nothing is deleted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from balance.errors import StoreError

#: Stage names become folder names: one plain path component, no dots (so never ``..``).
STAGE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
#: Side-table names (``stage_done``, ``attacks``, ...).
TABLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
STATUSES = ("pending", "running", "complete")
SHARD_FILE = re.compile(r"^(?P<stage>[^/]+)/(?P<seq>[0-9]{6,9})\.shard$")


class _Checker:
    def __init__(self, run_dir: Path, data: dict[str, Any]):
        self.run_dir = run_dir
        self.root = run_dir.resolve()
        self.data = data
        self.where = f"{run_dir / 'manifest.json'}"
        #: folder (relative) -> names of the symbolic links in it, listed once per folder
        self.links: dict[str, set[str]] = {}

    def list_links(self, rel: str) -> None:
        try:
            with os.scandir(self.run_dir / rel) as it:
                self.links[rel] = {e.name for e in it if e.is_symlink()}
        except OSError:  # no folder (yet): no links in it
            self.links[rel] = set()

    def fail(self, entry: str, problem: str) -> None:
        raise StoreError(f"{self.where}: {entry}: {problem}")

    def integer(self, entry: str, value: Any, lo: int = 0) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < lo:
            self.fail(entry, f"expected an integer >= {lo}, got {str(value)[:40]!r}")
        return value

    def inside(self, entry: str, rel: Any, expected: str | None = None) -> None:
        """``rel`` (from the manifest) must be a relative path that stays inside the run directory
        (``expected``: exactly that path) and must not be a symbolic link. Stage folders are checked
        once (real folders inside the run), so no per-file ``resolve()`` is needed."""
        if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel:
            self.fail(entry, f"file {str(rel)[:80]!r} is not a relative path inside the run directory")
        if any(p in ("..", ".") for p in rel.split("/")):
            self.fail(entry, f"file {rel!r} leaves the run directory")
        if expected is not None and rel != expected:
            self.fail(entry, f"file {rel[:80]!r} resolves outside its stage folder (expected {expected})")
        if rel.rsplit("/", 1)[-1] in self.links.get(rel.rsplit("/", 1)[0], ()):
            self.fail(entry, f"file {rel!r} is a symbolic link, which may point outside the run directory "
                             "(it resolves outside the run's own files)")

    def stage_folder(self, stage: str) -> Path:
        folder = self.run_dir / stage
        if folder.is_symlink():
            self.fail(f"stages.{stage}", f"{folder} is a symbolic link; a stage folder must be a real folder")
        resolved = folder.resolve()
        if not resolved.is_relative_to(self.root) or resolved == self.root:
            self.fail(f"stages.{stage}", f"{folder} resolves outside the run directory")
        tables = folder / "tables"
        if tables.is_symlink():
            self.fail(f"stages.{stage}", f"{tables} is a symbolic link; a tables folder must be a real folder")
        self.list_links(stage)
        self.list_links(f"{stage}/tables")
        return resolved

    def check(self) -> None:
        stages = self.data.get("stages")
        if not isinstance(stages, dict):
            self.fail("stages", "expected a table of stages")
        for stage, entry in stages.items():
            if not isinstance(stage, str) or not STAGE_NAME.match(stage):
                self.fail("stages", f"invalid stage name {str(stage)[:80]!r} "
                                    "(letters, digits, '_' and '-' only, at most 64)")
            if not isinstance(entry, dict):
                self.fail(f"stages.{stage}", "expected a table")
            self.stage(stage, entry)

    def stage(self, stage: str, entry: dict[str, Any]) -> None:
        key = f"stages.{stage}"
        status = entry.get("status")
        if status not in STATUSES:
            self.fail(f"{key}.status", f"unknown status {str(status)[:40]!r} (known: {', '.join(STATUSES)})")
        self.stage_folder(stage)
        total = entry.get("total")
        if total is not None:
            total = self.integer(f"{key}.total", total)
        shards = entry.get("shards", [])
        if not isinstance(shards, list):
            self.fail(f"{key}.shards", "expected a list")
        if shards and entry.get("schema") is None:
            self.fail(f"{key}.schema", "missing, but the stage lists shards")
        spans = []
        names, files = set(), set()
        records = 0
        for i, shard in enumerate(shards):
            sk = f"{key}.shards[{i}]"
            if not isinstance(shard, dict):
                self.fail(sk, "expected a table")
            for field in ("name", "file", "start", "stop", "records", "bytes", "crc32"):
                if field not in shard:
                    self.fail(sk, f"missing {field}")
            m = SHARD_FILE.match(shard["file"]) if isinstance(shard["file"], str) else None
            self.inside(f"{sk}.file", shard["file"], shard["file"] if m and m["stage"] == stage else f"{stage}/NNNNNN.shard")
            if shard["name"] != f"{stage}/{m['seq']}":
                self.fail(sk, f"file {shard['file']!r} / name {str(shard['name'])[:80]!r} are not a shard of {stage}")
            if shard["file"] in files:
                self.fail(sk, f"shard file {shard['file']} is listed twice")
            files.add(shard["file"])
            names.add(shard["name"])
            start = self.integer(f"{sk}.start", shard["start"])
            stop = self.integer(f"{sk}.stop", shard["stop"], start + 1)
            n = self.integer(f"{sk}.records", shard["records"])
            self.integer(f"{sk}.bytes", shard["bytes"])
            if n != stop - start:
                self.fail(sk, f"records is {n}, but [{start}, {stop}) holds {stop - start}")
            if total is not None and stop > total:
                self.fail(sk, f"range [{start}, {stop}) is beyond the stage's {total} records")
            if not isinstance(shard["crc32"], str) or not re.fullmatch(r"[0-9a-f]{8}", shard["crc32"]):
                self.fail(f"{sk}.crc32", "expected 8 hex digits")
            spans.append((start, stop, shard["name"]))
            records += n
        spans.sort()
        for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
            if b0 < a1:
                self.fail(f"{key}.shards", f"shards {an} [{a0}, {a1}) and {bn} [{b0}, {b1}) overlap: "
                                           "records would be counted twice")
        if entry.get("records", records) != records:
            self.fail(f"{key}.records", f"is {entry.get('records')}, but the shards hold {records}")
        if status == "complete" and entry.get("schema") is not None:
            expected = total if total is not None else (spans[-1][1] if spans else 0)
            if total is None and spans and spans[0][0] != 0:
                expected = -1
            covered = self._gap(spans, expected)
            if covered is not None:
                self.fail(f"{key}.shards", f"the stage is marked complete but {covered}")
        tables = entry.get("tables", {})
        if not isinstance(tables, dict):
            self.fail(f"{key}.tables", "expected a table")
        for name, t in tables.items():
            tk = f"{key}.tables.{name}"
            if not isinstance(name, str) or not TABLE_NAME.match(name):
                self.fail(f"{key}.tables", f"invalid table name {str(name)[:80]!r}")
            if not isinstance(t, dict) or "file" not in t:
                self.fail(tk, "missing file")
            self.inside(f"{tk}.file", t["file"], f"{stage}/tables/{name}.msgpack")
            self.integer(f"{tk}.bytes", t.get("bytes"))

    @staticmethod
    def _gap(spans: list[tuple[int, int, str]], total: int) -> str | None:
        """Where the shards fail to cover ``[0, total)`` (already known not to overlap), or None."""
        if total < 0:
            return "its first shard does not start at record 0"
        pos = 0
        for a, b, _ in spans:
            if a > pos:
                return f"records [{pos}, {a}) are in no shard"
            pos = b
        if pos < total:
            return f"records [{pos}, {total}) are in no shard" if spans else f"it lists no shards for {total} records"
        return None


def check_manifest(run_dir: Path, data: dict[str, Any]) -> None:
    """Raise a one-line ``StoreError`` unless every stage name, path, range and count of the
    manifest is sound: names match a strict pattern, files resolve inside their stage folder, the
    shards of each stage never overlap, and a complete stage's shards cover each record once."""
    _Checker(Path(run_dir), data).check()
