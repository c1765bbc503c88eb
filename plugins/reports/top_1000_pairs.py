"""``top_1000_pairs.md``: the 1,000 best pairs of all pairs tested by screening score (one streaming
pass with a bounded top-N), with the confirmation's rank and score where the pair was confirmed."""

from __future__ import annotations

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import fint, fnum, fpct, fturns, out_path, population_block, start_report
from balance_plugins.reports.data import Attacks, load_confirmed
from balance_plugins.reports.stream import TopBy, column_key
from balance_plugins.store.aggregates import Count, Sums

N = 1000
COLUMNS = ("a", "b", "overall", "se", "cost", "synergy", "timeouts")


def screening_top(reader, n: int):
    """One pass: the ``n`` best pairs (overall ascending, ties by a then b), the count, timeouts."""
    res = reader.aggregate({"top": TopBy(n, column_key("overall"), ("overall",), COLUMNS),
                            "count": Count(), "timeouts": Sums(("timeouts",))})
    return res["top"], res["count"], int(round(float(res["timeouts"].sums["timeouts"])))


def confirmed_lookup(confirmed) -> dict[tuple[int, int], int]:
    """(a, b) -> row of the confirmation table."""
    if confirmed is None:
        return {}
    return {(int(a), int(b)): i for i, (a, b) in enumerate(zip(confirmed["a"], confirmed["b"]))}


class Top1000Pairs:
    name = "top_1000_pairs"
    stage = "stage2"

    def write(self, ctx):
        reader = ctx.reader("stage2")
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        top, count, timeouts = screening_top(reader, N)
        confirmed = load_confirmed(ctx.run)
        conf = confirmed_lookup(confirmed)
        shown = len(top["a"])
        doc = start_report(f"Top {N:,} Pairs", ctx, "stage2", population_block(count, reader.skipped, "pairs", [
            f"**Pairs listed**: {fint(shown)} — the best {fint(shown)} of all {fint(count)} pairs tested, by "
            "screening score (overall turns, lower is better; ties broken by attack 1 then attack 2 index)",
            f"**Timeouts, all pairs tested**: {fint(timeouts)} combats",
            "**Confirmed columns**: the confirmation's rank and score (fresh dice, more runs) for the "
            f"{0 if confirmed is None else len(confirmed['a'])} pairs it re-ran; – for the others",
        ]))
        doc.h(2, "Summary")
        if shown:
            doc.bullets([f"**Best screening turns**: {fnum(top['overall'][0])}",
                         f"**Worst in this list**: {fnum(top['overall'][-1])}"])
        doc.h(2, "Methodology")
        doc.bullets([
            "**Attack 1 / Attack 2**: type+upgrades [limits], abbreviated; **Cost1 / Cost2 / Total** in points",
            "**Turns**: screening mean turns over all cells ± standard error",
            "**Synergy**: (mean of the two solos − pair) / mean of the solos × 100, solos measured under the "
            "pair's own engine, cells, max turns and dice",
            "**Timeouts**: combats of the pair that hit the turn limit",
        ])
        rows = []
        for i in range(shown):
            a, b = int(top["a"][i]), int(top["b"][i])
            j = conf.get((a, b))
            rows.append([
                i + 1, attacks.short(a), f"{int(attacks.cost[a])}p", attacks.short(b), f"{int(attacks.cost[b])}p",
                f"{int(top['cost'][i])}p", fturns(top["overall"][i], top["se"][i]),
                fpct(top["synergy"][i], 1, True), fint(top["timeouts"][i]),
                "–" if j is None else int(confirmed["rank"][j]),
                "–" if j is None else fturns(confirmed["overall"][j], confirmed["se"][j]),
            ])
        doc.h(2, f"Top {N:,} Pairs")
        doc.table(["Rank", "Attack 1", "Cost1", "Attack 2", "Cost2", "Total", "Turns", "Synergy", "Timeouts",
                   "Confirmed rank", "Confirmed turns"], rows)
        return [doc.write(out_path(ctx, "stage2", "top_1000_pairs.md"))]


@hookimpl
def balance_reporters():
    return [Top1000Pairs()]
