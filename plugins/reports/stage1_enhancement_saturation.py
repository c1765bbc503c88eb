"""``stage1/enhancement_saturation_report.md``: how often each upgrade and limit appears among the
best stage-1 attacks (tiers are percentages of ALL attacks tested), next to its share among all."""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import (
    fcost,
    fint,
    fpct,
    out_path,
    population_block,
    share,
    start_report,
    tier_tag,
    timeouts_line,
)
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.enh_tiers import enhancement_tiers
from balance_plugins.reports.enhancement_saturation import beyond_one, fshare, share_se

#: Stage-1 tiers (percent of all attacks tested); the detailed tables use MAIN.
STAGE1_TIERS: tuple[float, ...] = (50, 20, 10, 5, 1)
MAIN = 20.0


def bar(rate: float, scale: float = 5.0) -> str:
    """One block per ``scale`` percent, so bars compare across tables."""
    return "█" * int(rate // scale)


class Stage1EnhancementSaturation:
    name = "stage1_enhancement_saturation"
    stage = "stage1"
    cost = 0.1  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage1", ctx.session.rules)
        stats = enhancement_tiers(ctx, "stage1", attacks, STAGE1_TIERS)
        enh = attacks.enh
        tier = stats.tiers.get(MAIN)
        size = tier.size if tier else 0
        doc = start_report("Enhancement Saturation Report (stage 1)", ctx, "stage1", population_block(
            stats.count, stats.skipped, "attacks", [
                f"**Analysis scope**: the best {tag(MAIN)}% of all {fint(stats.count)} attacks tested = "
                f"**{fint(size)} attacks** (ceil; ties broken by attack index)",
            ]))
        if not size:
            doc.p("No attacks were tested.")
            return [doc.write(out_path(ctx, "stage1", "enhancement_saturation_report.md"))]
        rates = np.array([share(c, size) for c in tier.counts])
        all_rates = np.array([share(c, stats.count) for c in stats.all_counts])
        ses = share_se(tier.cluster_nn, size)  # one record per attack: the Poisson sqrt(n) / size
        doc.h(2, "Summary")
        doc.bullets([
            timeouts_line(ctx, "stage1", tier.timeouts_total, size, "attacks in the tier"),
            f"**Total attacks in the tier**: {fint(size)}",
            f"**Upgrades tracked**: {enh.kinds.count('upgrade')}; **limits tracked**: {enh.kinds.count('limit')}",
            "**Saturation**: share of the tier's attacks carrying the enhancement; **All attacks**: the same "
            "share among all attacks tested; sorted by saturation (descending), then name",
            "**± (Saturation)**: the Poisson standard error sqrt(count) / tier attacks (at least the binomial "
            "one: conservative; as stage 2's clustered bound with one record per attack); **Lift vs 1**: "
            "*above 1* / *below 1* when Saturation is more than 1.96 standard errors from All attacks "
            "(a property of the tested set: no error), else *no*",
        ])
        for kind, title in (("upgrade", "Upgrade"), ("limit", "Limit")):
            idx = [i for i in range(len(enh.names)) if enh.kinds[i] == kind]
            idx.sort(key=lambda i: (-rates[i], enh.names[i]))
            doc.h(2, f"{title} Saturation")
            doc.table(["Rank", title, "Cost", "Count", "Saturation ± s.e.", "All attacks", "Lift vs 1", "Bar"], [
                [r, enh.names[i], fcost(enh.costs[i]), fint(tier.counts[i]), fshare(rates[i], ses[i]),
                 fpct(all_rates[i]), beyond_one(rates[i], all_rates[i], ses[i]), bar(rates[i])]
                for r, i in enumerate(idx, 1)])
        doc.h(2, "Saturation across tiers")
        doc.p("Share of each tier's attacks carrying the enhancement (descriptive; the errors of the top "
              f"{tag(MAIN)}% are in the tables above); tiers are the best X% of all attacks tested "
              f"({', '.join(f'{tag(p)}% = {fint(stats.tiers[float(p)].size)}' for p in STAGE1_TIERS)}).")
        order = sorted(range(len(enh.names)), key=lambda i: (enh.kinds[i] != "upgrade", -rates[i], enh.names[i]))
        doc.table(["Enhancement", "Kind", *(f"Top {tag(p)}%" for p in STAGE1_TIERS), "All"], [
            [enh.names[i], enh.kinds[i],
             *(fpct(share(stats.tiers[float(p)].counts[i], stats.tiers[float(p)].size)) for p in STAGE1_TIERS),
             fpct(all_rates[i])] for i in order])
        return [doc.write(out_path(ctx, "stage1", "enhancement_saturation_report.md"))]


def tag(p: float) -> str:
    return tier_tag(p)


@hookimpl
def balance_reporters():
    return [Stage1EnhancementSaturation()]
