"""`balance report`: regenerate reports from a run directory without simulating."""

from __future__ import annotations

from pathlib import Path

from balance.errors import UsageError
from balance.reporting import write_reports
from balance.runner import CONFIG_FILE
from balance.session import open_session


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="write reports from a run directory (load cached results)")
    p.add_argument("--result-dir", required=True, metavar="DIR", help="a run directory")
    p.add_argument("--config", metavar="FILE", help="config to report with (default: the run's own)")
    p.add_argument("--output-dir", metavar="DIR", help="where to write (default: DIR/reports)")
    p.add_argument("--reporters", metavar="NAME,...", help="only these reporters")
    p.add_argument("--skip-corrupt", action="store_true", help="skip corrupt shards and say so in every report")
    p.set_defaults(func=run)


def run(args) -> int:
    run_dir = Path(args.result_dir)
    if not (run_dir / "manifest.json").exists():
        raise UsageError(f"{run_dir} is not a run directory (no manifest.json)")
    session = open_session(args.config or run_dir / CONFIG_FILE, disable=args.disable_plugin, load=args.plugin)
    only = args.reporters.split(",") if args.reporters else None
    out = Path(args.output_dir) if args.output_dir else run_dir / "reports"
    write_reports(session, run_dir, out, only=only, skip_corrupt=args.skip_corrupt)
    return 0
