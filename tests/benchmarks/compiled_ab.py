"""Two versions of the compiled combat loop side by side: ``python -m tests.benchmarks.compiled_ab OLD.py NEW.py``.

For work on ``compiled_combat.py``: each file given is loaded as its own module (numba caches
each next to its file), and all of them simulate the same inputs in one process, interleaved in
chunks of candidates (the order alternating), so that a shared machine's load falls on each
alike; prints combats per CPU second and checks that every version gives identical sums.
Give copies in a scratch folder (numba writes each one's cache beside it), e.g.
``git show HEAD~1:rules/vitality/compiled_combat.py > /tmp/ab/old.py`` and
``cp rules/vitality/compiled_combat.py /tmp/ab/new.py``.

Without ``--run``: the engine bench's inputs (``balance.engine.bench``: seeded 6-point builds of
the config, random pairs, the config's grid) for single builds and pairs under ``first`` and
``greedy``, calling each version's ``run_combats`` directly (no Python between combats). With
``--run RUN_DIR``: stage-2 work units (12,500 pairs, spread over the pair sample) of a finished
run's kept attacks, through the engine (``Simulator.run``) under ``--policy``, as a worker plays
them.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

from balance.engine.simulator import _keys
from balance_rules.vitality import kernel_compiled

SUMS = ("turn_sum", "turn_sumsq", "timeouts", "uses")


def load(path: str):
    """The file as a module of its own, named after its path (numba's on-disk cache records the name)."""
    digest = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:10]
    name = f"compiled_ab_{Path(path).stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _engine_inputs(session, builds: int, pairs: int, runs: int):
    from balance.engine.bench import sample_builds
    from balance.engine.simulator import Simulator

    cfg = session.config
    chosen = sample_builds(session.rules, session.budget, builds)
    kernel = session.rules.kernel()
    sim = Simulator(kernel, chosen, session.grid, cfg.attacker, cfg.max_turns, None)
    packed = kernel._packed(sim.table, sim.cells)
    pair_rows = np.random.default_rng(2).integers(0, len(chosen), size=(pairs, 2)).astype(np.int64)
    exp = kernel._expectations(sim.table, sim.cells, packed, pair_rows)
    args = (packed.tab, packed.success, packed.cc, packed.maxhp, exp)
    tail = (_keys(1, 0, sim.cells, np.arange(runs)), runs, int(cfg.max_turns))
    rest = (int(sim.table.tier), int(sim.table.attacker_avoidance), int(sim.table.attacker_durability))
    single = np.arange(len(chosen), dtype=np.int64)[:, None]
    jobs = [("single builds", single, 0), ("pairs, first", pair_rows, 0), ("pairs, greedy", pair_rows, 1)]
    return args, tail, rest, jobs


