"""The race's cost per stage-2 work unit, side by side: ``python -m balance_plugins.stages.race_bench RUN_DIR [--units N]``.

Takes the kept attacks of a finished run (its own config), and simulates ``--units`` work units of
the default run's size (12,500 pairs, spread over the pair sample) under the run's policy twice,
alternating in one process: as the engine did before the kernel ran chosen groups itself (every
pilot combat to its end, the winners cell by cell: ``Simulator._some`` disabled) and as it does now
(pilots stop once a plan cannot win, winners in one call). Prints CPU seconds (the machine is shared)
and checks that both give identical sums.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from balance.builds import Build
from balance.engine.simulator import Simulator
from balance.session import open_session
from balance_plugins.stages.common import STREAM_STAGE2, simulator
from balance_plugins.stages.pairs import PairSample, pair_at
from balance_plugins.store import MsgpackStore

UNIT = 12_500


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--units", type=int, default=12)
    args = ap.parse_args(argv)
    run = MsgpackStore().open(args.run_dir)
    session = open_session(f"{args.run_dir}/config.toml")
    c = session.config
    a1, kept = run.read_table("stage1", "attacks"), run.read_table("stage1", "kept")["attack"]
    builds = [Build(a1["attack_type"][i], a1["upgrades"][i], a1["limits"][i]) for i in kept]
    session.warm_up_kernel()
    sample = PairSample.build(len(builds), c.seed, c.stage2.sample_fraction, c.stage2.max_pairs)
    size = min(UNIT, sample.size)
    starts = sorted({int(x) for x in np.linspace(0, sample.size - size, args.units)})
    current = Simulator._some
    modes = {"before": lambda *a, **k: None, "now": current}
    sims = {m: simulator(session, builds, c.stage2.policy, c.stage2.max_turns) for m in modes}
    cpu = dict.fromkeys(modes, 0.0)
    try:
        for m, sim in sims.items():  # fill each simulator's caches (solos, policy view) first
            Simulator._some = modes[m]
            sim.run(np.stack(pair_at(sample.indices(0, 10), len(builds)), 1), c.stage2.runs, c.seed, stream=STREAM_STAGE2)
        for s in starts:
            cand = np.stack(pair_at(sample.indices(s, s + size), len(builds)), 1)
            got = {}
            for m, sim in sims.items():
                Simulator._some = modes[m]
                t = time.process_time()
                got[m] = sim.run(cand, c.stage2.runs, c.seed, stream=STREAM_STAGE2)
                cpu[m] += time.process_time() - t
            for f in ("turn_sum", "turn_sumsq", "timeouts", "uses"):
                if not np.array_equal(getattr(got["before"], f), getattr(got["now"], f)):
                    raise SystemExit(f"{f} differs at pairs {s}..{s + size}")
    finally:
        Simulator._some = current
    n = len(starts) * size
    for m in modes:
        print(f"{m}: {cpu[m]:.2f} CPU s for {n:,} pairs = {n / cpu[m]:,.0f} pairs per CPU second")
    print(f"identical sums on all {len(starts)} units; {cpu['before'] / cpu['now']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
