"""Calibration of ``balance diff`` and fair costs on the toy (not a test: it takes minutes).

    PYTHONPATH=. .venv/bin/python tests/compare/calibrate.py 40

makes N toy runs (seeds 101..100+N, tests/compare/toy_runs.py), diffs them in disjoint pairs
(seed-only diffs: how many list any enhancement or build?) and checks how often each fair-cost
interval holds the true fair cost (gilded 1, whetstone 3, nick 1, edge 2, the limit reckless 2) and
the direction is right.
Measured (N = 40): 0 of 20 seed-only diffs listed anything; fair-cost coverage gilded 38, whetstone
38, nick 40, edge 40, reckless 39 of 40; direction right 40 of 40 for gilded (lower), whetstone and
reckless (raise).
"""

import sys
import tempfile
from pathlib import Path

from balance.reporting import ReportContext
from balance.runcheck import open_run_checked
from balance_plugins.reports import run_diff as rd
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.fair_costs import fair_costs
from balance_plugins.reports.point_values import measure
from tests.compare.toy_runs import PLUGIN, make_run

TRUTH = {"gilded": 1, "whetstone": 3, "nick": 1, "edge": 2, "reckless": 2}


def main(n: int) -> None:
    root = Path(tempfile.mkdtemp())
    ctxs = []
    for s in range(1, n + 1):
        make_run(root / f"r{s}", seed=100 + s)
        session, run = open_run_checked(root / f"r{s}", False, (), [str(PLUGIN)])
        ctxs.append(ReportContext(session, run, root / f"r{s}", root))
    vals = [measure(c.reader("stage1"), Attacks.load(c.run, "stage1")) for c in ctxs]
    listed = 0
    for i in range(0, n - 1, 2):
        a, b = ctxs[i], ctxs[i + 1]
        enh = rd.enhancement_moves(vals[i], vals[i + 1])
        builds = rd.score_moves(rd.build_scores(a, Attacks.load(a.run, "stage1")),
                                rd.build_scores(b, Attacks.load(b.run, "stage1")))
        listed += bool(enh.moves or builds.moves)
    print(f"seed-only diffs listing anything: {listed} of {n // 2}")
    cover = dict.fromkeys(TRUTH, 0)
    right = {"gilded": 0, "whetstone": 0, "reckless": 0}
    for v in vals:
        for f in fair_costs(v):
            cover[f.name] += f.fair.lo <= TRUTH[f.name] <= f.fair.hi
            right["gilded"] += f.name == "gilded" and f.verdict == "lower"
            right["whetstone"] += f.name == "whetstone" and f.verdict == "raise"
            right["reckless"] += f.name == "reckless" and f.verdict == "raise"
    print(f"fair cost inside its interval, of {n}: {cover}; right direction: {right}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
