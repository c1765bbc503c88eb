"""``enhancement_ranking_top_X.md`` (X in 50, 20, 5, 1, 0.1 % of ALL pairs tested): every upgrade
and limit seen in the tier, ranked by cost efficiency, with a bar chart of the efficiencies."""

from __future__ import annotations

import math

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports import plots
from balance_plugins.reports.common import (
    TIERS,
    Z95,
    fcost,
    fdiff,
    fest,
    fint,
    fpct,
    fturns,
    out_path,
    population_block,
    share,
    significance,
    start_report,
    tier_tag,
)
from balance_plugins.reports.data import Attacks, column_labels, paid_cost
from balance_plugins.reports.enh_tiers import enhancement_tiers


def ranking_order(names, eff, mean) -> list[int]:
    """Enhancement indices by efficiency (lower is better), unknown efficiency last, then by
    average turns, then by name: explicit and deterministic."""
    def key(i):
        e = eff[i]
        return (math.isnan(e), 0.0 if math.isnan(e) else e, mean[i], names[i])
    return sorted(range(len(names)), key=key)


class EnhancementRanking:
    name = "enhancement_ranking"
    stage = "stage2"
    cost = 8.9  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        stats = enhancement_tiers(ctx, "stage2", attacks, TIERS)
        reader = ctx.reader("stage2")
        profiles = column_labels(reader, "by_profile")
        types = attacks.type_names
        enh = attacks.enh
        costs = enh.cost_array()
        factors = attacks.type_factors(ctx.session.rules)
        written = []
        for p in TIERS:
            tier = stats.tiers.get(float(p))
            tag = tier_tag(p)
            size = tier.size if tier else 0
            doc = start_report(f"Enhancement Ranking — Top {tag}% of all pairs tested", ctx, "stage2",
                               population_block(stats.count, stats.skipped, "pairs", [
                                   f"**Tier**: the best {tag}% of all {fint(stats.count)} pairs tested by screening "
                                   f"score = **{fint(size)} pairs** (ceil({tag}% × {fint(stats.count)}); ties "
                                   "at the boundary broken by attack indices)",
                                   "**Ranking used**: screening scores of all pairs (the confirmation re-runs only "
                                   "the best few, so it cannot rank tiers)",
                               ]))
            if not tier or not size:
                doc.p("The tier is empty: no pairs were tested.")
                written.append(doc.write(out_path(ctx, "stage2", f"enhancement_ranking_top_{tag}.md")))
                continue
            seen = np.flatnonzero(tier.counts > 0)
            doc.h(2, "Summary")
            doc.bullets([
                f"**Tier mean turns** (screening): {fturns(tier.score_mean, tier.score_se)} (± standard error "
                "clustered by attack): the reference of *vs Mean*",
                f"**Timeouts in the tier**: {fint(tier.timeouts_total)} combats",
                f"**Enhancements seen in the tier**: {len(seen)} of {len(enh.names)} present in the stage-2 attacks",
            ])
            doc.h(2, "Methodology")
            doc.bullets([
                "**Apps**: pairs in the tier carrying the enhancement (in either attack; a pair counts once)",
                "**App%**: Apps / pairs in the tier",
                "**Avg Turns**: mean screening turns of those pairs ± standard error clustered by attack (pairs "
                "that share an attack are not independent: the error counts attacks, not pairs)",
                "**vs Mean**: Avg Turns − the tier's mean turns (mean with mean; negative = faster than the "
                "tier's average pair) ± the same standard error",
                "**Eff**: vs Mean / the points its carriers paid for it, on average (base cost × the attack "
                "type's cost factor: double on area types) (negative = better value)",
                "**Sig.**: *better* / *worse* where vs Mean is beyond 1.96 standard errors of 0 (95%), *tie* "
                "otherwise: only those rows differ from the tier's average pair by more than the dice and "
                "the choice of attacks explain",
                "**Attacks**: distinct attacks carrying it in the tier (the clusters of its standard error)",
                "Figures are printed to the precision their 95% interval allows",
                "**Timeouts**: combats that hit the turn limit, summed over those pairs",
                "**Slot1 / Slot2**: share of the appearances in attack 1 / attack 2 (attack 1 has the lower index)",
                "**Used1 / Used2**: mean share of turns the attack carrying it was used, in slot 1 / slot 2 "
                "(averaged over profiles)",
                f"**Type columns** ({', '.join(types)}): mean turns of tier pairs where an attack of that type "
                "carries the enhancement ± standard error (– = not seen)",
                f"**Profile columns** ({', '.join(profiles)}): mean turns against that profile of the carrying pairs "
                "± standard error",
            ])
            paid = paid_cost(costs, tier.type_counts, factors)
            vs = tier.mean - tier.score_mean
            eff = vs / paid
            order = [i for i in ranking_order(enh.names, eff, tier.mean) if tier.counts[i] > 0]
            se = tier.se()
            rows = []
            for rank, i in enumerate(order, 1):
                slots = tier.slot_counts[:, i]
                rows.append([
                    rank, enh.names[i], enh.kinds[i], fcost(enh.costs[i]), fint(tier.counts[i]),
                    fpct(share(tier.counts[i], size)), fturns(tier.mean[i], se[i]),
                    fdiff(vs[i], se[i]), fest(eff[i], Z95 * se[i] / paid[i], True, 3),
                    significance(vs[i], se[i]), fint(tier.attacks[i]), fint(tier.timeouts[i]),
                    fpct(share(slots[0], slots.sum()), 0), fpct(share(slots[1], slots.sum()), 0),
                    fpct(100 * tier.usage[0, i], 0), fpct(100 * tier.usage[1, i], 0),
                    *(fturns(tier.type_mean[i, t], tier.type_se[i, t]) if tier.type_counts[i, t] else "–"
                      for t in range(len(types))),
                    *(fturns(tier.by_profile[k, i], tier.by_profile_se[k, i]) for k in range(len(profiles))),
                ])
            doc.h(2, "Enhancement Rankings")
            doc.p("Sorted by efficiency (lower is better); enhancements of unknown cost last; ties by average "
                  "turns, then name.")
            doc.table(["Rank", "Enhancement", "Kind", "Cost", "Apps", "App%", "Avg Turns", "vs Mean", "Eff", "Sig.",
                       "Attacks", "Timeouts", "Slot1", "Slot2", "Used1", "Used2", *types, *profiles], rows)
            absent = [enh.names[i] for i in range(len(enh.names)) if tier.counts[i] == 0]
            if absent:
                doc.p(f"**Not seen in this tier** ({len(absent)}): " + ", ".join(absent))
            png = out_path(ctx, "stage2", f"enhancement_efficiency_top_{tag}.png")
            plots.efficiency_bars(png, [enh.names[i] for i in order], [eff[i] for i in order],
                                  f"Enhancement efficiency, top {tag}% of pairs ({fint(size)} pairs)")
            doc.h(2, "Efficiency chart")
            doc.image(png, f"Enhancement efficiency, top {tag}%")
            written += [doc.write(out_path(ctx, "stage2", f"enhancement_ranking_top_{tag}.md")), png]
        return written


@hookimpl
def balance_reporters():
    return [EnhancementRanking()]
