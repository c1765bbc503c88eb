"""``pair_cost_analysis.md`` (+ ``pair_turns_by_cost.png``): all pairs tested grouped by total
cost — pairs, best, exact median, mean ± SE, difference to the mean of all pairs ± SE, efficiency,
timeouts, the top 3 and a detailed top 10 per cost, and the best value per cost. Two passes."""

from __future__ import annotations

import math

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports import plots, shared_pass
from balance_plugins.reports.common import (
    fdiff,
    fint,
    fnum,
    fpct,
    fturns,
    out_path,
    population_block,
    significance,
    start_report,
)
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.stream import Derive, GroupHist, GroupTop
from balance.aggregates import Count, GroupSums

TOP_DETAIL = 10
TOP_SUMMARY = 3
COLUMNS = ("a", "b", "overall", "se", "synergy", "timeouts")


def _by_attack(slot: str, n_groups: int, n_attacks: int):
    """Per (total cost, attack in ``slot``) sums of overall: the clusters of a cost's mean."""
    key = f"cluster_{slot}"
    return Derive(GroupSums(key, n_groups * n_attacks, ("overall",)),
                  {key: (("cost", slot), lambda b: np.asarray(b["cost"], np.int64) * n_attacks
                         + np.asarray(b[slot], np.int64))})


def cost_aggregators(n_groups: int, n_attacks: int = 0) -> dict:
    """Pass 1: per-cost sums, histograms (``hist``, for the exact medians per cost in pass 2), top
    10s and, with ``n_attacks``, the per-attack sums."""
    sums = Derive(GroupSums("cost", n_groups, ("overall", "overall_sq", "timeouts")),
                  {"overall_sq": (("overall",), lambda b: np.asarray(b["overall"], np.float64) ** 2)})
    aggs = {"count": Count(), "sums": sums, "hist": GroupHist("overall", "cost", n_groups),
            "top": GroupTop("cost", n_groups, TOP_DETAIL, "overall", COLUMNS)}
    if n_attacks:
        aggs |= {"by_a": _by_attack("a", n_groups, n_attacks), "by_b": _by_attack("b", n_groups, n_attacks)}
    return aggs


def _cost_groups(attacks) -> int:
    return 2 * int(attacks.cost.max(initial=0)) + 1


def _aggregators(ctx, reader) -> tuple[dict, list[str]]:
    attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
    return cost_aggregators(_cost_groups(attacks), len(attacks)), ["hist"]


def attack_totals(res: dict, n_groups: int, n_attacks: int) -> tuple[np.ndarray, np.ndarray]:
    """Per (total cost, attack): the overall turns summed over the pairs naming the attack, and how
    many they are ((n_groups, n_attacks) each; a pair counts in both its attacks)."""
    tot = (res["by_a"].sums["overall"] + res["by_b"].sums["overall"]).reshape(n_groups, n_attacks)
    n = (res["by_a"].counts + res["by_b"].counts).reshape(n_groups, n_attacks)
    return tot, n


