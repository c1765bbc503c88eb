"""`balance diff RUN_A RUN_B`: what changed between two runs, on the console and as a markdown page.

Both run directories are untrusted input, opened as ``balance report`` opens one (plugins their
configs name load only with ``--trust-run-plugins``; each recorded config is checked). Nothing is
written into either run directory: the page goes to ``--out`` (default ``diff-A-vs-B.md`` in the
current folder, refused if that folder is itself a run directory).
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from balance import outfiles
from balance.cli.common import add_trust_argument
from balance.comparing import compare, default_out
from balance.errors import StoreError, UsageError
from balance.reporting import ReportContext
from balance.runner import CONFIG_FILE
from balance.runcheck import open_run_checked

#: Config changes shown on the console (all are on the page).
CONSOLE_CHANGES = 10


def register(subparsers) -> None:
    p = subparsers.add_parser("diff", help="what changed between two runs (config, values, ranks, findings)")
    p.add_argument("run_a", metavar="RUN_A", help="the run directory compared from")
    p.add_argument("run_b", metavar="RUN_B", help="the run directory compared to")
    p.add_argument("--out", metavar="FILE", help="the markdown page to write (default: diff-A-vs-B.md here)")
    p.add_argument("--comparers", metavar="NAME,...", help="only these comparers")
    p.add_argument("--skip-corrupt", action="store_true", help="skip corrupt shards and say so on the page")
    add_trust_argument(p)
    p.set_defaults(func=run)


def check_out_file(out: Path, default: bool) -> None:
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder, not a file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--out {out}: the folder {folder} does not exist")
    if default and (folder / CONFIG_FILE).exists():
        raise UsageError("the current folder is a run directory; pass --out FILE to write the diff elsewhere "
                         "(nothing is written into a run directory unless you say so)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: the folder {folder} is not writable (permission denied)")


def open_context(run_dir: Path, args) -> ReportContext:
    session, run_ = open_run_checked(run_dir, args.trust_run_plugins, args.disable_plugin, args.plugin)
    if not run_.stage_complete("stage1"):
        raise StoreError(f"stage1 in {run_dir} is not complete (status {run_.stage_status('stage1')}); "
                         "resume the run before comparing it")
    # out_dir is unused by comparers (they return text); the run's own folder is never written
    return ReportContext(session, run_, run_dir, run_dir, args.skip_corrupt)


def cell(text: str) -> str:
    """A table cell in a code span: pipes escaped, backticks cannot close the span."""
    return "`` " + text.replace("|", "\\|").replace("`", "'") + " ``"


def skipped_lines(contexts: dict[str, ReportContext]) -> list[str]:
    """One line per run that had corrupt shards skipped (``--skip-corrupt``)."""
    out = []
    for name, ctx in contexts.items():
        skipped = ctx.skipped_shards()
        if skipped:
            total = sum(n for n, _ in skipped.values())
            out.append(f"Run {name}: {total:,} records of {len(skipped)} corrupt shard(s) skipped "
                       f"({', '.join(sorted(skipped))}); every figure of run {name} excludes them.")
    return out


def page(a_dir: Path, b_dir: Path, changes, results, skipped: list[str]) -> str:
    lines = ["# What changed between two runs", "",
             f"- **A**: {cell(str(a_dir))}", f"- **B**: {cell(str(b_dir))}", "",
             *[f"**{line}**" for line in skipped], *([""] if skipped else []),
             "## Config and rule differences", ""]
    if changes:
        lines += ["Every key of the effective configs the runs recorded that differs (rule overrides included), "
                  "then the versions of the project and of each plugin where they differ.",
                  "", "| Key | A | B | Shapes the numbers |", "|---|---|---|---|"]
        lines += [f"| {cell(c.key)} | {cell(c.a)} | {cell(c.b)} | {'yes' if c.shapes_numbers else 'no'} |"
                  for c in changes]
    else:
        lines.append("None: both runs recorded the same config and seed.")
    lines.append("")
    text = "\n".join(lines) + "\n"
    return text + "\n".join(r.markdown.rstrip() + "\n" for r in results)


def run(args) -> int:
    a_dir, b_dir = Path(args.run_a), Path(args.run_b)
    out = Path(args.out) if args.out else default_out(a_dir, b_dir)
    check_out_file(out, default=not args.out)
    a, b = open_context(a_dir, args), open_context(b_dir, args)
    only = args.comparers.split(",") if args.comparers else None
    changes, results = compare(a, b, only)
    con = Console(soft_wrap=True, highlight=False)  # the diff is the command's output: stdout
    con.print(f"[bold]diff[/bold] {escape(str(a_dir))} -> {escape(str(b_dir))}")
    if changes:
        con.print(f"config: {len(changes)} key(s) differ")
        for c in changes[:CONSOLE_CHANGES]:
            note = "" if c.shapes_numbers else " (does not shape the numbers)"
            con.print(f"  {c.key}: {c.a} -> {c.b}{note}", markup=False, highlight=False)
        if len(changes) > CONSOLE_CHANGES:
            con.print(f"  ... and {len(changes) - CONSOLE_CHANGES} more (on the page)")
    else:
        con.print("config: identical (same seed)")
    for result in results:
        for line in result.console:
            con.print(line, markup=False, highlight=False)
    skipped = skipped_lines({"A": a, "B": b})
    for line in skipped:
        con.print(line, markup=False, highlight=False)
    outfiles.write_text(out, page(a_dir, b_dir, changes, results, skipped))
    con.print(f"diff: {escape(str(out))}")
    return 0
