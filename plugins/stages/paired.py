"""Differences between candidates measured on the same dice: the per-combat turns they need.

A die depends on (seed, stream, cell, run, turn, slot), never on the candidate
(:mod:`balance.engine.dice`), so two candidates simulated with the same seed, stream and runs play
each cell's run r on the same dice. The error of their scores' difference is then that of the
per-combat differences (a paired comparison on common random numbers): smaller than the
independent sqrt(se_x² + se_y²) when the two candidates' combats are positively correlated, larger
when negatively. The confirmation keeps the per-combat turns of its pairs (and of their better
attacks alone) for this: 50 pairs x cells x 100 runs is small. (Measured on the default grid the
two errors are within 10 % of each other: docs/performance.md.)
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance_plugins.stages.common import CandidateTask


@attrs.frozen(eq=False)
class TurnsTask(CandidateTask):
    """Item ``i``: every combat's turns of candidate ``(a[i], b[i])`` (or of the single attack
    ``a[i]`` when ``b`` is empty), as a row of cells x runs (cell-major)."""

    def compute(self, state, start, stop):
        sim, _, _ = state
        cand = self.candidates(start, stop)
        turns = sim.turns(cand, self.runs, self.seed, stream=self.stream)
        return {"turns": turns.reshape(len(cand), -1)}


def main(argv=None) -> int:
    """``python -m balance_plugins.stages.paired RUN_DIR``: for a finished run's confirmed pairs, the
    time of their combats as sums, as histograms and as per-combat turns (three plays, the
    confirmation before 2026-12-01) and of the one play that gives all three, and what pairing changes: the paired
    error of each pair's difference to #1 against the independent one, and the pairs tied with #1
    by each."""
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
    R = c.stage2.confirm_runs
    plays = {
        "sums": lambda: sim.run(cand, R, c.seed, stream=STREAM_CONFIRM),
        "histograms": lambda: sim.run(cand, R, c.seed, stream=STREAM_CONFIRM, histogram=True),
        "per-combat turns": lambda: sim.turns(cand, R, c.seed, stream=STREAM_CONFIRM),
        "all three from one play": lambda: sim.run(cand, R, c.seed, stream=STREAM_CONFIRM, histogram=True,
                                                   per_combat=True),
    }
    for label, play in plays.items():
        t, cpu = time.perf_counter(), time.process_time()
        play()
        print(f"{label}: {len(cand)} pairs x {len(session.grid.cells)} cells x {R} runs "
              f"in {time.perf_counter() - t:.2f} s ({time.process_time() - cpu:.2f} CPU s)")
    if "first_diff_se" in conf and len(cand) > 1:
        overall, se = np.asarray(conf["overall"], float), np.asarray(conf["se"], float)
        paired = np.asarray(conf["first_diff_se"], float)
        independent = np.sqrt(se**2 + se[0] ** 2)
        ratio = paired[1:] / independent[1:]
        print(f"paired / independent error of the difference to #1: median {np.median(ratio):.2f}, "
              f"range {ratio.min():.2f}-{ratio.max():.2f}")
        for name, err in (("independent", independent), ("paired", paired)):
            tied = int((overall[1:] - overall[0] <= 1.96 * err[1:]).sum())
            print(f"tied with #1 ({name}): {tied} of {len(cand) - 1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
