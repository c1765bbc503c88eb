"""Distributions of turns for a few candidates (the confirmed pairs): p10/p50/p90 of turns,
one-turn-kill share and timeout share, gathered on the same dice as the candidates' own results.

This re-runs the candidates with histograms (the compiled kernel counts combats by their last
turn itself, the numpy kernel in the engine's turn loop): the same combats as their sums.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance.engine.distribution import summarize
from balance_plugins.stages.common import CandidateTask


@attrs.frozen(eq=False)
class DistributionTask(CandidateTask):
    """Item ``i``: the candidate ``(a[i], b[i])`` (or the single attack ``a[i]`` when ``b`` is empty)."""

    def compute(self, state, start, stop):
        sim, _, _ = state
        cand = self.candidates(start, stop)
        res = sim.run(cand, self.runs, self.seed, stream=self.stream, histogram=True)
        return summarize(res.turn_hist, res.timeouts)


def main(argv=None) -> int:
    """``python -m balance_plugins.stages.distributions RUN_DIR``: the confirmed pairs of a finished
    run, simulated with the kernel's whole-combat sums and again with histograms (what the
    confirmation's distributions add), timed."""
    import argparse
    import time

    from balance.session import open_session
    from balance_plugins.stages.common import STREAM_CONFIRM, simulator
    from balance_plugins.store import MsgpackStore

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("run_dir")
    args = ap.parse_args(argv)
    run = MsgpackStore().open(args.run_dir)
    session = open_session(f"{args.run_dir}/config.toml")
    att, conf = run.read_table("stage2", "attacks"), run.read_table("stage2", "confirmed")
    builds = [Build(t, u, x) for t, u, x in zip(att["attack_type"], att["upgrades"], att["limits"])]
    cand = np.stack([np.asarray(conf["a"]), np.asarray(conf["b"])], axis=1)
    c = session.config
    session.warm_up_kernel()
    sim = simulator(session, builds, c.stage2.policy, c.stage2.max_turns)
    combats = len(cand) * len(session.grid.cells) * c.stage2.confirm_runs
    for label, hist in (("whole-combat sums", False), ("with histograms", True)):
        t = time.perf_counter()
        sim.run(cand, c.stage2.confirm_runs, c.seed, stream=STREAM_CONFIRM, histogram=hist)
        print(f"{label}: {len(cand)} pairs, {combats:,} combats in {time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
