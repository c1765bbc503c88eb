"""``MsgpackStore`` (the component) and ``Run`` (one run directory) of the built-in result store.

    run_dir/
      manifest.json               the run's source of truth (see manifest.py)
      stage1/000000.shard ...     columnar shards (see shardfile.py)
      stage1/tables/attacks.msgpack
      stage2/...
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from balance.errors import StoreError
from balance.records import Schema
from balance.store import RunSummary
from balance_plugins.store import fsio, manifest, tables
from balance_plugins.store.manifest import RunInfo, StageStats
from balance_plugins.store.reader import StageReader
from balance_plugins.store.validate import STAGE_NAME, TABLE_NAME
from balance_plugins.store.writer import DEFAULT_FRAME_RECORDS, DEFAULT_SHARD_RECORDS, StageWriter

__all__ = ["MsgpackStore", "Run", "RunInfo", "StageStats"]

STORE_VERSION = "1"


def _check_name(kind: str, name: str) -> None:
    # names become path components: refuse anything that could escape the run directory
    pattern, allowed = (STAGE_NAME, '"_", "-"') if kind == "stage" else (TABLE_NAME, '"_", "-", "."')
    if not isinstance(name, str) or not pattern.match(name):
        raise StoreError(f'invalid {kind} name "{name}" (letters, digits, {allowed} only)')


class Run:
    """An open run directory. ``writable`` runs come from ``create`` and ``resume``."""

    def __init__(self, run_dir: Path, data: dict[str, Any], writable: bool,
                 frame_records: int = DEFAULT_FRAME_RECORDS, shard_records: int = DEFAULT_SHARD_RECORDS):
        self.dir = run_dir
        self.manifest = data
        self.writable = writable
        self.frame_records = frame_records
        self._shard_records = shard_records

    # -- stages -----------------------------------------------------------------------------------

    def stage_status(self, stage: str) -> str:
        entry = self.manifest["stages"].get(stage)
        return entry["status"] if entry else "pending"

    def stage_complete(self, stage: str) -> bool:
        return self.stage_status(stage) == "complete"

    def stage_info(self, stage: str) -> dict[str, Any]:
        """The free-form info the stage gave when it started (e.g. sampling settings)."""
        return dict(self.manifest["stages"].get(stage, {}).get("info") or {})

    def stage_writer(self, stage: str, schema: Schema, total: int | None = None,
                     info: Mapping[str, Any] | None = None) -> StageWriter:
        """Start (or continue, after ``resume``) writing a stage's records with ``schema``; ``total``
        is the number of work items when known (``finish`` then checks they are all written);
        ``info`` is JSON-able data kept in the manifest with the stage."""
        self._need_writable()
        _check_name("stage", stage)
        entry = self.manifest["stages"].setdefault(stage, manifest.new_stage())
        if entry.get("schema") is not None:
            if Schema.from_dict(entry["schema"]) != schema:
                raise StoreError(f"{stage} in {self.dir} was started with another record schema; "
                                 "start a new run directory")
            if total is not None and entry.get("total") not in (None, total):
                raise StoreError(f"{stage} in {self.dir} was started with {entry['total']} work items, now {total}")
        entry["schema"] = schema.to_dict()
        if info:
            entry["info"] = dict(info)
        if total is not None:
            entry["total"] = int(total)
        if entry["status"] != "complete":
            entry["status"] = "running"
        entry["started"] = entry.get("started") or manifest.now()
        (self.dir / stage).mkdir(exist_ok=True)
        manifest.save(self.dir, self.manifest)
        return StageWriter(self, stage, schema, self.frame_records, self.shard_records)

    @property
    def shard_records(self) -> int:
        return self._shard_records

    @shard_records.setter
    def shard_records(self, value: int) -> None:
        # frames never span shards: a smaller shard size shrinks the frames with it
        self._shard_records = value
        self.frame_records = min(self.frame_records, value)

    def summary(self) -> RunSummary:
        """The manifest as the core's :class:`~balance.store.RunSummary`."""
        return manifest.summary(self.manifest)

    def stage_reader(self, stage: str, skip_corrupt: bool = False) -> StageReader:
        """Stream a stage's records (see :class:`StageReader`)."""
        return StageReader(self, stage, skip_corrupt)

    # -- tables -----------------------------------------------------------------------------------

    def write_table(self, stage: str, name: str, obj: Any) -> None:
        """Store a small side table (msgpack-able data; numpy arrays allowed) with the stage."""
        self._need_writable()
        _check_name("stage", stage)
        _check_name("table", name)
        try:
            data = tables.encode(obj)
        except TypeError as exc:
            raise StoreError(f"table {stage}/{name}: {exc}") from exc
        folder = self.dir / stage / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        rel = f"{stage}/tables/{name}.msgpack"
        try:
            fsio.atomic_write(self.dir / rel, data)
        except OSError as exc:
            raise StoreError(f"cannot write table {stage}/{name} in {self.dir}: {exc.strerror or exc}") from exc
        entry = self.manifest["stages"].setdefault(stage, manifest.new_stage())
        entry["tables"][name] = {"file": rel, "bytes": len(data), "crc32": f"{zlib.crc32(data):08x}"}
        manifest.save(self.dir, self.manifest)

    def read_table(self, stage: str, name: str) -> Any:
        entry = self.manifest["stages"].get(stage, {}).get("tables", {}).get(name)
        if entry is None:
            raise StoreError(f"{self.dir} has no table {stage}/{name}")
        try:
            data = (self.dir / entry["file"]).read_bytes()
        except OSError as exc:
            raise StoreError(f"table {stage}/{name} cannot be read: {exc.strerror or exc}") from exc
        if len(data) != entry["bytes"] or f"{zlib.crc32(data):08x}" != entry["crc32"]:
            raise StoreError(f"table {stage}/{name} is corrupt (size or checksum differs from the manifest)")
        return tables.decode(data)

    def has_table(self, stage: str, name: str) -> bool:
        return name in self.manifest["stages"].get(stage, {}).get("tables", {})

    def tables(self, stage: str) -> list[str]:
        return sorted(self.manifest["stages"].get(stage, {}).get("tables", {}))

    # -- misc -------------------------------------------------------------------------------------

    def set_stage_status(self, stage: str, status: str) -> None:
        """For runners: mark a declared stage ``pending``/``running``/``complete`` explicitly."""
        self._need_writable()
        if status not in manifest.STATUSES:
            raise StoreError(f'unknown stage status "{status}"')
        self.manifest["stages"].setdefault(stage, manifest.new_stage())["status"] = status
        manifest.save(self.dir, self.manifest)

    def _need_writable(self) -> None:
        if not self.writable:
            raise StoreError(f"{self.dir} was opened read-only; use resume to continue writing it")


