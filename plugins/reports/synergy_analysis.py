"""``synergy_analysis.md`` (+ ``synergy_distribution.png``): synergy over all pairs tested in bands,
anti-synergy (pairs slower than their better solo) re-checked with more runs to tell the real from
noise (``anti_synergy.py``), the 50 most positive and 50 most negative pairs, and for each the
reasons the data shows (usage split by scenario, gain over the better solo, the solos themselves,
attack types, timeouts)."""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports import plots, shared_pass
from balance_plugins.reports.common import (
    Z95,
    fint,
    fpct,
    fturns,
    out_path,
    population_block,
    share,
    start_report,
    timeouts_line,
)
from balance_plugins.reports.anti_synergy import BOTH_USED, candidates, recheck
from balance_plugins.reports.data import Attacks, Solos, column_labels
from balance_plugins.reports.policy_check import Z, screening_aggregator, share_text
from balance_plugins.reports.stream import GroupHist, Moments, TopBy, column_key
from balance.aggregates import Count, Histogram, Sums

TOP = 50
#: Band edges (percent); a band is [lower, upper): 30 belongs to "≥ 30", -5 to "-5 to < 5".
EDGES = (-np.inf, -30.0, -15.0, -5.0, 5.0, 15.0, 30.0, np.inf)
BANDS = ("Strong negative (< −30%)", "Moderate negative (−30% to < −15%)", "Slight negative (−15% to < −5%)",
         "Neutral (−5% to < 5%)", "Slight positive (5% to < 15%)", "Moderate positive (15% to < 30%)",
         "Strong positive (≥ 30%)")
#: Histogram for the chart: 2-point bins from -100 to 100 (values outside are counted apart).
PLOT_EDGES = np.arange(-100.0, 102.0, 2.0)
#: An attack "carries" a context when it takes at least this share of the turns there.
DOMINANT = 0.7


def gain_line(rec: dict, i: int, solos: Solos | None) -> str:
    """Whether the pair beats its better attack alone: said only beyond 1.96 standard errors of
    pair - better solo (those of independent means: screening plays them on the same dice but keeps
    no per-combat turns, so the error is overstated and a verdict conservative)."""
    g = float(rec["gain_vs_best"][i])
    if solos is None:
        return f"**Gain over its better attack alone**: {fpct(g, 1, True)} (this run has no solo errors: not tested)"
    a, b = int(rec["a"][i]), int(rec["b"][i])
    j = a if solos.overall[a] <= solos.overall[b] else b
    excess = float(rec["overall"][i]) - float(solos.overall[j])
    err = float(np.hypot(float(rec["se"][i]), float(solos.se[j])))
    if excess < -Z95 * err:
        return f"**Beats its better half alone** by {fpct(g, 1)}"
    if excess > Z95 * err:
        return f"**Worse than its better attack alone** by {fpct(-g, 1)}"
    return (f"**Not distinguishable from its better attack alone**: gain {fpct(g, 1, True)}, within 1.96 "
            "combined standard errors (screening)")


def reasons(rec: dict, i: int, attacks: Attacks, solos: Solos | None, scenarios: list[str]) -> list[str]:
    """What the pair's own numbers say about its synergy (no names or rules are interpreted)."""
    a, b = int(rec["a"][i]), int(rec["b"][i])
    out = []
    ua = np.asarray(rec["usage_a_scenario"][i], dtype=float)
    ub = np.asarray(rec["usage_b_scenario"][i], dtype=float)
    carried_a = [s for s, u in zip(scenarios, ua) if u >= DOMINANT]
    carried_b = [s for s, u in zip(scenarios, ub) if u >= DOMINANT]
    if carried_a and carried_b:
        out.append(f"**Division of labour**: attack 1 takes most turns in {', '.join(carried_a)}, attack 2 in "
                   f"{', '.join(carried_b)} (the policy switches by scenario)")
    share_a = float(np.mean(ua)) if len(ua) else float("nan")
    share_b = float(np.mean(ub)) if len(ub) else float("nan")
    if share_a >= 0.9 or share_b >= 0.9:
        who, top = ("attack 1", share_a) if share_a >= share_b else ("attack 2", share_b)
        out.append(f"**One attack does the work**: {who} takes {fpct(100 * top, 0)} of the turns "
                   "on average over the scenarios")
    elif not (carried_a and carried_b):
        out.append(f"**Usage**: attack 1 takes {fpct(100 * share_a, 0)}, attack 2 {fpct(100 * share_b, 0)} of the "
                   "turns on average over the scenarios (no scenario-wise split)")
    stuck = 1.0 - share_a - share_b
    if stuck >= 0.2:
        out.append(f"**Often without a usable attack**: on {fpct(100 * stuck, 0)} of the turns neither attack was "
                   "usable (limits, charges) and the fallback action was taken")
    out.append(gain_line(rec, i, solos))
    if solos is not None:
        out.append(f"**Solos** (same engine and cells): attack 1 {fturns(solos.overall[a], solos.se[a])}, attack 2 "
                   f"{fturns(solos.overall[b], solos.se[b])}; pair {fturns(rec['overall'][i], rec['se'][i])}")
    ta, tb = attacks.types[a], attacks.types[b]
    out.append(f"**Attack types**: {'different' if ta != tb else 'the same'} ({ta} + {tb})")
    if int(rec["timeouts"][i]):
        out.append(f"**Timeouts**: {fint(rec['timeouts'][i])} combats hit the turn limit")
    return out