def clustered_se(tot: np.ndarray, n: np.ndarray, mean: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Standard error of each cost's mean turns clustered by attack (CR1), from
    :func:`attack_totals`: the pairs at a cost that share an attack are not independent. Each pair
    is in the clusters of both its attacks, which overstates the error a little rather than
    understating it."""
    return _cr1(tot, n, mean, counts)


def overall_se(tot: np.ndarray, n: np.ndarray, mean: float, count: int) -> float:
    """Standard error of the mean of all pairs, clustered by attack as :func:`clustered_se`."""
    return float(_cr1(tot.sum(axis=0, keepdims=True), n.sum(axis=0, keepdims=True), np.array([mean]),
                      np.array([count]))[0])


def _cr1(tot: np.ndarray, n: np.ndarray, mean: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per row (a cost, or all pairs): CR1 from the attacks' totals and pair counts of that row."""
    g = (n > 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = ((tot - n * mean[:, None]) ** 2).sum(axis=1)
        se = np.sqrt(ss * g / (g - 1)) / counts
    return np.where(g > 1, se, np.nan)


def clustered_diff_se(tot: np.ndarray, n: np.ndarray, mean: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Standard error of each cost's mean minus the mean of all pairs, clustered by attack (CR1).

    The difference is a mean over pairs of x_j (1[cost_j = c] / n_c - 1 / N); linearised, pair j
    adds (x_j - mean_c) / n_c for its own cost and -(x_j - mean_all) / N, and an attack's cluster
    total sums that over the pairs naming it, at every cost (an attack's pairs at several costs
    share it). As in :func:`clustered_se`, a pair is in both its attacks' clusters (conservative).
    The overall mean contains the cost's own pairs, so the error is below the cost mean's own
    whenever that cost holds a large share of the pairs."""
    N = counts.sum()
    all_mean = (mean[counts > 0] * counts[counts > 0]).sum() / N if N else np.nan
    # -(x_j - mean_all) / N summed over each attack's pairs at every cost
    rest = -(tot.sum(axis=0) - n.sum(axis=0) * all_mean) / N
    g = (n.sum(axis=0) > 0).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        own = (tot - n * mean[:, None]) / counts[:, None]
        ss = ((np.nan_to_num(own) + rest[None, :]) ** 2).sum(axis=1)
        se = np.sqrt(ss * g / (g - 1))
    return np.where((counts > 0) & (g > 1), se, np.nan)


class PairCostAnalysis:
    name = "pair_cost_analysis"
    stage = "stage2"
    cost = 1.9  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        n_groups = _cost_groups(attacks)
        res, (median,), skipped = shared_pass.results(ctx, self.name)
        res = {**res, "median": median}
        count, g = res["count"], res["sums"]
        counts = g.counts
        costs = [c for c in range(n_groups) if counts[c]]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = g.sums["overall"] / counts
        tot, n = attack_totals(res, n_groups, len(attacks))
        se = clustered_se(tot, n, mean, counts)
        diff_se = clustered_diff_se(tot, n, mean, counts)
        all_mean = float(g.sums["overall"].sum() / count) if count else math.nan
        all_se = overall_se(tot, n, all_mean, count)
        doc = start_report("Pair Cost Analysis", ctx, "stage2", population_block(count, skipped, "pairs", [
            f"**Pairs analysed**: all {fint(count)} pairs tested, by screening score (overall turns)",
            "**Ties** in the top lists are broken by attack 1 then attack 2 index",
        ]))
        doc.h(2, "Summary")
        doc.bullets([
            f"**Cost tiers found**: {len(costs)}",
            f"**Overall mean turns** (all pairs): {fturns(all_mean, all_se)} (± standard error clustered by "
            "attack; the reference of *vs Mean*)",
            f"**Cheapest total cost**: {costs[0]}p" if costs else "**Cheapest total cost**: –",
            f"**Most expensive total cost**: {costs[-1]}p" if costs else "**Most expensive total cost**: –",
        ])
        doc.h(2, "Methodology")
        doc.bullets([
            "**Total cost**: points of attack 1 + attack 2",
            "**Best / Median**: the best pair's screening turns (± its standard error) and the exact median of "
            "the pairs at that cost",
            "**Mean**: mean turns ± standard error clustered by attack (pairs sharing an attack are not "
            "independent, so the error counts attacks, not pairs)",
            "All turns are **screening** numbers (few runs per cell), printed to the precision their 95% "
            "interval allows; a single pair's ± is its own standard error over runs within cells",
            "**vs Mean**: Mean − the mean of all pairs (mean with mean; negative = better) ± its standard error, "
            "clustered by attack (a cost's pairs are part of all pairs, and pairs at different costs share "
            "attacks: both enter the error); **Sig.**: *better* / *worse* where vs Mean is beyond 1.96 standard "
            "errors of 0 (95%), *tie* otherwise",
            "**Efficiency**: vs Mean / total cost ± the same error / total cost (negative = better value)",
            "**Timeouts**: combats that hit the turn limit, summed over the pairs at that cost",
        ])
        tops = res["top"]

        def label(top, i):
            return f"{attacks.short(top['a'][i])} + {attacks.short(top['b'][i])}"

        rows = []
        for c in costs:
            top = tops[c]
            vs = mean[c] - all_mean
            rows.append([f"{c}p", fint(counts[c]), fturns(top["overall"][0], top["se"][0]), fnum(res["median"][c]),
                         fturns(mean[c], se[c]), fdiff(vs, diff_se[c]),
                         fdiff(vs / c, diff_se[c] / c) if c else "–", significance(vs, diff_se[c]),
                         fint(round(g.sums["timeouts"][c])),
                         "<br>".join(f"{i + 1}. {label(top, i)}" for i in range(min(TOP_SUMMARY, len(top["a"]))))])
        doc.h(2, "Cost Tier Summary")
        doc.p("Sorted by total cost (ascending).")
        doc.table(["Cost", "Pairs", "Best", "Median", "Mean", "vs Mean", "Efficiency", "Sig.", "Timeouts", "Top 3"],
                  rows)

        png = out_path(ctx, "stage2", "pair_turns_by_cost.png")
        plots.turns_by_cost(png, costs, [g.mins["overall"][c] for c in costs], [res["median"][c] for c in costs],
                            [mean[c] for c in costs], [0 if np.isnan(se[c]) else se[c] for c in costs],
                            f"Turns vs total cost ({fint(count)} pairs)")
        doc.image(png, "Turns vs total pair cost")

        doc.h(2, "Best Value per Cost")
        doc.p("The best pair at each total cost against the best pair of every cheaper cost (screening "
              "numbers), ± the standard error of the difference (the two pairs' errors combined as if "
              "independent: screening plays them on the same dice but keeps no per-combat turns, so this "
              "overstates the error). **On frontier**: *yes* where the pair is faster beyond 1.96 standard "
              "errors (paying more helps), *tied* within them, *no* where it is slower beyond them. The best of many "
              "screening pairs is biased low (the luckiest dice win), so read *yes* as a lead to confirm.")
        frontier, best_so_far, best_se = [], math.inf, math.nan
        for c in costs:
            top = tops[c]
            best, se_best = float(top["overall"][0]), float(top["se"][0])
            if math.isfinite(best_so_far):
                diff, err = best - best_so_far, math.hypot(se_best, best_se)
                verdict = {"better": "yes", "tie": "tied", "worse": "no"}.get(significance(diff, err), "–")
                frontier.append([f"{c}p", label(top, 0), fturns(best, se_best), fdiff(diff, err), verdict])
            else:
                frontier.append([f"{c}p", label(top, 0), fturns(best, se_best), "–", "yes (cheapest)"])
            if best < best_so_far:
                best_so_far, best_se = best, se_best
        doc.table(["Cost", "Best pair", "Turns", "vs best cheaper", "On frontier"], frontier)

        doc.h(2, "Detailed Breakdown by Cost Tier")
        for c in costs:
            top = tops[c]
            doc.h(3, f"{c} Points")
            doc.bullets([f"**Pairs at this cost**: {fint(counts[c])}",
                         f"**Median performance**: {fnum(res['median'][c])} turns"])
            doc.p(f"**Top {min(TOP_DETAIL, len(top['a']))} pairs at this cost:**")
            doc.table(["Rank", "Attack 1", "Attack 2", "Turns", "Synergy", "Timeouts"], [
                [i + 1, attacks.short(top["a"][i]), attacks.short(top["b"][i]), fturns(top["overall"][i], top["se"][i]),
                 fpct(top["synergy"][i], 1, True), fint(top["timeouts"][i])] for i in range(len(top["a"]))])
        return [doc.write(out_path(ctx, "stage2", "pair_cost_analysis.md")), png]


shared_pass.PARTS[PairCostAnalysis.name] = ("stage2", _aggregators)


@hookimpl
def balance_reporters():
    return [PairCostAnalysis()]
