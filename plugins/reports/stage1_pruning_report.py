"""``stage1_pruning_report.md``: what stage 1 tested and kept, the pruning cutoffs, the top 50
attacks overall with one column per configured profile, and the top attacks per profile and per
buff. One streaming pass over the stage-1 records plus the ``kept`` table."""

from __future__ import annotations

import math

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import (
    distribution_cells,
    fint,
    fnum,
    fpct,
    fturns,
    out_path,
    population_block,
    share,
    start_report,
)
from balance_plugins.reports.data import Attacks, column_labels
from balance_plugins.reports.stream import Moments, TopBy, column_key
from balance.aggregates import Count, Sums

TOP = 50
TOP_CONTEXT = 10
TIE = ("attack",)
COLUMNS = ("attack", "cost", "overall", "se", "timeouts", "by_profile", "by_buff", "specialization")


def kept_reasons(kept: dict) -> dict[int, str]:
    """attack -> "overall, specialist" (why the pruning kept it)."""
    reasons = kept.get("reasons") or {}
    out = {}
    for i, a in enumerate(kept.get("attack", [])):
        out[int(a)] = ", ".join(r for r, flags in sorted(reasons.items()) if flags[i]) or "kept"
    return out


#: How the per-profile (per-buff) errors were made, for the legends: exact (the run keeps its dice
#: groups' sums) or not (an older run).
ERROR_TEXT = {
    True: "the mean of its cells' means, each cell's error from that cell's own spread of turns (from the "
          "turns summed per dice group of runs)",
    False: "estimated as the overall error × √(number of profiles or buffs): this run predates the per-group "
           "turn sums, so every cell's spread is taken as equal; a profile whose combats vary more than the "
           "others' has a larger error than shown",
}

#: The dice groups' turn sums (per cell) and runs: what the exact per-profile errors are made of.
GROUP_COLUMNS = ("group_turns", "group_runs")


def columns(reader) -> tuple[str, ...]:
    """The columns the top lists keep: COLUMNS, and the dice groups' sums where the run has them."""
    return COLUMNS + (GROUP_COLUMNS if "group_turns" in reader.schema.names else ())


def grid_shape(reader) -> tuple[int, int, int]:
    """(profiles, buffs, scenarios): cells are profile-major."""
    return tuple(len(column_labels(reader, c)) for c in ("by_profile", "by_buff", "by_scenario"))


def cell_variances(group_turns, group_runs) -> np.ndarray:
    """Per cell, the variance of one combat's turns, from the dice groups' sums: the groups are
    disjoint sets of runs, so sum_g r_g (mean_g - mean)^2 / (G - 1) is unbiased for it (one-way
    analysis of variance between groups; with one run a group, the runs' own sample variance).
    NaN with fewer than two groups."""
    gt = np.asarray(group_turns, dtype=np.float64)  # (groups, cells)
    r = np.asarray(group_runs, dtype=np.float64)
    gt, r = gt[r > 0], r[r > 0]
    if len(r) < 2:
        return np.full(gt.shape[1], np.nan)
    mean = gt.sum(axis=0) / r.sum()
    return (r[:, None] * (gt / r[:, None] - mean) ** 2).sum(axis=0) / (len(r) - 1)


def part_se(t: dict, i: int, col: str, k: int, shape: tuple[int, int, int]) -> float:
    """Standard error of row ``i``'s mean turns against profile (``col`` = by_profile) or buff
    (by_buff) ``k``: the mean of its cells' means, each cell's error from its own spread (runs
    within cells, :func:`cell_variances`). A run without the dice groups' sums (older) has only the
    overall error: × √groups, every cell's spread taken as equal."""
    groups = shape[0] if col == "by_profile" else shape[1]
    if "group_turns" not in t:
        return float(t["se"][i]) * math.sqrt(groups)
    var = cell_variances(t["group_turns"][i], t["group_runs"][i]).reshape(shape)
    cells = var[k] if col == "by_profile" else var[:, k, :]
    return float(math.sqrt(cells.sum() / float(np.sum(t["group_runs"][i]))) / cells.size)


def part(t: dict, i: int, col: str, k: int, shape: tuple[int, int, int]) -> str:
    """Row ``i``'s mean turns against profile (buff) ``k`` ± its standard error (:func:`part_se`)."""
    return fturns(t[col][i][k], part_se(t, i, col, k, shape))


def noise_spread(t: dict, i: int, shape: tuple[int, int, int]) -> float:
    """The part of row ``i``'s Specialization (the population variance of its P per-profile means)
    that noise alone gives: with independent errors se_k (different cells, different runs), the
    expected variance of the noisy means is the true one + (P - 1) / P^2 × sum se_k^2."""
    p = shape[0]
    return (p - 1) / p**2 * sum(part_se(t, i, "by_profile", k, shape) ** 2 for k in range(p))