class MsgpackStore:
    """The ``msgpack`` store component (see the module docs and ``docs/performance.md``)."""

    name = "msgpack"
    version = STORE_VERSION

    def __init__(self, frame_records: int = DEFAULT_FRAME_RECORDS, shard_records: int = DEFAULT_SHARD_RECORDS):
        self.frame_records = frame_records
        self.shard_records = shard_records

    def has_run(self, run_dir: str | Path) -> bool:
        return (Path(run_dir) / manifest.MANIFEST).exists()

    def create(self, run_dir: str | Path, info: RunInfo | Mapping[str, Any]) -> Run:
        """Start a new run in ``run_dir`` (created; must not already hold a run)."""
        run_dir = Path(run_dir)
        if isinstance(info, Mapping):
            info = RunInfo(**info)
        if (run_dir / manifest.MANIFEST).exists():
            raise StoreError(f"{run_dir} already holds a run; resume it or choose another directory")
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {run_dir}: {exc.strerror or exc}") from exc
        for stage in info.stages:
            _check_name("stage", stage)
        data = manifest.new_manifest(info)
        data["store_version"] = STORE_VERSION
        manifest.save(run_dir, data)
        return self._run(run_dir, data, writable=True)

    def open(self, run_dir: str | Path) -> Run:
        """Open a run read-only (for reports and exports)."""
        run_dir = Path(run_dir)
        return self._run(run_dir, manifest.load(run_dir), writable=False)

    def resume(self, run_dir: str | Path) -> Run:
        """Open a run to continue writing: removes temp files and shard files the manifest does not
        list (a process killed between renaming a shard and saving the manifest leaves one)."""
        run_dir = Path(run_dir)
        data = manifest.load(run_dir)
        fsio.remove_quietly(run_dir / (manifest.MANIFEST + ".tmp"))
        for stage, entry in data["stages"].items():
            folder = run_dir / stage
            if not folder.is_dir():
                continue
            listed = {s["file"] for s in entry["shards"]}
            for path in folder.iterdir():
                rel = f"{stage}/{path.name}"
                if path.name.endswith(".tmp") or (path.name.endswith(".shard") and rel not in listed):
                    fsio.remove_quietly(path)
            tables_dir = folder / "tables"
            if tables_dir.is_dir():
                for path in tables_dir.glob("*.tmp"):
                    fsio.remove_quietly(path)
        return self._run(run_dir, data, writable=True)

    def _run(self, run_dir: Path, data: dict[str, Any], writable: bool) -> Run:
        return Run(run_dir, data, writable, self.frame_records, self.shard_records)
