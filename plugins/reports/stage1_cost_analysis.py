"""``stage1/cost_analysis_report.md`` (+ ``stage1_enhancement_efficiency.png``): upgrades and limits
grouped by point cost — average turns of the attacks carrying each over all attacks tested and in
the best 20 %, difference to the mean, efficiency per point — and attacks by total cost."""

from __future__ import annotations

import math

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports import plots
from balance_plugins.reports.common import (
    Z95,
    fdiff,
    fest,
    fint,
    fnum,
    fturns,
    out_path,
    population_block,
    significance,
    start_report,
    tier_tag,
)
from balance_plugins.reports.data import Attacks, paid_cost
from balance_plugins.reports.enh_tiers import enhancement_tiers
from balance_plugins.reports.stage1_enhancement_saturation import MAIN, STAGE1_TIERS
from balance_plugins.reports.stream import Derive, GroupHist, group_medians
from balance.aggregates import GroupSums


def by_cost(reader, n_groups: int) -> dict:
    """Attacks per total cost: count, mean ± SE, best, exact median, timeouts (two passes)."""
    sums = Derive(GroupSums("cost", n_groups, ("overall", "overall_sq", "timeouts")),
                  {"overall_sq": (("overall",), lambda b: np.asarray(b["overall"], np.float64) ** 2)})
    hist = GroupHist("overall", "cost", n_groups)
    res = reader.aggregate({"sums": sums, "hist": hist})
    (med,) = group_medians(reader, hist)
    g = res["sums"]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = g.sums["overall"] / g.counts
        se = np.sqrt(np.maximum(g.sums["overall_sq"] / g.counts - mean**2, 0) / np.maximum(g.counts - 1, 1))
    se[g.counts < 2] = np.nan  # one attack gives no spread to estimate
    return {"counts": g.counts, "mean": mean, "se": se, "best": g.mins["overall"], "median": med,
            "timeouts": g.sums["timeouts"]}


