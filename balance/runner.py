"""Runs the pipeline: creates or resumes a run directory, runs the stages in dependency order
through an executor, streams records into the store, and writes the reports."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from balance import __version__
from balance.components import selected_by
from balance.config import config_to_toml
from balance.errors import ConfigError, UsageError
from balance.progress import console, make_progress, tree_rss
from balance.runcheck import check_same_config, check_same_plugins, check_same_rule_table, config_data, config_digest
from balance.runlock import run_lock
from balance.session import Session
from balance.store import RunInfo
from balance.work import Records, SessionSpec, Task, ranges

#: Combats per work unit when the config does not fix a batch size: under 1 s of work per core,
#: about one engine batch. Smaller units lose more to their tails (the last, nearly empty turns);
#: larger ones gained little for more memory (docs/performance.md, Stages).
COMBATS_PER_UNIT = 200_000
#: Seconds between samples of the process tree's memory while a stage runs.
RSS_EVERY = 1.0
CONFIG_FILE = "config.toml"
#: The side table the runner writes when a stage's ``run`` has returned.
DONE_TABLE = "stage_done"


@attrs.define
class RunContext:
    """What a stage gets: the session, the open run in the store, and ways to run work."""

    session: Session
    spec: SessionSpec
    run: Any
    run_dir: Path
    executor: Any
    workers: int
    batch_size: int
    progress: Any
    peak_rss: int = 0
    #: When the process tree's memory was last sampled (``time.monotonic``).
    rss_sampled: float = -math.inf
    #: A finished run of the same config but for rules that only decide legality (a sweep's
    #: baseline): stage 1 copies the records of the builds both enumerate instead of simulating them.
    reuse: Path | None = None

    def units(self, spans: Iterable[tuple[int, int]], combats_per_item: float) -> Iterator[tuple[int, int]]:
        size = self.batch_size or max(1, math.ceil(COMBATS_PER_UNIT / max(combats_per_item, 1e-9)))
        for lo, hi in spans:
            yield from ranges(lo, hi, size)

    def _execute(self, label: str, task: Task, spans, total: int, done: int, combats_per_item: float):
        bar = self.progress.add_task(label, total=total, completed=done)
        try:
            for start, stop, cols in self.executor.map(self.spec, task, self.units(spans, combats_per_item), self.workers):
                self._sample_memory()
                self.progress.advance(bar, stop - start)
                yield start, stop, cols
        finally:
            self.progress.remove_task(bar)

    def _sample_memory(self) -> None:
        # Walking the process tree reads every /proc entry (a few ms) on the core the workers
        # share with this process: sample once a second, not after every one of hundreds of units.
        now = time.monotonic()
        if now - self.rss_sampled >= RSS_EVERY:
            self.peak_rss, self.rss_sampled = max(self.peak_rss, tree_rss()), now

    def simulate(self, stage: str, schema, task: Task, total: int, combats_per_item: float, info=None) -> None:
        """Run ``task`` over items ``0..total-1`` and stream the records to the stage's shards,
        skipping the ranges a previous, interrupted attempt already completed."""
        if self.run.stage_complete(stage):  # records done; a resume only redoes the later steps
            return
        writer = self.run.stage_writer(stage, schema, total=total, info=info or {})
        missing = writer.missing_ranges(total)
        todo = sum(hi - lo for lo, hi in missing)
        started = time.perf_counter()
        for start, stop, cols in self._execute(stage, Records(task, schema), missing, total, total - todo,
                                                combats_per_item):
            writer.write(start, stop, cols)
        wall = time.perf_counter() - started
        combats = int(round(todo * combats_per_item))
        # Items and combats describe the whole stage (a resumed attempt adds to the shards an
        # earlier one completed); wall time and memory are this attempt's.
        writer.finish({
            "items": total,
            "combats": int(round(total * combats_per_item)),
            "items_this_attempt": todo,
            "wall_seconds": wall,
            "peak_memory_bytes": self.peak_rss,
        })
        rate = todo / wall if wall > 0 else float("inf")
        console().print(
            f"{stage}: {todo:,} items (~{combats:,} combats) in {wall:,.1f} s "
            f"= {rate:,.0f} items/s; peak memory {self.peak_rss / 2**20:,.0f} MiB"
        )

    def compute(self, label: str, task: Task, total: int, combats_per_item: float) -> dict[str, np.ndarray]:
        """Run a small job whose results are kept in memory (solos, confirmation), in index order."""
        parts = [cols for _, _, cols in self._execute(label, task, [(0, total)], total, 0, combats_per_item)]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}


def stage_order(stages: dict[str, Any], wanted: list[str]) -> list[Any]:
    """The wanted stages in dependency order (requirements that are not wanted must already exist)."""
    order: list[Any] = []

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in chain:
            raise UsageError(f"stages depend on each other in a circle: {' -> '.join(chain + (name,))}")
        stage = stages[name]
        for req in stage.requires:
            if req in wanted and req in stages:
                visit(req, chain + (name,))
        if stage not in order:
            order.append(stage)

    for name in wanted:
        if name not in stages:
            raise UsageError(f'unknown stage "{name}" (stages: {", ".join(sorted(stages))})')
        visit(name, ())
    return order


def open_run(session: Session, spec: SessionSpec, run_dir: Path, stages: list[str], resume: bool):
    """Create a new run directory, or open an existing one to continue it."""
    store = session.plugins.component("balance_stores", session.config.store)
    if store.has_run(run_dir):
        if not resume:
            raise UsageError(
                f"{run_dir} already holds a run; continue it with `balance run --resume {run_dir}` "
                "or choose another --out"
            )
        return store.resume(run_dir)
    if resume:
        raise UsageError(f"{run_dir} holds no run to resume")
    plugins = {name: info.version for name, info in session.plugins.info.items()}
    text = config_to_toml(session.config)
    run = store.create(
        run_dir,
        RunInfo(
            config={"toml": text, "origin": session.origin, "sha256": config_digest(config_data(session.config)),
                    "rule_table": session.rule_table.record()},
            master_seed=session.config.seed,
            plugins=plugins,
            project_version=__version__,
            stages=tuple(stages),
        ),
    )
    (run_dir / CONFIG_FILE).write_text(text)
    return run


def run_pipeline(
    session: Session,
    spec: SessionSpec,
    run_dir: Path,
    stages: list[str],
    workers: int,
    executor: Any,
    resume: bool = False,
    reuse: Path | None = None,
) -> RunContext:
    """Run ``stages`` with ``executor`` (a component from ``balance_executors``)."""
    ordered = stage_order(session.plugins.guarded_components("balance_stages"), stages)
    check_components(session, ordered)
    existing = None
    store = session.plugins.component("balance_stores", session.config.store)
    if resume and store.has_run(run_dir):
        existing = store.open(run_dir)
        # Before anything is deleted or written: the same config and plugins, or nothing mixes.
        check_same_config(existing, run_dir, session.config, "resume")
        check_same_rule_table(existing, run_dir, session.rule_table)
        check_same_plugins(existing, run_dir, session.plugins)
    names = [s.name for s in ordered]
    for stage in ordered:
        for req in stage.requires:
            if req not in names and not (existing and stage_done(existing, req)):
                raise UsageError(
                    f"{stage.name} needs the results of {req} in {run_dir}, and there are none; "
                    f"run {req} into this directory first (e.g. `balance run --stage all`)"
                )
    make_run_dir(run_dir)
    try:
        with run_lock(run_dir):
            return _run_stages(session, spec, run_dir, names, ordered, workers, executor, resume, reuse)
    finally:
        close = getattr(executor, "close", None)  # optional: executors that keep workers between steps
        if close is not None:
            close()


def check_components(session: Session, stages: list[Any]) -> None:
    """Components the config names must exist before any directory is made or any work is done."""
    c = session.config
    wanted = [("store", "balance_stores", c.store), ("scoring", "balance_scorings", c.scoring)]
    for stage in stages:
        wanted.extend(selected_by(stage, c))
    for key, hook, name in wanted:
        try:
            session.plugins.component(hook, name)
        except UsageError as exc:
            raise ConfigError(key, str(exc)) from None


def make_run_dir(run_dir: Path) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {run_dir}: cannot create the run directory: {exc.strerror or exc}") from None


def _run_stages(session, spec, run_dir, names, ordered, workers, executor, resume, reuse=None) -> RunContext:
    run = open_run(session, spec, run_dir, names, resume)
    run.shard_records = session.config.performance.shard_records
    with make_progress() as progress:
        ctx = RunContext(
            session=session,
            spec=spec,
            run=run,
            run_dir=run_dir,
            executor=executor,
            workers=executor.workers(workers or session.config.performance.workers),
            batch_size=session.config.performance.batch_size,
            progress=progress,
            reuse=reuse,
        )
        start = getattr(executor, "start", None)  # optional: workers that start before the first step
        if start is not None and not all(stage_done(run, stage.name) for stage in ordered):
            start(spec, ctx.workers)
        for stage in ordered:
            if stage_done(run, stage.name):
                continue
            ctx.peak_rss, ctx.rss_sampled = 0, -math.inf
            stage.run(ctx)
            # Only now: a stage's last steps (pruning, confirmation) come after its records.
            run.write_table(stage.name, DONE_TABLE, {"finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    return ctx


def stage_done(run: Any, stage: str) -> bool:
    """A stage is done when ``Stage.run`` returned, not merely when its records are complete."""
    return run.has_table(stage, DONE_TABLE)