def _engine(modules, session, builds, pairs, runs, rounds, chunk):
    args, (keys, runs, max_turns), rest, jobs = _engine_inputs(session, builds, pairs, runs)
    C = args[3].shape[0]

    def play(module, cand, code):
        n, k = cand.shape
        out = (np.zeros(n * C, np.int64), np.zeros(n * C, np.int64), np.zeros(n * C, np.int64),
               np.zeros((n * C, k + 1), np.int64))
        t = time.process_time()
        module.run_combats(*args, np.ascontiguousarray(cand), keys, runs, max_turns, code, 0, *rest, *out)
        return time.process_time() - t, out

    for m in modules:  # load (or compile) outside the timing
        for _, cand, code in jobs:
            play(m, cand[:2], code)
    cpu = {}
    for r in range(rounds):
        for label, cand, code in jobs:
            for lo in range(0, len(cand), chunk):
                order = range(len(modules)) if (lo // chunk + r) % 2 == 0 else reversed(range(len(modules)))
                ref = None
                for i in order:
                    dt, out = play(modules[i], cand[lo:lo + chunk], code)
                    cpu[label, i] = cpu.get((label, i), 0.0) + dt
                    if ref is None:
                        ref = out
                    elif not all(np.array_equal(x, y) for x, y in zip(ref, out)):
                        raise SystemExit(f"{label}: the versions' sums differ")
    return [(label, rounds * len(cand) * C * runs, [cpu[label, i] for i in range(len(modules))])
            for label, cand, _ in jobs]


def _stage2(modules, session, run_dir, policy, units, rounds):
    from balance.builds import Build
    from balance_plugins.stages.common import STREAM_STAGE2, simulator
    from balance_plugins.stages.pairs import PairSample, pair_at
    from balance_plugins.store import MsgpackStore

    c = session.config
    run = MsgpackStore().open(run_dir)
    a1, kept = run.read_table("stage1", "attacks"), run.read_table("stage1", "kept")["attack"]
    builds = [Build(a1["attack_type"][i], a1["upgrades"][i], a1["limits"][i]) for i in kept]
    sample = PairSample.build(len(builds), c.seed, c.stage2.sample_fraction, c.stage2.max_pairs)
    size = min(12_500, sample.size)
    starts = sorted({int(x) for x in np.linspace(0, sample.size - size, units)})
    sims = []
    for m in modules:  # one simulator per version; fill its caches (solos, policy view) first
        kernel_compiled._compiled = lambda m=m: m
        sim = simulator(session, builds, policy, c.stage2.max_turns)
        sim.run(np.stack(pair_at(sample.indices(0, 10), len(builds)), 1), c.stage2.runs, c.seed, stream=STREAM_STAGE2)
        sims.append(sim)
    cpu = [0.0] * len(modules)
    for r in range(rounds):
        for u, s in enumerate(starts):
            cand = np.stack(pair_at(sample.indices(s, s + size), len(builds)), 1)
            order = range(len(modules)) if (u + r) % 2 == 0 else reversed(range(len(modules)))
            ref = None
            for i in order:
                kernel_compiled._compiled = lambda m=modules[i]: m
                t = time.process_time()
                res = sims[i].run(cand, c.stage2.runs, c.seed, stream=STREAM_STAGE2)
                cpu[i] += time.process_time() - t
                if ref is None:
                    ref = res
                elif not all(np.array_equal(getattr(ref, f), getattr(res, f)) for f in SUMS):
                    raise SystemExit(f"pairs {s}..{s + size}: the versions' sums differ")
    return [(f"stage-2 units, {policy} policy (pairs)", rounds * len(starts) * size, cpu)]


def main(argv=None) -> int:
    from balance.session import open_session

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="versions of compiled_combat.py (the first is the reference)")
    ap.add_argument("--config")
    ap.add_argument("--run", help="a finished run directory: time its stage-2 work units instead")
    ap.add_argument("--policy", default="greedy", help="with --run: the pair policy (default greedy)")
    ap.add_argument("--units", type=int, default=12, help="with --run: work units")
    ap.add_argument("--builds", type=int, default=8000)
    ap.add_argument("--pairs", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=1000, help="candidates per interleaved call")
    args = ap.parse_args(argv)
    modules = [load(f) for f in args.files]
    load_before = os.getloadavg()[0]
    if args.run:
        session = open_session(f"{args.run}/config.toml")
        rows = _stage2(modules, session, args.run, args.policy, args.units, args.rounds)
        unit = "pairs"
    else:
        session = open_session(args.config)
        rows = _engine(modules, session, args.builds, args.pairs, args.runs, args.rounds, args.chunk)
        unit = "combats"
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; identical sums: yes")
    for label, count, cpu in rows:
        rates = [count / t for t in cpu]
        cells = "  ".join(f"{Path(f).name}: {r:,.0f}" for f, r in zip(args.files, rates))
        ratios = " ".join(f"{r / rates[0]:.3f}" for r in rates[1:])
        print(f"{label}: {unit} per CPU second  {cells}  (x{ratios} the first)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
