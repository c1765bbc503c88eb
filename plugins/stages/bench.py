"""Stage-2 throughput and memory, whole process: ``python -m balance_plugins.stages.bench``.

Creates a run directory whose stage 1 is a deterministic sample of the default config's legal
builds (so no stage-1 time is spent), then runs the real stage 2 (executor, policy, store,
confirmation) over the requested number of pairs and prints pairs per second and the peak
resident memory of the whole process tree, sampled once a second (a sample walks /proc: about
4 ms of a core the workers share).

    python -m balance_plugins.stages.bench --pairs 1000000 --workers 2
    python -m balance_plugins.stages.bench --pairs 5000000 --workers 2 --policy greedy
    python -m balance_plugins.stages.bench --pairs 200000 --workers 1 --executor dask
"""

from __future__ import annotations

import argparse
import math
import tempfile
import threading
import time
from pathlib import Path

import attrs
import numpy as np

from balance.progress import tree_rss
from balance.runner import DONE_TABLE, open_run, run_pipeline
from balance.session import open_session
from balance.work import SessionSpec
from balance_plugins.stages.common import attack_table


class PeakSampler(threading.Thread):
    def __init__(self, every: float = 1.0):
        super().__init__(daemon=True)
        self.every, self.peak, self.stop_flag = every, 0, threading.Event()

    def run(self) -> None:
        while not self.stop_flag.is_set():
            self.peak = max(self.peak, tree_rss())
            time.sleep(self.every)

    def stop(self) -> int:
        self.stop_flag.set()
        self.join()
        return max(self.peak, tree_rss())


def prepare(run_dir: Path, pairs: int, runs: int, confirm_top: int, seed: int = 1, rule_options=None,
            policy: str | None = None):
    """A run directory with a synthetic stage 1 holding enough attacks for ``pairs`` pairs; stage 2
    plays ``policy`` (default: the config's)."""
    session = open_session()
    n = max(2, math.ceil((1 + math.sqrt(1 + 8 * pairs)) / 2))
    stage2 = attrs.evolve(session.config.stage2, runs=runs, max_pairs=pairs, confirm_top=confirm_top,
                          policy=policy or session.config.stage2.policy)
    options = {**session.config.rule_options, **(rule_options or {})}
    config = attrs.evolve(session.config.with_settings("stage2", stage2), seed=seed, rule_options=options)
    session = attrs.evolve(session, config=config)
    builds = list(session.rules.enumerate_builds(session.budget))
    pick = np.sort(np.random.default_rng(seed).choice(len(builds), size=min(n, len(builds)), replace=False))
    run = open_run(session, SessionSpec(str(run_dir / "config.toml")), run_dir, ["stage1", "stage2"], False)
    run.write_table("stage1", "attacks", attack_table(session.rules, builds))
    run.write_table("stage1", "kept", {"attack": pick.tolist(), "reasons": {}, "strategy": "sample", "cutoffs": {}})
    run.set_stage_status("stage1", "complete")
    run.write_table("stage1", DONE_TABLE, {"finished": "synthetic"})
    return session


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--executor", default="local")
    ap.add_argument("--confirm-top", type=int, default=0)
    ap.add_argument("--policy", help="stage 2's pair policy (default: the config's)")
    ap.add_argument("--dir", help="run directory (default: a temporary one)")
    ap.add_argument("--rule-option", action="append", default=[], metavar="NAME=true|false",
                    help="a boolean rule option, e.g. compiled=false for the numpy turn loop")
    args = ap.parse_args(argv)
    options = {}
    for item in args.rule_option:
        name, _, value = item.partition("=")
        if value not in ("true", "false"):
            ap.error(f"--rule-option {item}: expected NAME=true or NAME=false")
        options[name] = value == "true"
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(args.dir or tmp) / "bench"
        session = prepare(run_dir, args.pairs, args.runs, args.confirm_top, rule_options=options,
                          policy=args.policy)
        spec = SessionSpec(str(run_dir / "config.toml"))
        sampler = PeakSampler()
        sampler.start()
        started = time.perf_counter()
        executor = session.plugins.component("balance_executors", args.executor)
        run_pipeline(session, spec, run_dir, ["stage2"], args.workers, executor, resume=True)
        wall = time.perf_counter() - started
        peak = sampler.stop()
        records = run_dir / "stage2"
        size = sum(p.stat().st_size for p in records.glob("*") if p.is_file())
        print(
            f"stage 2: {args.pairs:,} pairs requested, {args.workers} workers ({args.executor}), runs {args.runs}, "
            f"policy {session.config.stage2.policy}: "
            f"{wall:,.1f} s = {args.pairs / wall:,.0f} pairs/s; peak RSS of the process tree "
            f"{peak / 2**20:,.0f} MiB; stage-2 files {size / 2**20:,.1f} MiB"
        )


if __name__ == "__main__":
    main()