def specialization(t: dict, i: int, shape: tuple[int, int, int]) -> str:
    """``0.52 (noise 0.03)``: the screening spread and the part of it noise alone explains."""
    return f"{fnum(t['specialization'][i])} (noise {fnum(noise_spread(t, i, shape))})"


#: What Specialization is, for the reports' legends.
SPECIALIZATION = ("Specialization = variance of the per-profile means (a screening spread, no interval: a "
                  "variance of a few noisy means is not normal), then in brackets the part of it noise alone "
                  "gives ((P − 1)/P² × the sum of the per-profile errors squared): a spread not well above it "
                  "is not evidence of a specialist")


class Stage1PruningReport:
    name = "stage1_pruning_report"
    stage = "stage1"
    cost = 0.2  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        reader = ctx.reader("stage1")
        attacks = Attacks.load(ctx.run, "stage1", ctx.session.rules)
        profiles = column_labels(reader, "by_profile")
        buffs = column_labels(reader, "by_buff")
        cols, dims = columns(reader), grid_shape(reader)
        exact = "group_turns" in cols
        aggs = {"count": Count(), "timeouts": Sums(("timeouts",)), "overall": Moments("overall"),
                "top": TopBy(TOP, column_key("overall"), ("overall",), cols, TIE)}
        for k in range(len(profiles)):
            aggs[f"p{k}"] = TopBy(TOP_CONTEXT, column_key("by_profile", index=k), ("by_profile",), cols, TIE)
        for k in range(len(buffs)):
            aggs[f"b{k}"] = TopBy(TOP_CONTEXT, column_key("by_buff", index=k), ("by_buff",), cols, TIE)
        res = reader.aggregate(aggs)
        count = res["count"]
        kept = ctx.run.read_table("stage1", "kept") if ctx.run.has_table("stage1", "kept") else {}
        why = kept_reasons(kept)
        n_kept = len(kept.get("attack", []))
        c = ctx.config
        doc = start_report("Stage 1: Attack Pruning Results", ctx, "stage1", population_block(
            count, reader.skipped, "attacks", [
                f"**Attacks kept for stage 2**: {fint(n_kept)} ({fpct(share(n_kept, count))} of those tested)",
                "**Top lists**: all attacks tested, by mean turns (lower is better); ties broken by attack index "
                "(the rule system's enumeration order)",
            ]))
        doc.h(2, "Summary")
        m = res["overall"]
        doc.bullets([
            f"**Total attacks tested**: {fint(count)}",
            f"**Attacks kept**: {fint(n_kept)} ({fpct(share(n_kept, count))})",
            f"**Pruning strategy**: {kept.get('strategy', c.stage1.prune.strategy)}",
            f"**Test configuration**: {len(profiles)} profiles × {len(buffs)} buffs × "
            f"{len(column_labels(reader, 'by_scenario'))} scenarios, {c.stage1.runs} runs per cell",
            f"**Turns, all attacks**: mean {fnum(m['mean'])} (sd {fnum(m['sd'])}), best {fnum(m['min'])}, worst {fnum(m['max'])}",
            f"**Timeouts, all attacks**: {fint(round(float(res['timeouts'].sums['timeouts'])))} combats",
        ])
        reasons = kept.get("reasons") or {}
        if reasons:
            doc.p("**Kept by reason** (an attack may have several):")
            doc.table(["Reason", "Attacks"], [[r, fint(sum(bool(x) for x in flags))] for r, flags in sorted(reasons.items())])
        self._cutoffs(doc, kept.get("cutoffs") or {}, reader, attacks, kept)

        dist = ctx.run.read_table("stage1", "distributions") if ctx.run.has_table("stage1", "distributions") else {}
        dist_row = {int(a): j for j, a in enumerate(dist.get("attack", []))}
        combats = len(ctx.grid.cells) * (c.stage1.rounds[0].runs if c.stage1.rounds and c.stage1.rounds[0].runs > 0
                                         else c.stage1.runs)

        def row(rank, top, i, extra, shape=False):
            a = int(top["attack"][i])
            spread = ([*distribution_cells(dist, dist_row[a], combats)] if a in dist_row else ["–"] * 3) if shape else []
            return [rank, attacks.short(a), f"{int(top['cost'][i])}p", fturns(top["overall"][i], top["se"][i]),
                    *extra, fint(top["timeouts"][i]), *spread, specialization(top, i, dims), why.get(a, "no")]

        top = res["top"]
        doc.h(2, f"Top {TOP} Attacks Overall")
        doc.p("Screening turns ± standard error (runs within cells); one column per configured profile (mean turns "
              f"against it ± its standard error: {ERROR_TEXT[exact]}); Turns p10/p50/p90, One-turn kills, "
              "Timeout share: the 10th, 50th and 90th percentile of "
              "a combat's turns over all cells, the share of combats won on turn 1 and that reached the turn limit, "
              f"from the same combats (counted by turn); {SPECIALIZATION}; "
              "Kept = why the pruning kept it.")
        doc.table(["Rank", "Attack", "Cost", "Avg Turns", *(f"vs {p}" for p in profiles), "Timeouts",
                   "Turns p10/p50/p90", "One-turn kills", "Timeout share", "Specialization", "Kept"],
                  [row(i + 1, top, i, [part(top, i, "by_profile", k, dims) for k in range(len(profiles))],
                       True)
                   for i in range(len(top["attack"]))])
        for kind, names, col in (("Profile", profiles, "by_profile"), ("Buff", buffs, "by_buff")):
            doc.h(2, f"Top {TOP_CONTEXT} Attacks per {kind}")
            doc.p(f"Turns vs the {kind.lower()}: its mean ± standard error, as above.")
            for k, name in enumerate(names):
                t = res[f"{kind[0].lower()}{k}"]
                doc.h(3, f"{kind}: {name}")
                doc.table(["Rank", "Attack", "Cost", "Avg Turns (all cells)", f"Turns vs {name}", "Timeouts",
                           "Specialization", "Kept"],
                          [row(i + 1, t, i, [part(t, i, col, k, dims)]) for i in range(len(t["attack"]))])
        return [doc.write(out_path(ctx, "stage1", "stage1_pruning_report.md"))]

    @staticmethod
    def _cutoffs(doc, cutoffs: dict, reader, attacks, kept: dict) -> None:
        if "overall" in cutoffs:
            o = cutoffs["overall"]
            doc.h(3, "Overall cutoff")
            doc.bullets([f"{fint(o.get('kept', 0))} kept; worst kept: {fnum(o.get('worst_kept_score'))} turns"])
        if cutoffs.get("specialists"):
            doc.h(3, "Specialist cutoffs (per profile)")
            doc.table(["Profile", "Kept", "Worst kept turns vs profile"],
                      [[p, fint(v.get("kept", 0)), fnum(v.get("worst_kept_score"))]
                       for p, v in cutoffs["specialists"].items()])
        if cutoffs.get("enhancement"):
            survivors, cut = enhancement_cutoffs(reader, attacks, cutoffs["enhancement"], kept.get("attack", []))
            items = sorted(cutoffs["enhancement"].items(), key=lambda kv: (-kv[1].get("carriers", 0), kv[0]))
            doc.h(3, "Enhancement-based cutoffs")
            doc.p(f"Every one of the {len(items)} enhancements, most carried first. **Kept by this rule**: the best "
                  "attacks carrying it; **Cut-off**: the mean turns of the worst of those (screening means); "
                  "**Survived**: attacks carrying it that stage 2 pairs, kept for any reason.")
            doc.table(["Enhancement", "Attacks carrying it", "Kept by this rule", "Cut-off (turns)", "Survived",
                       "Survived %"],
                      [[e, fint(v.get("carriers", 0)), fint(v.get("kept", 0)), fnum(cut.get(e)),
                        fint(survivors.get(e, 0)), fpct(share(survivors.get(e, 0), v.get("carriers", 0)))]
                       for e, v in items])


