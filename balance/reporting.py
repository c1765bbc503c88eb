"""Choosing reporters and running them on a run directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from balance import outfiles, report_lanes
from balance.errors import OutputError, PluginError, UsageError
from balance.progress import console
from balance.session import Session
from balance.work import cores


@attrs.frozen
class ReportContext:
    """What a reporter gets: the session (config, grid, rules), the run read through the store's
    streaming API, where to write, and whether corrupt shards are skipped (and then counted)."""

    session: Session
    run: Any
    run_dir: Path
    out_dir: Path
    skip_corrupt: bool = False
    #: Every reader handed out, so that the corrupt shards they skipped can be told on the console.
    readers: list = attrs.field(factory=list, eq=False, repr=False)
    #: Reporter name -> the files it wrote earlier in this call, for a reporter that ``uses`` it
    #: (one another lane is still writing is waited for when asked for: :class:`report_lanes.Written`).
    written: dict = attrs.field(factory=report_lanes.Written, eq=False, repr=False)
    #: The names of the reporters writing in this process in this call, in order (set while they
    #: write): a reporter may read in one pass what those after it will ask for.
    lane: list = attrs.field(factory=list, eq=False, repr=False)

    @property
    def config(self):
        return self.session.config

    @property
    def grid(self):
        return self.session.grid

    def reader(self, stage: str):
        reader = self.run.stage_reader(stage, skip_corrupt=self.skip_corrupt)
        self.readers.append(reader)
        return reader

    def skipped_shards(self) -> dict[str, tuple[int, str]]:
        """Shard -> (records skipped, why), over every reader a reporter used."""
        out: dict[str, tuple[int, str]] = {}
        for reader in self.readers:
            for shard, (n, why) in getattr(reader, "corrupt", {}).items():
                if n >= out.get(shard, (-1, ""))[0]:
                    out[shard] = (n, why)
        return out


def select_reporters(session: Session, only: list[str] | None) -> list[Any]:
    """The reporters to run: ``only`` (CLI), else the config's ``reports.only``, minus ``reports.skip``."""
    found = session.plugins.components("balance_reporters")
    wanted = list(only or session.config.reports.only or sorted(found))
    unknown = [n for n in [*wanted, *session.config.reports.skip] if n not in found]
    if unknown:
        raise UsageError(f'unknown reporter "{unknown[0]}" (reporters: {", ".join(sorted(found)) or "none"})')
    chosen = [session.plugins.component("balance_reporters", n) for n in wanted if n not in session.config.reports.skip]
    # a reporter that renders others' files (``uses``) runs after them, so it can read what they wrote
    names = {r.name for r in chosen}
    later = [r for r in chosen if set(getattr(r, "uses", ())) & names]
    return [r for r in chosen if r not in later] + later


#: In a reports directory: which files each reporter wrote last time (relative paths), so that a
#: file it no longer writes (a plot of a tier that is now empty) is removed instead of lying next
#: to the new reports. Files the reporters did not write are never touched.
WRITTEN_INDEX = ".balance-reports.json"


