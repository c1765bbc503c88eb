"""``enhancement_saturation_top_X.md`` (X in 50, 20, 5, 1, 0.1 % of ALL pairs tested): the share
of the tier's pairs carrying each enhancement, next to its share among all pairs tested."""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import (
    TIERS,
    fcost,
    fint,
    fnum,
    fpct,
    out_path,
    population_block,
    timeouts_line,
    share,
    start_report,
    tier_tag,
)
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.enh_tiers import enhancement_tiers

#: Saturation bands (percent of the tier's pairs): high > 60, medium 30-60, low < 30.
HIGH, LOW = 60.0, 30.0


def band(rate: float) -> str:
    return "high" if rate > HIGH else ("medium" if rate >= LOW else "low")


def saturation_order(names, rates) -> list[int]:
    """By saturation descending, then name ascending (explicit, deterministic)."""
    return sorted(range(len(names)), key=lambda i: (-rates[i], names[i]))


class EnhancementSaturation:
    name = "enhancement_saturation"
    stage = "stage2"

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        stats = enhancement_tiers(ctx, "stage2", attacks, TIERS)
        enh = attacks.enh
        all_rate = np.array([share(c, stats.count) for c in stats.all.counts])
        written = []
        for p in TIERS:
            tag = tier_tag(p)
            tier = stats.tiers.get(float(p))
            size = tier.size if tier else 0
            doc = start_report(f"Enhancement Saturation — Top {tag}% of all pairs tested", ctx, "stage2",
                               population_block(stats.count, stats.skipped, "pairs", [
                                   f"**Tier**: the best {tag}% of all {fint(stats.count)} pairs tested by screening "
                                   f"score = **{fint(size)} pairs** (ceil; boundary ties broken by attack indices)",
                               ]))
            path = out_path(ctx, "stage2", f"enhancement_saturation_top_{tag}.md")
            if not size:
                doc.p("The tier is empty: no pairs were tested.")
                written.append(doc.write(path))
                continue
            rates = np.array([share(c, size) for c in tier.counts])
            order = saturation_order(enh.names, rates)
            bands = [band(rates[i]) for i in range(len(rates))]
            seen = rates > 0
            doc.h(2, "Summary")
            doc.bullets([
                timeouts_line(ctx, "stage2", tier.timeouts_total, size, "pairs in the tier"),
                f"**Enhancements present in the stage-2 attacks**: {len(enh.names)}; seen in the tier: {int(seen.sum())}",
                f"**Average saturation rate** (over enhancements seen): {fpct(rates[seen].mean() if seen.any() else None)}",
                f"**Median saturation rate** (over enhancements seen): "
                f"{fpct(float(np.median(rates[seen])) if seen.any() else None)}",
                f"**Tier median turns**: {fnum(tier.median)}; worst pair in the tier: {fnum(tier.threshold)}",
            ])
            doc.h(2, "Methodology")
            doc.bullets([
                "**Saturation**: share of the tier's pairs carrying the enhancement in either attack (a pair counts once)",
                "**All pairs**: the same share among all pairs tested; **Lift** = Saturation / All pairs "
                "(above 1: over-represented among the best pairs)",
                f"**Bands**: high > {HIGH:g}%, medium {LOW:g}–{HIGH:g}%, low < {LOW:g}%",
            ])
            doc.h(2, "Distribution")
            doc.table(["Band", "Enhancements", "Names"], [
                [b, sum(1 for i in range(len(rates)) if bands[i] == b and seen[i]),
                 ", ".join(enh.names[i] for i in order if bands[i] == b and seen[i]) or "–"]
                for b in ("high", "medium", "low")])

            def row(rank, i):
                lift = rates[i] / all_rate[i] if all_rate[i] else float("nan")
                return [rank, enh.names[i], enh.kinds[i], fcost(enh.costs[i]), fint(tier.counts[i]),
                        fpct(rates[i]), fpct(all_rate[i]), fnum(lift), bands[i]]

            headers = ["Rank", "Enhancement", "Kind", "Cost", "Appearances", "Saturation", "All pairs", "Lift",
                       "Band"]
            shown = [i for i in order if seen[i]]
            doc.h(2, "Top 10 (most saturated)")
            doc.table(headers, [row(r, i) for r, i in enumerate(shown[:10], 1)])
            doc.h(2, "Bottom 10 (least saturated, seen in the tier)")
            bottom = list(enumerate(shown, 1))[-10:][::-1]
            doc.table(headers, [row(r, i) for r, i in bottom])
            doc.h(2, "Enhancement Saturation Rankings")
            doc.p("Sorted by saturation (descending), then name.")
            doc.table(headers, [row(r, i) for r, i in enumerate(shown, 1)])
            absent = [enh.names[i] for i in order if not seen[i]]
            if absent:
                doc.p(f"**Not seen in this tier** ({len(absent)}): " + ", ".join(absent))
            written.append(doc.write(path))
        return written


@hookimpl
def balance_reporters():
    return [EnhancementSaturation()]
