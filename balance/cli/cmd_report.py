"""`balance report`: regenerate reports from a run directory without simulating.

The run directory is untrusted input: plugins its config names load only with
``--trust-run-plugins``, its manifest is checked before anything is read, and the config the
reports are written with must match the one the run recorded.
"""

from __future__ import annotations

from pathlib import Path

from balance.cli.common import add_trust_argument
from balance.cli.cmd_run import workers_count
from balance.cli.paths import check_out_dir, make_out_dir
from balance.errors import UsageError
from balance.reporting import write_reports
from balance.runcheck import open_run_checked
from balance.runner import CONFIG_FILE


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="write reports from a run directory (load cached results)")
    p.add_argument("--result-dir", required=True, metavar="DIR", help="a run directory")
    p.add_argument("--config", metavar="FILE", help="config to report with (default: the run's own)")
    p.add_argument("--output-dir", metavar="DIR", help="where to write (default: DIR/reports)")
    p.add_argument("--reporters", "--only", metavar="NAME,...", help="only these reporters (e.g. --only html)")
    p.add_argument("--skip-corrupt", action="store_true", help="skip corrupt shards and say so in every report")
    p.add_argument("--workers", type=workers_count, default=0,
                   help="processes writing reports side by side (default: config, else every core; 1: one after another)")
    add_trust_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    run_dir = Path(args.result_dir)
    if not args.config and not (run_dir / CONFIG_FILE).is_file():
        raise UsageError(f"{run_dir} is not a run directory (no {CONFIG_FILE})")
    out = Path(args.output_dir) if args.output_dir else run_dir / "reports"
    option = "--output-dir" if args.output_dir else "--result-dir"
    check_out_dir(out, option)
    session, run_ = open_run_checked(run_dir, args.trust_run_plugins, args.disable_plugin, args.plugin,
                                     config=args.config)
    only = args.reporters.split(",") if args.reporters else None
    make_out_dir(out, option)
    write_reports(session, run_dir, out, only=only, run=run_, skip_corrupt=args.skip_corrupt, workers=args.workers)
    return 0
