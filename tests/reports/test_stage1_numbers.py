"""Stage-1 reports against values computed here from the raw stage-1 records."""

from __future__ import annotations

import math
import re
import tomllib

import numpy as np
import pytest

from balance_rules.vitality import catalog as cat
from tests.reports.helpers import bullet, carriers, enh_costs, first_table, num, order, records, shown, table


def read(out, name):
    return (out / "stage1" / name).read_text()


def config(run):
    return tomllib.loads((run / "config.toml").read_text())


def error_shown(cell: str, se: float) -> bool:
    """``mean ± se`` with se as shown; an error of 0 (every run the same) is said in words."""
    if se == 0:
        return cell.endswith("(every run equal)")
    return shown(cell.split("±")[1], se, 1e-4)


def test_pruning_report_top_50_and_profile_columns(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage1")
    att = table(run, "stage1", "attacks")
    kept = table(run, "stage1", "kept")
    md = read(out, "stage1_pruning_report.md")
    assert bullet(md, "Total attacks tested") == f"{len(rec['attack']):,}"
    assert num(bullet(md, "Attacks kept")) == len(kept["attack"])
    head, rows = first_table(md, "Top 50 Attacks Overall")
    profiles = [p["name"] for p in config(run)["profiles"]]
    # one column per configured profile, in config order: never a fixed list of four
    assert head[4:4 + len(profiles)] == [f"vs {p}" for p in profiles]
    assert head[4 + len(profiles)] == "Timeouts"
    best = order(rec["overall"], rec["attack"])[:50]
    kept_set = set(kept["attack"])
    P = len(profiles)
    equal_spread = rec["se"][:, None] * math.sqrt(P) * np.ones(P)  # a run without the group sums
    if "group_runs" in rec:
        per_profile = rec["cell_mean"].shape[1] // P  # cells are profile-major
        runs = rec["group_runs"].sum(axis=1)
        # the group sums add up to the cell means the profile means average (same combats)
        np.testing.assert_allclose(rec["group_turns"].sum(axis=1) / runs[:, None], rec["cell_mean"], rtol=1e-6)
        # per cell, the variance of a combat's turns, by hand from the dice groups (one-way ANOVA
        # between groups: unbiased); a profile's error: sqrt(sum over its cells of var / runs) / its
        # cells. The equal-spread estimate (overall se x sqrt(P)) differs whenever profiles' spreads do.
        r = rec["group_runs"][:, :, None].astype(float)
        gmean = rec["group_turns"] / r
        var = (r * (gmean - rec["cell_mean"][:, None, :]) ** 2).sum(axis=1) / (r.shape[1] - 1)
        var = var.reshape(len(var), P, per_profile)
        pse = np.sqrt(var.sum(axis=2) / runs[:, None]) / per_profile
        assert not np.allclose(pse, equal_spread)
        assert "each cell's error from that cell's own spread" in md
    else:
        pse = equal_spread
        assert "this run predates the per-group turn sums" in md
    for rank, (row, i) in enumerate(zip(rows, best), 1):
        a = int(rec["attack"][i])
        assert num(row[0]) == rank
        assert row[1].startswith("+".join([att["attack_type"][a], *att["upgrades"][a]]))
        assert num(row[2]) == att["cost"][a]
        assert shown(row[3], float(rec["overall"][i]), 1e-4)
        for k in range(len(profiles)):
            assert shown(row[4 + k], float(rec["by_profile"][i, k]), 1e-4)
            assert error_shown(row[4 + k], float(pse[i, k]))
        # Specialization and the part noise alone gives: (P - 1) / P^2 x sum of the profile errors^2
        spec = row[-2]
        assert shown(spec, float(rec["specialization"][i]), 1e-4)
        assert shown(spec.split("noise")[1], (P - 1) / P**2 * float((pse[i] ** 2).sum()), 1e-4)
        assert num(row[4 + len(profiles)]) == rec["timeouts"][i]
        assert (row[-1] != "no") == (a in kept_set)
    # per-profile top 10: ranked by that profile's mean turns
    for k, p in enumerate(profiles):
        _, prow = first_table(md, f"Profile: {p}")
        exp = order(rec["by_profile"][:, k], rec["attack"])[:10]
        assert all(shown(r[4], float(rec["by_profile"][i, k]), 1e-4) for r, i in zip(prow, exp))
        assert all(error_shown(r[4], float(pse[i, k])) for r, i in zip(prow, exp))


def test_cost_analysis_numbers(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage1")
    att = table(run, "stage1", "attacks")
    costs = enh_costs()
    md = read(out, "cost_analysis_report.md")
    x = rec["overall"].astype(float)
    # every figure with its error: the means of all attacks and of each tier ± sd / sqrt(n) (each attack
    # is its own build); the medians they replaced had no interval
    overall = bullet(md, "Overall mean turns")
    assert shown(overall, x.mean()) and error_shown(overall, x.std(ddof=1) / math.sqrt(len(x)))
    assert "median" not in md.split("## Methodology")[0].lower()
    ranked = order(rec["overall"], rec["attack"])
    for p in (1, 5, 10, 20, 50):
        size = math.ceil(len(x) * p / 100 - 1e-9)
        m = re.search(rf"Top {p}% \(([\d,]+) attacks\): ([^\n]+) turns", md)
        assert int(m.group(1).replace(",", "")) == size
        best = x[ranked[:size]]
        assert shown(m.group(2), best.mean())
        if size > 1:
            assert error_shown(m.group(2), best.std(ddof=1) / math.sqrt(size))
    top20 = ranked[: math.ceil(len(x) * 0.2 - 1e-9)]
    x_mean, t_mean = x.mean(), x[top20].mean()
    n_rows = 0
    for level in sorted(set(costs.values())):
        for title in ("Upgrades", "Limits"):
            try:
                _, rows = first_table(md, f"{level}-Point {title}")
            except AssertionError:
                continue
            for row in rows:
                n_rows += 1
                has = carriers(att, row[0])[rec["attack"]]
                assert costs[row[0]] == level
                mean = x[has].mean()
                se = x[has].std(ddof=1) / np.sqrt(has.sum())
                assert shown(row[1], mean) and shown(row[2], mean - x_mean)
                if has.sum() > 1 and se > 0:
                    assert shown(row[1].split("±")[1], se, 1e-4)
                    assert row[10] == ("tie" if abs(mean - x_mean) <= 1.96 * se else
                                       "better" if mean < x_mean else "worse")
                # per point actually paid: area types pay double (the attack type's cost factor)
                types = np.array(att["attack_type"])[rec["attack"]][has]
                paid = level * np.mean([cat.ATTACK_TYPES[t].cost_factor for t in types])
                assert shown(row[3], (mean - x_mean) / paid)
                in_top = has[top20]
                assert num(row[7]) == has.sum() and num(row[8]) == in_top.sum()
                if in_top.any():
                    assert shown(row[4], x[top20][in_top].mean())
                    assert shown(row[5], x[top20][in_top].mean() - t_mean)
    carried = {n for i in range(len(att["id"])) for n in (*att["upgrades"][i], *att["limits"][i])}
    assert n_rows == len(carried)
    _, rows = first_table(md, "Attacks by Total Cost")
    for row in rows:
        sel = rec["cost"] == num(row[0])
        assert num(row[1]) == sel.sum()
        assert num(row[3]) == pytest.approx(float(np.median(x[sel])), abs=0.006)
        if sel.sum() > 1:  # mean with mean: the cost's mean minus all attacks' mean, ± the cost's error
            se = x[sel].std(ddof=1) / math.sqrt(sel.sum())
            assert shown(row[5], x[sel].mean() - x.mean())
            assert shown(row[5].split("±")[1], se, 1e-4)
            assert row[6] == ("tie" if abs(x[sel].mean() - x.mean()) <= 1.96 * se else
                              "better" if x[sel].mean() < x.mean() else "worse")


def test_enhancement_saturation_numbers(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage1")
    att = table(run, "stage1", "attacks")
    md = read(out, "enhancement_saturation_report.md")
    top20 = order(rec["overall"], rec["attack"])[: math.ceil(len(rec["overall"]) * 0.2 - 1e-9)]
    assert f"= **{len(top20):,} attacks**" in md
    for title in ("Upgrade Saturation", "Limit Saturation"):
        _, rows = first_table(md, title)
        rates = []
        for row in rows:
            has = carriers(att, row[1])
            n = has[rec["attack"][top20]].sum()
            assert num(row[3]) == n
            # one record per attack: the Poisson error sqrt(n) / tier attacks, in points
            rate, all_rate = 100 * n / len(top20), 100 * has[rec["attack"]].mean()
            se = 100 * (math.sqrt(n) if n else 3 / 1.96) / len(top20)  # none: the interval reaches 3
            assert shown(row[4], rate) and shown(row[4].split("±")[1], se, 1e-4)
            assert num(row[5]) == pytest.approx(all_rate, abs=0.06)
            assert row[6] == ("no" if abs(rate - all_rate) <= 1.96 * se else
                              "above 1" if rate > all_rate else "below 1")
            rates.append((-round(100 * n / len(top20), 9), row[1]))
        assert rates == sorted(rates)