def _aggregators(ctx, reader) -> tuple[dict, list[str]]:
    """One pass (:mod:`.shared_pass`): bands, histograms, moments, the top lists, the policy
    check; and the exact median of synergy from ``hist``."""
    cols = ("a", "b", "overall", "se", "synergy", "gain_vs_best", "timeouts", "cost",
            "usage_a_scenario", "usage_b_scenario")
    aggregators = {
        "count": Count(), "bands": Histogram("synergy", EDGES), "plot": Histogram("synergy", PLOT_EDGES),
        "moments": Moments("synergy"), "hist": GroupHist("synergy"), "timeouts": Sums(("timeouts",)),
        "pos": TopBy(TOP, column_key("synergy", descending=True), ("synergy",), cols),
        "neg": TopBy(TOP, column_key("synergy"), ("synergy",), cols),
        "worst_gain": TopBy(TOP, column_key("gain_vs_best"), ("gain_vs_best",), cols),
    }
    if ctx.run.has_table("stage2", "solos"):
        aggregators["slower"] = screening_aggregator(ctx.run)
    return aggregators, ["hist"]


class SynergyAnalysis:
    name = "synergy_analysis"
    stage = "stage2"
    cost = 3.2  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        reader = ctx.reader("stage2")
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        solos = Solos.load(ctx.run)
        scenarios = column_labels(reader, "usage_a_scenario")
        res, (median,), skipped = shared_pass.results(ctx, self.name)
        count, m, bands = res["count"], res["moments"], res["bands"]
        doc = start_report("Synergy Deep Dive", ctx, "stage2", population_block(count, skipped, "pairs", [
            f"**Pairs analysed**: all {fint(count)} pairs tested (screening results)"
            + (f"; {fint(m['nan'])} have no synergy value (NaN) and are left out of the bands" if m["nan"] else ""),
        ]))
        doc.h(2, "Summary")
        strong_pos = int(bands.counts[5] + bands.counts[6])
        strong_neg = int(bands.counts[0] + bands.counts[1])
        doc.bullets([
            f"**Pairs with synergy ≥ 15%**: {fint(strong_pos)} ({fpct(share(strong_pos, count))})",
            f"**Pairs with synergy < −15%**: {fint(strong_neg)} ({fpct(share(strong_neg, count))})",
            f"**Synergy median**: {fpct(median[0], 1, True)} (exact)",
            f"**Synergy mean**: {fpct(m['mean'], 1, True)} (screening; a description of all pairs tested, not "
            "an estimate with an error: pairs share attacks, so sd / √pairs would overstate its precision)",
            f"**Synergy standard deviation**: {fpct(m['sd'])}",
            timeouts_line(ctx, "stage2", res["timeouts"].sums["timeouts"], count, "all pairs"),
        ])
        doc.h(2, "Methodology")
        doc.p("```", "synergy = (mean(solo1, solo2) − pair) / mean(solo1, solo2) × 100",
              "gain_vs_best = (min(solo1, solo2) − pair) / min(solo1, solo2) × 100", "```",
              "`solo1`, `solo2` are the two attacks alone, measured under the same engine, cells, max turns and "
              "dice as the pair (not stage-1 numbers). Positive = the pair beats the average of its attacks.")
        if solos is not None:
            self.anti_synergy(ctx, doc, attacks, solos, res)
        doc.h(2, "Synergy Distribution")
        doc.table(["Synergy band", "Pairs", "% of pairs"],
                  [[name, fint(n), fpct(share(n, count))] for name, n in zip(BANDS[::-1], bands.counts[::-1])])
        png = out_path(ctx, "stage2", "synergy_distribution.png")
        plot = res["plot"]
        plots.histogram(png, PLOT_EDGES, plot.counts, f"Synergy of {fint(count)} pairs "
                        f"({fint(plot.below)} below −100%, {fint(plot.above)} above 100% not drawn)",
                        "synergy (%)", marks=[e for e in EDGES if np.isfinite(e)])
        doc.image(png, "Synergy distribution")
        for key, title, positive in (("pos", f"Top {TOP} Positive Synergy Pairs (complementary)", True),
                                     ("neg", f"Top {TOP} Negative Synergy Pairs (anti-synergy)", False)):
            top = res[key]
            doc.h(2, title)
            doc.p("Sorted by synergy (" + ("descending" if positive else "ascending") + "), ties by attack indices.")
            for i in range(len(top["a"])):
                a, b = int(top["a"][i]), int(top["b"][i])
                doc.h(3, f"Rank {i + 1}: {fpct(top['synergy'][i], 1, True)} synergy")
                doc.bullets([
                    f"**Performance**: {fturns(top['overall'][i], top['se'][i])} turns; total cost {int(top['cost'][i])}p",
                    f"**Attack 1**: {attacks.parts(a)}",
                    f"**Attack 2**: {attacks.parts(b)}",
                ])
                doc.p("**What the data shows:**")
                doc.bullets(reasons(top, i, attacks, solos, scenarios))
        return [doc.write(out_path(ctx, "stage2", "synergy_analysis.md")), png]

    @staticmethod
    def anti_synergy(ctx, doc, attacks, solos, res) -> None:
        """Pairs slower than their better solo: screening counts, then the worst re-simulated."""
        c = ctx.config
        slower, top = res["slower"], res["worst_gain"]
        rows = candidates(top, solos.overall, solos.se)
        checked = recheck(ctx, attacks, top, rows, solos.overall)
        real = [r for r in checked if r.real]
        doc.h(2, "Anti-synergy: pairs slower than their better attack alone")
        doc.p(f"Owning a second attack never forces a player to use it, so a pair slower than its better solo is "
              f"either the policy ({c.stage2.policy}) misplaying or noise. In screening, {fint(slower.worse)} of "
              f"{fint(slower.count)} pairs ({share_text(slower)}) are slower than their better solo by more than "
              f"{Z:g} combined standard errors (those of independent means: screening keeps no per-combat turns, "
              f"so this picks conservatively). The {len(rows)} such pairs among the {len(top['a'])} with the most "
              f"negative gain over the better solo were re-simulated with {c.stage2.confirm_runs} runs per cell on "
              f"fresh dice (pair and solos on the same dice): **real anti-synergy** = still slower beyond {Z:g} "
              f"standard errors of the per-combat differences with each attack taking at least "
              f"{fpct(100 * BOTH_USED, 0)} of the turns.")
        doc.bullets([
            f"**Real anti-synergy (re-checked)**: {len(real)}",
            f"**Noise (not slower on re-check)**: {sum(not r.slower for r in checked)}",
            f"**Slower on re-check with one attack (almost) unused**: {sum(r.slower and not r.both_used for r in checked)}",
        ])
        if checked:
            doc.table(
                ["Attack 1", "Attack 2", "Screening: slower by", "Re-check: pair", "Re-check: better solo",
                 "Use 1 / 2", "Verdict"],
                [[attacks.short(r.a), attacks.short(r.b), f"{r.screening_excess:.2f}",
                  fturns(r.pair, r.pair_se), fturns(r.best_solo, r.best_solo_se),
                  f"{fpct(100 * r.share_a, 0)} / {fpct(100 * r.share_b, 0)}",
                  "real" if r.real else ("one attack" if r.slower else "noise")] for r in checked])


shared_pass.PARTS[SynergyAnalysis.name] = ("stage2", _aggregators)


@hookimpl
def balance_reporters():
    return [SynergyAnalysis()]
