"""How well each enhancement's bootstrap interval (point_values) matches its spread over seeds.

    balance run --stage 1 --set seed=N --out runs/sN --no-reports   # N = 1..6: the embedded default, stage 1
    PYTHONPATH=. .venv/bin/python tests/compare/seed_spread.py runs/s1 runs/s2 runs/s3 ...

prints, per enhancement, the standard deviation of its effect on turns over the runs against the mean
standard error its 95 % bootstrap interval implies (half-width / 1.96), and their ratio (1 = the
interval describes seed-to-seed noise; above 1 = too narrow for comparing runs of different seeds),
for the interval the reports print (builds and dice groups) and for the builds-only interval (what
runs without dice groups get). With n runs the standard deviation has n - 1 degrees of freedom: with
6 runs a ratio's own sampling spread is large (for a calibrated interval 5 % of ratios exceed 1.5).
"""

import sys
from pathlib import Path

import numpy as np

from balance.reporting import ReportContext
from balance.runcheck import open_run_checked
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.point_values import measure


def main(dirs: list[Path]) -> None:
    runs = []
    for d in dirs:
        session, run = open_run_checked(d, False)
        ctx = ReportContext(session, run, d, d)
        attacks = Attacks.load(run, "stage1", session.rules)
        runs.append((ctx.reader("stage1"), attacks))
    both = {"builds and dice": [measure(r, a) for r, a in runs],
            "builds only": [measure(r, a, dice=False) for r, a in runs]}
    vals = both["builds and dice"]
    names = sorted(set.intersection(*(set(v.values) for v in vals)))
    ratios = {k: [] for k in both}
    for n in names:
        est = np.array([v.values[n].turns.est for v in vals])
        sd = est.std(ddof=1)
        line = f"{n:24s} seed-to-seed sd {sd:.3f}"
        for k, vs in both.items():
            se = np.mean([(v.values[n].turns.hi - v.values[n].turns.lo) / 3.92 for v in vs])
            ratios[k].append(sd / se)
            line += f"  | {k}: se {se:.3f} ratio {ratios[k][-1]:.2f}"
        print(line)
    print(f"dice groups per run: {[v.dice_groups for v in vals]}")
    for k, r in ratios.items():
        r = np.array(r)
        print(f"{k}: {len(dirs)} runs, {len(names)} enhancements: median ratio {np.median(r):.2f}, "
              f"above 1: {(r > 1).sum()}, above 1.5: {(r > 1.5).sum()}, max {r.max():.2f} ({names[int(r.argmax())]})")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
