"""The run manifest: a human-readable ``manifest.json`` that is the single source of truth of a run
directory (what ran, with which config and plugins, which shards are complete and their checksums).

It is rewritten atomically (temp + fsync + rename) after every completed shard, so that a killed
run leaves either the previous or the next manifest, never a torn one. A shard file that exists but
is not listed here is not part of the run.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import attrs

from balance.errors import StoreError
from balance.store import RunInfo, RunSummary, StageSummary
from balance_plugins.store import fsio
from balance_plugins.store.validate import check_manifest

MANIFEST = "manifest.json"
FORMAT = "balance-run"
SCHEMA_VERSION = 1
STATUSES = ("pending", "running", "complete")


@attrs.frozen
class StageStats:
    """Work figures a stage reports when it finishes (totals over all attempts, given by the runner)."""

    items: int = 0
    combats: int = 0
    wall_seconds: float = 0.0
    peak_memory_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def new_stage(schema: dict | None = None, total: int | None = None) -> dict[str, Any]:
    return {"status": "pending", "schema": schema, "total": total, "records": 0, "bytes": 0,
            "shards": [], "tables": {}, "stats": None, "started": None, "finished": None}


def new_manifest(info: RunInfo) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "store": "msgpack",
        "project_version": info.project_version,
        "created": now(),
        "config": info.config,
        "master_seed": info.master_seed,
        "plugins": [{"name": k, "version": v} for k, v in sorted(info.plugins.items())],
        "stages": {name: new_stage() for name in info.stages},
        "totals": {"items": 0, "combats": 0, "wall_seconds": 0.0, "peak_memory_bytes": 0},
    }


def save(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Atomically replace the manifest; on failure the old manifest stays and a StoreError says why."""
    data = json.dumps(manifest, indent=2, sort_keys=False).encode() + b"\n"
    try:
        fsio.atomic_write(run_dir / MANIFEST, data)
    except OSError as exc:
        raise StoreError(f"cannot write the manifest of {run_dir}: {exc.strerror or exc}; "
                         "the previous manifest is intact") from exc


def load(run_dir: Path) -> dict[str, Any]:
    path = run_dir / MANIFEST
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(f"{run_dir} is not a run directory (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    except RecursionError:
        raise StoreError(f"cannot read {path}: nested too deeply to be a manifest") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f"{path} is not a balance run manifest")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise StoreError(f"{path} has manifest schema version {data.get('schema_version')}; "
                         f"this balance reads version {SCHEMA_VERSION}")
    check_manifest(run_dir, data)
    return data


def refresh_totals(manifest: dict[str, Any]) -> None:
    """Run totals = sums (peak memory: max) over the stages that reported stats."""
    tot = {"items": 0, "combats": 0, "wall_seconds": 0.0, "peak_memory_bytes": 0}
    for st in manifest["stages"].values():
        s = st.get("stats") or {}
        tot["items"] += s.get("items", 0)
        tot["combats"] += s.get("combats", 0)
        tot["wall_seconds"] += s.get("wall_seconds", 0.0)
        tot["peak_memory_bytes"] = max(tot["peak_memory_bytes"], s.get("peak_memory_bytes", 0))
    manifest["totals"] = tot


def summary(data: dict[str, Any]) -> RunSummary:
    """A manifest as the core's :class:`~balance.store.RunSummary`."""
    info = RunInfo(
        config=data.get("config") or {},
        master_seed=data.get("master_seed", 0),
        plugins={p["name"]: p["version"] for p in data.get("plugins", ())},
        project_version=data.get("project_version", "?"),
        stages=tuple(data["stages"]),
    )
    stages = {
        name: StageSummary(st["status"], st.get("records", 0), st.get("started"), st.get("finished"),
                           dict(st.get("info") or {}))
        for name, st in data["stages"].items()
    }
    return RunSummary(info, data.get("created", ""), stages)
