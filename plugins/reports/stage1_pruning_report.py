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


def part(t: dict, i: int, col: str, k: int, groups: int) -> str:
    """Row ``i``'s mean turns against profile (buff) ``k`` of ``groups`` ± its standard error."""
    # A profile (buff) holds 1/groups of the cells; with the cells' spreads taken as equal its
    # mean's error is the overall one × √groups (stage 1 records no per-cell errors).
    return fturns(t[col][i][k], float(t["se"][i]) * math.sqrt(groups))


class Stage1PruningReport:
    name = "stage1_pruning_report"
    stage = "stage1"

    def write(self, ctx):
        reader = ctx.reader("stage1")
        attacks = Attacks.load(ctx.run, "stage1", ctx.session.rules)
        profiles = column_labels(reader, "by_profile")
        buffs = column_labels(reader, "by_buff")
        aggs = {"count": Count(), "timeouts": Sums(("timeouts",)), "overall": Moments("overall"),
                "top": TopBy(TOP, column_key("overall"), ("overall",), COLUMNS, TIE)}
        for k in range(len(profiles)):
            aggs[f"p{k}"] = TopBy(TOP_CONTEXT, column_key("by_profile", index=k), ("by_profile",), COLUMNS, TIE)
        for k in range(len(buffs)):
            aggs[f"b{k}"] = TopBy(TOP_CONTEXT, column_key("by_buff", index=k), ("by_buff",), COLUMNS, TIE)
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
                    *extra, fint(top["timeouts"][i]), *spread, fnum(top["specialization"][i]), why.get(a, "no")]

        top = res["top"]
        doc.h(2, f"Top {TOP} Attacks Overall")
        doc.p("Screening turns ± standard error (runs within cells); one column per configured profile (mean turns "
              "against it ± its standard error, estimated as the overall error × √(number of profiles): stage 1 "
              "records no per-cell errors, so every cell's spread is taken as equal; a profile whose combats "
              "vary more than the others' has a larger error than shown); Turns p10/p50/p90, One-turn kills, "
              "Timeout share: the 10th, 50th and 90th percentile of "
              "a combat's turns over all cells, the share of combats won on turn 1 and that reached the turn limit, "
              "from the same combats (counted by turn); Specialization = variance of the per-profile means; "
              "Kept = why the pruning kept it.")
        doc.table(["Rank", "Attack", "Cost", "Avg Turns", *(f"vs {p}" for p in profiles), "Timeouts",
                   "Turns p10/p50/p90", "One-turn kills", "Timeout share", "Specialization", "Kept"],
                  [row(i + 1, top, i, [part(top, i, "by_profile", k, len(profiles)) for k in range(len(profiles))],
                       True)
                   for i in range(len(top["attack"]))])
        for kind, names, col in (("Profile", profiles, "by_profile"), ("Buff", buffs, "by_buff")):
            doc.h(2, f"Top {TOP_CONTEXT} Attacks per {kind}")
            doc.p(f"Turns vs the {kind.lower()}: its mean ± standard error, the overall error × √{len(names)} "
                  f"(every cell's spread taken as equal, as above).")
            for k, name in enumerate(names):
                t = res[f"{kind[0].lower()}{k}"]
                doc.h(3, f"{kind}: {name}")
                doc.table(["Rank", "Attack", "Cost", "Avg Turns (all cells)", f"Turns vs {name}", "Timeouts",
                           "Specialization", "Kept"],
                          [row(i + 1, t, i, [part(t, i, col, k, len(names))]) for i in range(len(t["attack"]))])
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