def _previous_files(out_dir: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((out_dir / WRITTEN_INDEX).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    # the index may come with a copied run directory: keep only lists of plain relative names
    return {str(k): [f for f in v if isinstance(f, str) and not f.startswith("/") and ".." not in f.split("/")]
            for k, v in data.items() if isinstance(v, list)}


def check_out_folders(out_dir: Path, run_dir: Path, stages) -> None:
    """Report folders must be real folders: a symbolic link (``DIR/reports -> ~/notes``) shipped in a
    run directory would make reports overwrite, and stale-file cleanup delete, files elsewhere."""
    if out_dir.is_symlink() and out_dir.parent.resolve() == Path(run_dir).resolve():
        raise OutputError(f"{out_dir} is a symbolic link; the run directory's reports folder must be a real folder")
    root = out_dir.resolve()
    for stage in stages:
        folder = out_dir / stage
        if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(root)):
            raise OutputError(f"{folder} is a symbolic link; a reports folder must be a real folder")


def run_reporter(reporter: Any, ctx: ReportContext) -> list:
    """``reporter.write(ctx)``; a disk or permission fault is named as such, not as the reporter's."""
    try:
        return list(reporter.write(ctx) or ())
    except PluginError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.errno in outfiles.CAUSES:
            where = cause.filename or ctx.out_dir
            raise OutputError(f"cannot write {where}: {outfiles.describe(cause)} "
                              f"(while reporter {reporter.name} was writing)") from cause
        raise


def write_reports(
    session: Session, run_dir: Path, out_dir: Path, only: list[str] | None = None, run: Any = None,
    skip_corrupt: bool = False, workers: int = 0,
) -> list[Path]:
    """Every chosen reporter's files; reporters of different stages write side by side on up to
    ``workers`` cores (0: the config's ``performance.workers``, else every core; see
    :mod:`balance.report_lanes`). A failing reporter does not stop the others: the first failure,
    in reporter order, is raised once they are done."""
    if run is None:
        run = session.plugins.component("balance_stores", session.config.store).open(run_dir)
    out_dir = Path(out_dir)
    reporters = select_reporters(session, only)
    check_out_folders(out_dir, Path(run_dir), {r.stage for r in reporters})
    ctx = ReportContext(session, run, Path(run_dir), out_dir, skip_corrupt)
    previous = _previous_files(out_dir)
    root = out_dir.resolve()
    removed: list[str] = []
    incomplete: set[str] = set()
    runnable = []
    for reporter in reporters:
        if not run.stage_complete(reporter.stage):
            # a stage that never started (a run of stage 1 only) is no news; a killed one is
            if reporter.stage not in incomplete and run.stage_status(reporter.stage) == "running":
                incomplete.add(reporter.stage)
                console().print(f"{reporter.stage} is not complete in {run_dir} "
                                f"({run.stage_status(reporter.stage)}): its reports are not written")
            continue
        try:
            (ctx.out_dir / reporter.stage).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {ctx.out_dir / reporter.stage}: {outfiles.describe(exc)}") from None
        runnable.append(reporter)
    lanes = workers or session.config.performance.workers or cores()
    outcomes: dict[str, report_lanes.Outcome] = {}
    skipped: dict[str, tuple[int, str]] = {}
    for outcome in report_lanes.run_lanes(runnable, ctx, run_reporter, lanes):
        outcomes[outcome.reporter.name] = outcome
        for shard, (n, why) in outcome.skipped.items():
            if n >= skipped.get(shard, (-1, ""))[0]:
                skipped[shard] = (n, why)
        if outcome.error is not None:
            continue
        now = {str(p.resolve().relative_to(root)) for p in outcome.files if p.resolve().is_relative_to(root)}
        for stale in set(previous.get(outcome.reporter.name, ())) - now:
            path = (out_dir / stale).resolve()
            if path.is_relative_to(root) and path.is_file() and not (out_dir / stale).is_symlink():
                path.unlink()
                removed.append(stale)
        previous[outcome.reporter.name] = sorted(now)
        # After each reporter, so that the index matches the folder if a later reporter fails.
        outfiles.write_text(out_dir / WRITTEN_INDEX, json.dumps(previous, indent=1, sort_keys=True) + "\n")
    written = [p for r in runnable if r.name in outcomes for p in outcomes[r.name].files]
    for shard, (n, why) in ctx.skipped_shards().items():  # this process's readers, a failed reporter's too
        if n >= skipped.get(shard, (-1, ""))[0]:
            skipped[shard] = (n, why)
    if skipped:
        total = sum(n for n, _ in skipped.values())
        console().print(f"skipped {total:,} records of {len(skipped)} corrupt shard(s); every report says so:")
        for shard, (n, why) in sorted(skipped.items()):
            console().print(f"  {shard}: {n:,} records skipped ({why})")
    if written:
        write_index(out_dir, previous)
        # Said by name: a chart that vanished (a tier emptied by --skip-corrupt) must not go unnoticed.
        note = (f" (removed {len(removed)} they wrote before and no longer write: {', '.join(sorted(removed))})"
                if removed else "")
        console().print(f"reports: {len(written)} files in {out_dir}{note}")
    failed = [o.error for o in outcomes.values() if o.error is not None]
    if failed:
        raise failed[0]
    return written


#: The report index a designer opens first, at the top of the reports folder.
INDEX = "index.md"


def write_index(out_dir: Path, written: dict[str, list[str]]) -> Path:
    """``index.md``: a link to every page the reporters wrote, markdown or HTML (now or in an
    earlier call that is still current). Pages at the top of the folder (``findings.md``, ``report.html``)
    come first, then each stage's folder; by name within each."""
    pages = sorted({p for files in written.values() for p in files if p.endswith((".md", ".html")) and p != INDEX},
                   key=lambda p: (p.count("/"), p))
    lines = ["# Reports", "", "| Page | Folder |", "|---|---|"]
    lines += [f"| [{Path(p).name}]({p}) | {Path(p).parent.as_posix() if '/' in p else 'top'} |"
              for p in pages if (out_dir / p).is_file()]
    path = out_dir / INDEX
    outfiles.write_text(path, "\n".join(lines) + "\n")
    return path