def enhancement_cutoffs(reader, attacks: Attacks, rule: dict, kept: list) -> tuple[dict[str, int], dict[str, float]]:
    """Per enhancement: how many attacks carrying it were kept (for any reason), and the cut-off
    of the per-enhancement rule: the score of the k-th best carrier, k = the rule's kept count.
    One pass over the stage-1 scores (one float per attack)."""
    overall = np.full(len(attacks), np.nan)
    for block in reader.blocks(["attack", "overall"]):
        overall[np.asarray(block["attack"])] = block["overall"]
    survived = np.zeros(len(attacks), dtype=bool)
    survived[np.asarray(kept, dtype=np.int64)] = True
    carriers: dict[str, list[int]] = {}
    for i, names in enumerate(zip(attacks.upgrades, attacks.limits)):
        for e in (*names[0], *names[1]):
            carriers.setdefault(e, []).append(i)
    surv, cut = {}, {}
    for e, idx in carriers.items():
        idx = np.asarray(idx)
        surv[e] = int(survived[idx].sum())
        k = int((rule.get(e) or {}).get("kept", 0))
        scores = np.sort(overall[idx])
        cut[e] = float(scores[k - 1]) if 0 < k <= len(scores) else None
    return surv, cut


@hookimpl
def balance_reporters():
    return [Stage1PruningReport()]
