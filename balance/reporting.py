"""Choosing reporters and running them on a run directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from balance.errors import UsageError
from balance.progress import console
from balance.session import Session


@attrs.frozen
class ReportContext:
    """What a reporter gets: the session (config, grid, rules), the run read through the store's
    streaming API, where to write, and whether corrupt shards are skipped (and then counted)."""

    session: Session
    run: Any
    run_dir: Path
    out_dir: Path
    skip_corrupt: bool = False

    @property
    def config(self):
        return self.session.config

    @property
    def grid(self):
        return self.session.grid

    def reader(self, stage: str):
        return self.run.stage_reader(stage, skip_corrupt=self.skip_corrupt)


def select_reporters(session: Session, only: list[str] | None) -> list[Any]:
    """The reporters to run: ``only`` (CLI), else the config's ``reports.only``, minus ``reports.skip``."""
    found = session.plugins.components("balance_reporters")
    wanted = list(only or session.config.reports.only or sorted(found))
    unknown = [n for n in [*wanted, *session.config.reports.skip] if n not in found]
    if unknown:
        raise UsageError(f'unknown reporter "{unknown[0]}" (reporters: {", ".join(sorted(found)) or "none"})')
    return [
        session.plugins.component("balance_reporters", n) for n in wanted if n not in session.config.reports.skip
    ]


#: In a reports directory: which files each reporter wrote last time (relative paths), so that a
#: file it no longer writes (a plot of a tier that is now empty) is removed instead of lying next
#: to the new reports. Files the reporters did not write are never touched.
WRITTEN_INDEX = ".balance-reports.json"


def _previous_files(out_dir: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((out_dir / WRITTEN_INDEX).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_reports(
    session: Session, run_dir: Path, out_dir: Path, only: list[str] | None = None, run: Any = None,
    skip_corrupt: bool = False,
) -> list[Path]:
    if run is None:
        run = session.plugins.component("balance_stores", session.config.store).open(run_dir)
    out_dir = Path(out_dir)
    ctx = ReportContext(session, run, Path(run_dir), out_dir, skip_corrupt)
    previous = _previous_files(out_dir)
    root = out_dir.resolve()
    written: list[Path] = []
    removed = 0
    for reporter in select_reporters(session, only):
        if not run.stage_complete(reporter.stage):
            continue
        (ctx.out_dir / reporter.stage).mkdir(parents=True, exist_ok=True)
        files = [Path(p) for p in reporter.write(ctx) or ()]
        written.extend(files)
        now = {str(p.resolve().relative_to(root)) for p in files if p.resolve().is_relative_to(root)}
        for stale in set(previous.get(reporter.name, ())) - now:
            path = (out_dir / stale).resolve()
            if path.is_relative_to(root) and path.is_file():
                path.unlink()
                removed += 1
        previous[reporter.name] = sorted(now)
        # After each reporter, so that the index matches the folder if a later reporter fails.
        (out_dir / WRITTEN_INDEX).write_text(json.dumps(previous, indent=1, sort_keys=True) + "\n")
    if written:
        write_index(out_dir, previous)
        note = f" (removed {removed} they wrote before and no longer write)" if removed else ""
        console().print(f"reports: {len(written)} files in {out_dir}{note}")
    return written


#: The report index a designer opens first, at the top of the reports folder.
INDEX = "index.md"


def write_index(out_dir: Path, written: dict[str, list[str]]) -> Path:
    """``index.md``: a link to every markdown page the reporters wrote (now or in an earlier call
    that is still current). Pages at the top of the folder (the run's summary, ``findings.md``)
    come first, then each stage's folder; by name within each."""
    pages = sorted({p for files in written.values() for p in files if p.endswith(".md") and p != INDEX},
                   key=lambda p: (p.count("/"), p))
    lines = ["# Reports", "", "| Page | Folder |", "|---|---|"]
    lines += [f"| [{Path(p).name}]({p}) | {Path(p).parent.as_posix() if '/' in p else 'top'} |"
              for p in pages if (out_dir / p).is_file()]
    path = out_dir / INDEX
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
