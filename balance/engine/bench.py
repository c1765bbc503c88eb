"""Engine throughput: ``python -m balance.engine.bench [--builds N] [--pairs N] [--runs R] [--config FILE]``.

Samples builds deterministically from the config's rule system (every legal build within the
config's budget, seeded choice), simulates them over the config's grid on one process, and prints
combats per CPU second for single attacks, for pairs with the ``first`` policy, the ``greedy``
policy and the ``default`` policy (``greedy`` raced against each attack alone; best of ``--repeat`` measurements, since other jobs on the machine slow
single measurements down). Uses whatever rule system the config names, so the engine stays
game-agnostic. The defaults (8,000 builds, 20,000 pairs, 10 runs per cell: 0.64 M and 1.6 M
combats) are jobs of several batches, like a stage's; ``--builds 2000 --pairs 2000`` measures
jobs of one batch, where the last, longest combats weigh more.

When the kernel runs whole combats itself (compiled, see :mod:`balance.engine.protocol`), each
line is measured twice, side by side in this process: through the engine's numpy turn loop (the
kernel without its ``run_combats``) and compiled, with the ratio; both must give identical sums.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from balance.engine.simulator import Simulator


class _First:
    """Stand-in for the ``first`` policy plugin when it is not installed."""

    name = "first"
    needs_view = False

    def choose(self, view, usable):
        return np.where(usable[:, 0], 0, np.argmax(usable, axis=1))


def sample_builds(rules, budget: int, n: int, seed: int = 1):
    """``n`` legal builds drawn without replacement by a seeded generator, in enumeration order."""
    every = list(rules.enumerate_builds(budget))
    pick = np.sort(np.random.default_rng(seed).choice(len(every), size=min(n, len(every)), replace=False))
    return [every[i] for i in pick]


def first_policy(plugins=None):
    if plugins is not None:
        try:
            return plugins.component("balance_policies", "first")
        except Exception:  # noqa: BLE001 - the stand-in is equivalent
            pass
    return _First()


def default_policy(plugins):
    return plugins.component("balance_policies", "default")


def greedy_policy(plugins):
    return plugins.component("balance_policies", "greedy")


class TurnLoop:
    """A kernel seen without its whole-combat runner, so the engine runs its numpy turn loop."""

    def __init__(self, kernel):
        self._kernel = kernel

    def __getattr__(self, name):
        if name in ("run_combats", "warm_up"):
            raise AttributeError(name)
        return getattr(self._kernel, name)


def kernels(rules) -> list[tuple[str, object]]:
    """(label, kernel) to measure: the turn loop, and the compiled runner where the kernel has one."""
    kernel = rules.kernel()
    if getattr(kernel, "run_combats", None) is None:
        return [("turn loop", kernel)]
    warm = getattr(kernel, "warm_up", None)
    if warm is not None:
        warm()  # load the compiled code before timing
    return [("numpy turn loop", TurnLoop(rules.kernel())), ("compiled", kernel)]


def measure(rules, grid, attacker, max_turns, builds, candidates, runs, seed=1, lanes_per_batch=None, policy=None,
            kernel=None):
    """(combats per CPU second, CPU seconds, wall seconds, SimResult) of one ``Simulator.run``.

    CPU time of this process is the honest single-core figure on a shared machine."""
    kw = {} if lanes_per_batch is None else {"lanes_per_batch": lanes_per_batch}
    kernel = rules.kernel() if kernel is None else kernel
    sim = Simulator(kernel, builds, grid, attacker, max_turns, policy or _First(), **kw)
    t0, c0 = time.perf_counter(), time.process_time()
    res = sim.run(candidates, runs, seed)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return len(candidates) * len(grid.cells) * runs / cpu, cpu, dt, res


def main(argv=None) -> int:
    from balance.session import open_session

    p = argparse.ArgumentParser(prog="python -m balance.engine.bench", description=__doc__.splitlines()[0])
    p.add_argument("--config")
    p.add_argument("--builds", type=int, default=8000, help="single builds to simulate")
    p.add_argument("--pairs", type=int, default=20000, help="pairs to simulate")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--lanes-per-batch", type=int)
    p.add_argument("--repeat", type=int, default=3, help="measure N times and report the best (default 3)")
    args = p.parse_args(argv)
    s = open_session(args.config)
    cfg = s.config
    builds = sample_builds(s.rules, s.budget, max(args.builds, 200))
    grid = s.grid
    print(f"grid: {len(grid.cells)} cells; attacker {list(cfg.attacker)}; max turns {cfg.max_turns}; "
          f"{len(builds)} builds of <= {s.budget} points; {args.runs} runs per cell")
    single = np.arange(min(args.builds, len(builds)))[:, None]
    rng = np.random.default_rng(2)
    pairs = rng.integers(0, len(builds), size=(args.pairs, 2))
    jobs = [("single", single, None),
            ("pairs (first policy)", pairs, first_policy(s.plugins)),
            ("pairs (greedy policy)", pairs, greedy_policy(s.plugins)),
            ("pairs (default policy)", pairs, default_policy(s.plugins))]
    measured = kernels(s.rules)
    for label, cand, policy in jobs:
        combats = len(cand) * len(grid.cells) * args.runs
        results = []
        for kernel_label, kernel in measured:
            cps, cpu, dt, res = max((measure(s.rules, grid, cfg.attacker, cfg.max_turns, builds, cand, args.runs,
                                             lanes_per_batch=args.lanes_per_batch, policy=policy, kernel=kernel)
                                     for _ in range(args.repeat)), key=lambda m: m[0])
            results.append((cps, res))
            print(f"{label}, {kernel_label}: {cps:,.0f} combats per CPU second ({combats:,} combats, "
                  f"{cpu:.2f} CPU s, {dt:.2f} s wall; mean turns {res.means().mean():.2f})")
        if len(results) == 2:
            (ref_cps, ref), (cps, res) = results
            same = all(np.array_equal(getattr(ref, f), getattr(res, f)) for f in ("turn_sum", "turn_sumsq", "timeouts", "uses"))
            print(f"{label}: compiled / numpy = {cps / ref_cps:.1f}x; identical results: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
