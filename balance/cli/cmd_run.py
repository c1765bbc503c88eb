"""`balance run`: run the registered stages (or some), stream results to a run directory, write reports."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import attrs

from balance.cli.common import add_trust_argument, session_from
from balance.cli.paths import check_out_dir
from balance.config.settings import parse_setting
from balance.errors import UsageError
from balance.progress import console
from balance.reporting import select_reporters, write_reports
from balance.runcheck import require_trust
from balance.runner import CONFIG_FILE, run_pipeline
from balance.work import SessionSpec

#: Short names the command line has always accepted for the built-in stages.
ALIASES = {"1": "stage1", "2": "stage2"}


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="run the pipeline (stage 1, stage 2, reports)")
    p.add_argument("config", nargs="?", help="TOML or JSON config (default: the embedded default)")
    p.add_argument("--stage", metavar="NAME", default=None,
                   help="run this registered stage (or all; 1 and 2 name stage1 and stage2); "
                        "default: the config's stages, else all")
    p.add_argument("--out", metavar="DIR", help="run directory (default: runs/run-YYYYmmdd-HHMMSS)")
    p.add_argument("--resume", metavar="DIR", help="continue a killed run from its complete shards")
    p.add_argument("--workers", type=workers_count, default=0, help="worker processes (default: config, else every core)")
    p.add_argument("--executor", default=None, help="executor plugin (local, dask)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="Dask scheduler (default: start a LocalCluster)")
    p.add_argument("--reporters", metavar="NAME,...", help="only these reporters")
    p.add_argument("--no-reports", action="store_true", help="do not write reports")
    p.add_argument("--set", dest="settings", action="append", metavar="KEY=VALUE",
                   help="change a config key for this run (repeatable); KEY=V1,V2,... sweeps it: one run per "
                        "value under --out, and OUT/sweep.md compares them")
    add_trust_argument(p)
    p.set_defaults(func=run)


def workers_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (every core) or a positive number of workers, got {text!r}")
    return value


def plugin_options(config, args) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Config and command-line plugin options, with local plugin paths made absolute."""
    disable = tuple(dict.fromkeys([*config.plugins.disable, *args.disable_plugin]))
    load = []
    for item in [*config.plugins.load, *args.plugin]:
        path = Path(item)
        load.append(str(path.resolve()) if path.exists() else item)
    return disable, tuple(dict.fromkeys(load))


def chosen_stages(session, wanted: str | None) -> list[str]:
    """The stages to run: the one asked for, else the config's ``stages``, else every registered one."""
    registered = list(session.plugins.components("balance_stages"))
    if wanted not in (None, "all"):
        if wanted not in registered:
            raise UsageError(f'--stage: unknown stage "{wanted}" (stages: {", ".join(["all", *registered])})')
        return [wanted]
    if wanted is None and session.config.stages:
        return list(session.config.stages)
    return registered


def run(args) -> int:
    settings = [parse_setting(text) for text in args.settings or ()]
    if args.resume and (args.config or args.out or settings):
        raise UsageError("--resume DIR continues a run with its own config; do not give a config, --out or --set")
    swept = [s for s in settings if s.sweep]
    if len(swept) > 1:
        raise UsageError(f"--set: one key may take several values (a sweep), and {swept[0].key} and "
                         f"{swept[1].key} both do")
    fixed = [(s.key, s.values[0]) for s in settings if not s.sweep]
    if swept:
        return run_sweep(args, fixed, swept[0])
    run_dir = Path(args.resume or args.out or f"runs/run-{time.strftime('%Y%m%d-%H%M%S')}")
    if args.resume and not (run_dir / CONFIG_FILE).exists():
        raise UsageError(f"{run_dir} holds no run to resume (no {CONFIG_FILE})")
    check_out_dir(run_dir, "--resume" if args.resume else "--out")
    existing = (run_dir / CONFIG_FILE).exists()
    wanted_stage = ALIASES.get(args.stage, args.stage)
    # `--stage 2` (any one stage) into a directory that holds a run continues that run, like --resume.
    continuing = bool(args.resume) or (wanted_stage not in (None, "all") and existing)
    if continuing and (args.config or fixed):
        given = "a config" if args.config else "--set"
        raise UsageError(f"{run_dir} already holds a run with its own config; continue it without giving {given}")
    if continuing:
        # The run directory's config is untrusted: its plugins are code and load only when asked.
        require_trust(run_dir, run_dir / CONFIG_FILE, args.trust_run_plugins)
        spec = SessionSpec(str(run_dir / CONFIG_FILE), tuple(args.disable_plugin), tuple(args.plugin))
        session = spec.open()
    else:
        session, spec = new_run_session(args, run_dir, fixed)
    execute(args, session, spec, run_dir, wanted_stage, continuing)
    return 0


def new_run_session(args, run_dir: Path, settings) -> tuple:
    """The session of a new run (its config, ``--set`` and plugin options) and the spec its workers
    open: the run directory's ``config.toml``, which keeps the effective config with every plugin
    option, so that workers and a later --resume open exactly this session."""
    session = session_from(args, settings)
    disable, load = plugin_options(session.config, args)
    config = attrs.evolve(session.config, plugins=attrs.evolve(session.config.plugins, disable=disable, load=load))
    return attrs.evolve(session, config=config), SessionSpec(str(run_dir / CONFIG_FILE))


def execute(args, session, spec, run_dir: Path, wanted_stage: str | None, resume: bool,
            reuse: Path | None = None) -> float:
    """Run the chosen stages into ``run_dir`` and write the reports; returns the wall time."""
    executor_name = args.executor or session.config.executor
    if args.scheduler and executor_name != "dask":
        raise UsageError("--scheduler needs --executor dask")
    executor = session.plugins.component("balance_executors", executor_name)
    if args.scheduler:
        executor.unwrapped.scheduler = args.scheduler
    only = args.reporters.split(",") if args.reporters else None
    stages = chosen_stages(session, wanted_stage)
    if not args.no_reports:
        select_reporters(session, only)  # an unknown name stops the run before any work
    started = time.perf_counter()
    ctx = run_pipeline(session, spec, run_dir, stages, args.workers, executor, resume=resume, reuse=reuse)
    if not args.no_reports:
        write_reports(session, run_dir, run_dir / "reports", only=only, run=ctx.run, workers=args.workers)
    wall = time.perf_counter() - started
    console().print(f"run directory: {run_dir}  ({wall:,.1f} s)")
    return wall


def run_sweep(args, fixed, swept) -> int:
    from balance.cli.sweep import run_sweep as sweep

    return sweep(args, fixed, swept)
