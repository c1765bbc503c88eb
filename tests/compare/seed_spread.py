"""How well each enhancement's bootstrap interval (point_values) matches its spread over seeds.

    balance run seedN.toml --out runs/sN --no-reports     # the same config with seed = N (N = 1..6)
    PYTHONPATH=. .venv/bin/python tests/compare/seed_spread.py runs/s1 runs/s2 runs/s3 ...

prints, per enhancement, the standard deviation of its effect on turns over the runs against the mean
standard error its 95 % bootstrap interval implies (half-width / 1.96), and their ratio (1 = the
interval describes seed-to-seed noise; above 1 = too narrow for comparing runs of different seeds).
"""

import sys
from pathlib import Path

import numpy as np

from balance.reporting import ReportContext
from balance.runcheck import open_run_checked
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.point_values import measure


def main(dirs: list[Path]) -> None:
    vals = []
    for d in dirs:
        session, run = open_run_checked(d, False)
        ctx = ReportContext(session, run, d, d)
        vals.append(measure(ctx.reader("stage1"), Attacks.load(run, "stage1", session.rules)))
    names = sorted(set.intersection(*(set(v.values) for v in vals)))
    ratios = []
    for n in names:
        est = np.array([v.values[n].turns.est for v in vals])
        se = np.mean([(v.values[n].turns.hi - v.values[n].turns.lo) / 3.92 for v in vals])
        ratios.append(est.std(ddof=1) / se)
        print(f"{n:24s} seed-to-seed sd {est.std(ddof=1):.3f}  bootstrap se {se:.3f}  ratio {ratios[-1]:.2f}")
    r = np.array(ratios)
    print(f"{len(dirs)} runs, {len(names)} enhancements: median ratio {np.median(r):.2f}, "
          f"above 1: {(r > 1).sum()}, max {r.max():.2f} ({names[int(r.argmax())]})")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
