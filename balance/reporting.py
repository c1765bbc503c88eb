"""Choosing reporters and running them on a run directory."""

from __future__ import annotations

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


def write_reports(
    session: Session, run_dir: Path, out_dir: Path, only: list[str] | None = None, run: Any = None,
    skip_corrupt: bool = False,
) -> list[Path]:
    if run is None:
        run = session.plugins.component("balance_stores", session.config.store).open(run_dir)
    ctx = ReportContext(session, run, Path(run_dir), Path(out_dir), skip_corrupt)
    written: list[Path] = []
    for reporter in select_reporters(session, only):
        if not run.stage_complete(reporter.stage):
            continue
        (ctx.out_dir / reporter.stage).mkdir(parents=True, exist_ok=True)
        written.extend(Path(p) for p in reporter.write(ctx) or ())
    if written:
        console().print(f"reports: {len(written)} files in {out_dir}")
    return written
