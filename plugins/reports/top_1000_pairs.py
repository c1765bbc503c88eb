"""``top_1000_pairs.md``: the 1,000 best pairs — the confirmation ranking first, then the
screening order of all other pairs tested (one streaming pass with a bounded top-N)."""

from __future__ import annotations

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import (
    distribution_cells,
    fint,
    fnum,
    fpct,
    fturns,
    out_path,
    population_block,
    start_report,
)
from balance_plugins.reports.data import Attacks, load_confirmed
from balance_plugins.reports.pair_screening import LIST, LIST_COLUMNS, SHARES, screening

N = LIST
COLUMNS = LIST_COLUMNS
HEADERS = ("Rank", "Attack 1", "Cost1", "Attack 2", "Cost2", "Total", "Turns", "Ranked by", "Screening turns",
           "Synergy", "Timeouts", "Turns p10/p50/p90", "One-turn kills", "Timeout share")


def screening_top(ctx):
    """The ``N`` best pairs (overall ascending, ties by a then b), the count, timeouts and records
    skipped, from stage 2's shared screening pass (:mod:`.pair_screening`)."""
    scr = screening(ctx)
    return scr.listed, scr.count, scr.timeouts, scr.skipped


def ranked_rows(top: dict, confirmed: dict | None, n: int) -> list[tuple[str, dict, int]]:
    """The list's rows as (source, table, row): the confirmation ranking first (it re-ran the best
    screening pairs with fresh dice and more runs, so its order is the final one), then the
    screening order of the pairs it did not re-run, up to ``n`` rows."""
    rows: list[tuple[str, dict, int]] = []
    done = set()
    if confirmed is not None:
        for j in range(min(n, len(confirmed["a"]))):
            rows.append(("confirmed", confirmed, j))
            done.add((int(confirmed["a"][j]), int(confirmed["b"][j])))
    for i in range(len(top["a"])):
        if len(rows) >= n:
            break
        if (int(top["a"][i]), int(top["b"][i])) not in done:
            rows.append(("screening", top, i))
    return rows


def row_cells(attacks: Attacks, rank: int, src: str, t: dict, i: int, combats: int) -> list:
    """One row of the list, in ``HEADERS`` order (the HTML report shows the same cells)."""
    a, b = int(t["a"][i]), int(t["b"][i])
    screening = t["screening_overall"][i] if src == "confirmed" else t["overall"][i]
    return [
        rank, attacks.short(a), f"{int(attacks.cost[a])}p", attacks.short(b), f"{int(attacks.cost[b])}p",
        f"{int(t['cost'][i])}p", fturns(t["overall"][i], t["se"][i]), src, fnum(screening),
        fpct(t["synergy"][i], 1, True), fint(t["timeouts"][i]),
        *(distribution_cells(t, i, combats) if src == "confirmed" else ["–", "–", "–"]),
    ]


class Top1000Pairs:
    name = "top_1000_pairs"
    stage = "stage2"
    shares = SHARES  # stage 2's screening pass, with the pairing report and the HTML page
    cost = 0.4  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        top, count, timeouts, skipped = screening_top(ctx)
        confirmed = load_confirmed(ctx.run)
        n_conf = 0 if confirmed is None else min(N, len(confirmed["a"]))
        rows_src = ranked_rows(top, confirmed, N)
        doc = start_report(f"Top {N:,} Pairs", ctx, "stage2", population_block(count, skipped, "pairs", [
            f"**Pairs listed**: {fint(len(rows_src))} of all {fint(count)} pairs tested",
            f"**Ranks 1–{n_conf}**: the confirmation ranking (the best screening pairs re-run with "
            f"{ctx.config.stage2.confirm_runs} runs per cell and fresh dice; Turns are the confirmed scores)"
            if n_conf else "**Confirmation**: none in this run; every rank is by screening score",
            f"**Ranks {n_conf + 1}–{len(rows_src)}**: the screening order of all pairs tested, without the "
            "confirmed ones (ties broken by attack 1 then attack 2 index)",
            f"**Timeouts, all pairs tested**: {fint(timeouts)} combats",
        ]))
        doc.h(2, "Summary")
        if rows_src:
            first, last = rows_src[0], rows_src[-1]
            doc.bullets([f"**Best turns (rank 1, {first[0]})**: {fnum(first[1]['overall'][first[2]])}",
                         f"**Best screening turns of all pairs read**: "
                         f"{fnum(top['overall'][0]) if len(top['overall']) else '–'}",
                         f"**Worst in this list ({last[0]})**: {fnum(last[1]['overall'][last[2]])}"])
        doc.h(2, "Methodology")
        doc.bullets([
            "**Attack 1 / Attack 2**: type+upgrades [limits], abbreviated; **Cost1 / Cost2 / Total** in points",
            "**Turns**: mean turns over all cells ± standard error, from the source the rank comes from",
            "**Screening turns**: the pair's score in the screening of all pairs",
            "**Synergy**: (mean of the two solos − pair) / mean of the solos × 100, solos measured under the "
            "same engine, cells, max turns and dice as the pair",
            "**Timeouts**: combats of the pair that hit the turn limit",
            "**Turns p10/p50/p90**, **One-turn kills**, **Timeout share** (confirmed pairs only: gathered on the "
            "confirmation's dice; – for screening ranks): the 10th, 50th and 90th percentile of a combat's turns "
            "over all cells (each cell weighs the same), the share of combats won on turn 1 and the share that "
            "reached the turn limit, printed to the precision of their 95% binomial interval",
            "**Ranked by** says where each row's Turns come from: *confirmed* rows carry the ranking; "
            "*screening* rows are the screening order (few runs per cell) below them",
        ])
        combats = len(ctx.grid.cells) * ctx.config.stage2.confirm_runs
        rows = [row_cells(attacks, rank, src, t, i, combats) for rank, (src, t, i) in enumerate(rows_src, 1)]
        doc.h(2, f"Top {N:,} Pairs")
        doc.table(list(HEADERS), rows)
        return [doc.write(out_path(ctx, "stage2", "top_1000_pairs.md"))]


@hookimpl
def balance_reporters():
    return [Top1000Pairs()]