class Stage1CostAnalysis:
    name = "stage1_cost_analysis"
    stage = "stage1"
    cost = 2.3  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage1", ctx.session.rules)
        stats = enhancement_tiers(ctx, "stage1", attacks, STAGE1_TIERS, everyone=True)
        enh = attacks.enh
        everyone, tier = stats.all, stats.tiers.get(MAIN)
        t = tier_tag(MAIN)
        doc = start_report("Cost Analysis Report (stage 1)", ctx, "stage1", population_block(
            stats.count, stats.skipped, "attacks", [
                f"**Populations**: all {fint(stats.count)} attacks tested, and the best {t}% of them "
                f"({fint(tier.size if tier else 0)} attacks, ceil; ties broken by attack index)",
            ]))
        if not stats.count:
            doc.p("No attacks were tested.")
            return [doc.write(out_path(ctx, "stage1", "cost_analysis_report.md"))]
        doc.h(2, "Summary")
        doc.bullets([f"**Total attacks analysed**: {fint(stats.count)}",
                     f"**Overall mean turns**: {fturns(everyone.score_mean, everyone.score_se)} (± standard error; "
                     "the reference of *vs Mean*)",
                     f"**Timeouts, all attacks**: {fint(everyone.timeouts_total)} combats"])
        doc.p("**Tier means** (best X% of all attacks tested by screening score, ± standard error; the best of "
              "many screening scores are biased low: the luckiest dice rank first):")
        doc.bullets([f"Top {tier_tag(p)}% ({fint(stats.tiers[float(p)].size)} attacks): "
                     f"{fturns(stats.tiers[float(p)].score_mean, stats.tiers[float(p)].score_se)} turns"
                     for p in sorted(STAGE1_TIERS)])
        doc.h(2, "Methodology")
        doc.bullets([
            "All figures are stage-1 **screening** numbers (each single attack used every turn), printed to the "
            "precision their 95% interval allows",
            "**Avg Turns**: mean turns of all attacks carrying the enhancement ± standard error (each attack "
            "is one independent build)",
            "**vs Mean**: Avg Turns − the mean of all attacks (mean with mean; negative = faster than the "
            "average attack) ± the same standard error; **Sig.**: *better* / *worse* beyond 1.96 standard "
            "errors (95%), *tie* otherwise",
            "**Efficiency**: vs Mean / the points its carriers paid for it, on average (base cost × the "
            "attack type's cost factor: double on area types) (more negative = better value)",
            f"**Top{t}%** (± standard error), **Top{t}% vs Mean**, **Top{t}% Eff**: the same within the best {t}% of all "
            f"attacks, against that tier's mean",
            "The value of each upgrade and limit in points, paired on the same dice, is on findings.md",
            "**Count / Top Count**: attacks carrying it overall / in the tier; **Timeouts**: summed over carriers",
            "Within each cost, sorted by efficiency (ascending), then name",
        ])
        costs = enh.cost_array()
        factors = attacks.type_factors(ctx.session.rules)
        paid, t_paid = paid_cost(costs, everyone.type_counts, factors), paid_cost(costs, tier.type_counts, factors)
        vs, t_vs = everyone.mean - everyone.score_mean, tier.mean - tier.score_mean
        eff, t_eff = vs / paid, t_vs / t_paid
        se, t_se = everyone.se(), tier.se()
        for kind, title in (("upgrade", "Upgrades"), ("limit", "Limits")):
            doc.h(2, f"{title} by Cost")
            levels = sorted({c for c, k in zip(enh.costs, enh.kinds) if k == kind}, key=lambda c: (c is None, c or 0))
            for c in levels:
                idx = [i for i in range(len(enh.names)) if enh.kinds[i] == kind and enh.costs[i] == c
                       and everyone.counts[i]]
                if not idx:
                    continue
                idx.sort(key=lambda i: (math.isnan(eff[i]), 0 if math.isnan(eff[i]) else eff[i], enh.names[i]))
                doc.h(3, f"{c if c is not None else '?'}-Point {title}")
                doc.p(f"**Average efficiency at this cost** (screening): "
                      f"{fnum(float(np.nanmean([eff[i] for i in idx])), 3, True)}")
                doc.table(["Enhancement", "Avg Turns", "vs Mean", "Efficiency", f"Top{t}%", f"Top{t}% vs Mean",
                           f"Top{t}% Eff", "Count", f"Top{t}% Count", "Timeouts", "Sig."], [
                    [enh.names[i], fturns(everyone.mean[i], se[i]), fdiff(vs[i], se[i]),
                     fest(eff[i], Z95 * se[i] / paid[i], True, 3),
                     fturns(tier.mean[i], t_se[i]) if tier.counts[i] else "–",
                     fdiff(t_vs[i], t_se[i]) if tier.counts[i] else "–",
                     fest(t_eff[i], Z95 * t_se[i] / t_paid[i], True, 3) if tier.counts[i] else "–",
                     fint(everyone.counts[i]), fint(tier.counts[i]), fint(everyone.timeouts[i]),
                     significance(vs[i], se[i])] for i in idx])
        reader = ctx.reader("stage1")
        g = by_cost(reader, int(attacks.cost.max(initial=0)) + 1)
        doc.h(2, "Attacks by Total Cost")
        doc.p("**Mean** ± standard error (each attack one build) carries the comparison: **vs Mean** is the "
              "cost's mean − the mean of all attacks ± the same error, **Sig.** as above. **Best** and **Median** "
              "describe the attacks tested (screening scores; the best of many is luckier than its build).")
        doc.table(["Cost", "Attacks", "Best", "Median", "Mean", "vs Mean", "Sig.", "Timeouts"], [
            [f"{c}p", fint(g["counts"][c]), fnum(g["best"][c]), fnum(g["median"][c]), fturns(g["mean"][c], g["se"][c]),
             fdiff(g["mean"][c] - everyone.score_mean, g["se"][c]),
             significance(g["mean"][c] - everyone.score_mean, g["se"][c]), fint(round(g["timeouts"][c]))]
            for c in range(len(g["counts"])) if g["counts"][c]])
        seen = [i for i in range(len(enh.names)) if everyone.counts[i] and not math.isnan(eff[i])]
        seen.sort(key=lambda i: (eff[i], enh.names[i]))
        png = out_path(ctx, "stage1", "stage1_enhancement_efficiency.png")
        plots.efficiency_bars(png, [enh.names[i] for i in seen], [eff[i] for i in seen],
                              f"Enhancement efficiency, all {fint(stats.count)} attacks")
        doc.h(2, "Efficiency chart")
        doc.image(png, "Enhancement efficiency over all attacks")
        return [doc.write(out_path(ctx, "stage1", "cost_analysis_report.md")), png]


@hookimpl
def balance_reporters():
    return [Stage1CostAnalysis()]
