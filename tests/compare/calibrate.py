"""Calibration of the toy: false-positive rate of seed-only diffs, coverage of fair costs."""
import sys, tempfile, time
from pathlib import Path
import numpy as np
from tests.compare.toy_runs import make_run, PLUGIN
from balance.runcheck import open_run_checked
from balance.reporting import ReportContext
from balance.comparing import CompareContext
from balance_plugins.reports import run_diff as rd
from balance_plugins.reports.fair_costs import fair_costs
from balance_plugins.reports.point_values import measure
from balance_plugins.reports.data import Attacks
N = int(sys.argv[1])
d = Path(tempfile.mkdtemp(dir="/tmp/diffcal"))
ctxs = []
t = time.time()
for s in range(1, N + 1):
    make_run(d / f"r{s}", seed=100 + s)
    sess, run = open_run_checked(d / f"r{s}", False, (), [str(PLUGIN)])
    ctxs.append(ReportContext(sess, run, d / f"r{s}", d))
print("made", time.time() - t, flush=True)
vals = [measure(c.reader("stage1"), Attacks.load(c.run, "stage1")) for c in ctxs]
fp = 0; listed = 0
for i in range(0, N - 1, 2):
    a, b = ctxs[i], ctxs[i + 1]
    e = rd.enhancement_moves(vals[i], vals[i + 1])
    bm = rd.score_moves(rd.build_scores(a, Attacks.load(a.run, "stage1")), rd.build_scores(b, Attacks.load(b.run, "stage1")))
    n = len(e.moves) + len(bm.moves)
    fp += n > 0; listed += 1
print(f"seed-only diffs listing anything: {fp} of {listed}")
cover = {"gilded": 0, "whetstone": 0, "nick": 0, "edge": 0}
truth = {"gilded": 1, "whetstone": 3, "nick": 1, "edge": 2}
direction = {"gilded": 0, "whetstone": 0}
for v in vals:
    for f in fair_costs(v):
        cover[f.name] += f.fair.lo <= truth[f.name] <= f.fair.hi
        if f.name == "gilded": direction["gilded"] += f.verdict == "lower"
        if f.name == "whetstone": direction["whetstone"] += f.verdict == "raise"
print("fair-cost coverage of the true value, of", N, cover, "right direction", direction)
