"""``enhancement_saturation_top_X.md`` (X in 50, 20, 5, 1, 0.1 % of ALL pairs tested): the share
of the tier's pairs carrying each enhancement ± a standard error that respects that pairs sharing
an attack are not independent, next to its share among all pairs tested, and whether the Lift
(the ratio of the two) is beyond 1 at 95 %.

The summary keeps only figures with an error from that model: the average rate over the
enhancements seen (± a bound, :func:`average_se`) and the counts of Lifts beyond 1. The median
rate across enhancements and the tier's median and worst screening turns were dropped: a median of
shares across heterogeneous enhancements, and order statistics of noisy screening scores over pairs
that share attacks, have no error this report can give (the pairing report and the top pairs list
carry the pairs' own numbers with theirs)."""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import (
    TIERS,
    Z95,
    decimals,
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


def share_se(nn, size):
    """Standard error (percentage points) of a tier share from ``nn`` = sum over the attacks
    carrying the enhancement of the squared number of its tier pairs each attack is in.

    The count is a sum of per-attack counts n_a (pairs sharing an attack enter or leave the tier
    together, so the attacks, not the pairs, are the independent units). For each,
    Var(n_a) = E[n_a^2] - E[n_a]^2 <= E[n_a^2], and the observed n_a^2 estimates E[n_a^2]
    without bias; so sqrt(nn) bounds the count's standard deviation from above whatever the
    dependence within an attack. With one pair per attack it is sqrt(n), the Poisson error, at
    least the binomial sqrt(n p (1 - p)). A pair whose two attacks both carry the enhancement is
    counted in both, which only raises the bound. None in the tier (nn = 0) gives no spread to
    measure: then the 95 % interval reaches 3 pairs, the Poisson upper bound of a count of 0."""
    nn = np.asarray(nn, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * np.where(nn > 0, np.sqrt(nn), 3.0 / Z95) / size


def average_se(ses) -> float:
    """Standard error bound of the mean of several tier shares: the mean of their errors (the standard
    deviation of a sum is at most the sum of the standard deviations, whatever the correlations: one
    attack carries several enhancements, so their counts move together). Each share's error is
    itself an upper bound (:func:`share_se`), so this one is too."""
    ses = np.asarray(ses, dtype=np.float64)
    return float(ses.mean()) if len(ses) else float("nan")


def beyond_one(rate: float, all_rate: float, se: float) -> str:
    """Lift above / below 1 when the tier share is more than 1.96 standard errors from the share
    among all pairs (a property of the tested set, not an estimate: no error of its own)."""
    if not (np.isfinite(rate) and np.isfinite(all_rate) and np.isfinite(se)):
        return "–"
    if abs(rate - all_rate) <= Z95 * se:
        return "no"
    return "above 1" if rate > all_rate else "below 1"


def fshare(rate: float, se: float) -> str:
    """``62.3% ± 1.2``: a share ± its standard error, to the precision the 95 % interval allows."""
    d = decimals(Z95 * se, 1)
    return f"{fnum(rate, d)}% ± {fnum(se, d)}" if np.isfinite(se) else fpct(rate)


def saturation_order(names, rates) -> list[int]:
    """By saturation descending, then name ascending (explicit, deterministic)."""
    return sorted(range(len(names)), key=lambda i: (-rates[i], names[i]))


class EnhancementSaturation:
    name = "enhancement_saturation"
    stage = "stage2"
    cost = 0.1  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        stats = enhancement_tiers(ctx, "stage2", attacks, TIERS)
        enh = attacks.enh
        all_rate = np.array([share(c, stats.count) for c in stats.all_counts])
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
            ses = share_se(tier.cluster_nn, size)
            order = saturation_order(enh.names, rates)
            seen = rates > 0
            verdicts = [beyond_one(rates[i], all_rate[i], ses[i]) for i in range(len(rates))]
            doc.h(2, "Summary")
            doc.bullets([
                timeouts_line(ctx, "stage2", tier.timeouts_total, size, "pairs in the tier"),
                f"**Enhancements present in the stage-2 attacks**: {len(enh.names)}; seen in the tier: {int(seen.sum())}",
                "**Average saturation rate** (over enhancements seen): "
                + (fshare(rates[seen].mean(), average_se(ses[seen])) if seen.any() else "–")
                + " (± an upper bound of its standard error: the mean of the enhancements' errors, since the "
                "error of a mean is at most the mean of the errors however their counts move together through "
                "shared attacks)",
                f"**Lift above 1 beyond noise (95 %)**: {sum(v == 'above 1' for v in verdicts)} enhancements; "
                f"below 1: {sum(v == 'below 1' for v in verdicts)}",
            ])
            doc.h(2, "Methodology")
            doc.bullets([
                "**Saturation**: share of the tier's pairs carrying the enhancement in either attack (a pair counts once)",
                "**± (Saturation)**: a standard error that treats the attacks, not the pairs, as the "
                "independent units (pairs sharing an attack enter the tier together): sqrt of the sum over "
                "the attacks carrying the enhancement of the square of its tier pairs each is in, over the "
                "tier's pairs. Var(n) <= E[n^2] per attack, so this bounds the error from above "
                "(conservative); with one pair per attack it is the Poisson error",
                "**All pairs**: the same share among all pairs tested (the whole tested set: no error); "
                "**Lift** = Saturation / All pairs ± its error (Saturation's over All pairs)",
                "**Lift vs 1**: *above 1* / *below 1* when Saturation is more than 1.96 standard errors from "
                "All pairs (over- or under-represented among the best pairs beyond noise), else *no*. "
                "Screening scores choose the tier: a confirmed ranking is the top pairs report's",
            ])

            def row(rank, i):
                lift = rates[i] / all_rate[i] if all_rate[i] else float("nan")
                lift_se = ses[i] / all_rate[i] if all_rate[i] else float("nan")
                lift_text = (f"{fnum(lift, decimals(Z95 * lift_se))} ± {fnum(lift_se, decimals(Z95 * lift_se))}"
                             if np.isfinite(lift_se) else fnum(lift))
                return [rank, enh.names[i], enh.kinds[i], fcost(enh.costs[i]), fint(tier.counts[i]),
                        fint(tier.attacks[i]), fshare(rates[i], ses[i]), fpct(all_rate[i]), lift_text, verdicts[i]]

            headers = ["Rank", "Enhancement", "Kind", "Cost", "Appearances", "Attacks", "Saturation ± s.e.",
                       "All pairs", "Lift ± s.e.", "Lift vs 1"]
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
