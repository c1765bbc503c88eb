"""Engine throughput: ``python -m balance.engine.bench [--builds N] [--pairs N] [--runs R] [--config FILE]``.

Samples builds deterministically from the config's rule system (every legal build within the
config's budget, seeded choice), simulates them over the config's grid on one process, and prints
combats per CPU second for single attacks, for pairs with the ``first`` policy and for pairs with
the ``default`` policy (best of ``--repeat`` measurements, since other jobs on the machine slow
single measurements down). Uses whatever rule system the config names, so the engine stays
game-agnostic. The defaults (8,000 builds, 20,000 pairs, 10 runs per cell: 0.64 M and 1.6 M
combats) are jobs of several batches, like a stage's; ``--builds 2000 --pairs 2000`` measures
jobs of one batch, where the last, longest combats weigh more.
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


def measure(rules, grid, attacker, max_turns, builds, candidates, runs, seed=1, lanes_per_batch=None, policy=None):
    """(combats per CPU second, CPU seconds, wall seconds, SimResult) of one ``Simulator.run``.

    CPU time of this process is the honest single-core figure on a shared machine."""
    kw = {} if lanes_per_batch is None else {"lanes_per_batch": lanes_per_batch}
    sim = Simulator(rules.kernel(), builds, grid, attacker, max_turns, policy or _First(), **kw)
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
    cps, cpu, dt, res = max((measure(s.rules, grid, cfg.attacker, cfg.max_turns, builds, single, args.runs,
                                     lanes_per_batch=args.lanes_per_batch) for _ in range(args.repeat)),
                            key=lambda m: m[0])
    print(f"single: {cps:,.0f} combats per CPU second ({len(single) * len(grid.cells) * args.runs:,} combats, "
          f"{cpu:.2f} CPU s, {dt:.2f} s wall; mean turns {res.means().mean():.2f})")
    rng = np.random.default_rng(2)
    pairs = rng.integers(0, len(builds), size=(args.pairs, 2))
    for name, policy in (("first", first_policy(s.plugins)), ("default", default_policy(s.plugins))):
        cps, cpu, dt, res = max((measure(s.rules, grid, cfg.attacker, cfg.max_turns, builds, pairs, args.runs,
                                         lanes_per_batch=args.lanes_per_batch, policy=policy)
                                 for _ in range(args.repeat)), key=lambda m: m[0])
        print(f"pairs ({len(pairs)}, {name} policy): {cps:,.0f} combats per CPU second "
              f"({len(pairs) * len(grid.cells) * args.runs:,} combats, {cpu:.2f} CPU s, {dt:.2f} s wall; "
              f"mean turns {res.means().mean():.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
