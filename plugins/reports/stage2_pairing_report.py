"""``stage2_pairing_report.md``: what stage 2 tested, then the top 50 pairs in detail — the
confirmation's ranking first (fresh dice, more runs; "tied with #1" marked), then, if fewer than
50 pairs were confirmed, the next screening ranks — each with both builds, turns ± error,
synergy, usage split per profile and scenario, and per-profile/buff/scenario performance."""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import (
    distribution_cells,
    fest,
    fint,
    fnum,
    fpct,
    fturns,
    out_path,
    population_block,
    start_report,
)
from balance_plugins.reports.data import Attacks, column_labels, load_confirmed
from balance_plugins.reports.pair_screening import BEST, SHARES, screening
from balance_plugins.reports.policy_check import PolicyCheck, confirmed_check, lines as check_lines

TOP = BEST


def _distribution(confirmed: dict, i: int, combats: int) -> list[str]:
    if "turns_p50" not in confirmed:
        return []
    q, kills, outs = distribution_cells(confirmed, i, combats)
    return [f"**Turns p10/p50/p90** (confirmation's combats): {q}; **one-turn kills**: {kills}; "
            f"**timeouts**: {outs}"]


def _interval(lo: float, hi: float) -> str:
    half = (float(hi) - float(lo)) / 2
    return f"{fest(lo, half)}–{fest(hi, half)}"


def pair_details(doc, attacks, rec: dict, i: int, labels: dict, heading: str, score_lines: list[str]) -> None:
    """One pair's block: builds, scores, usage split and per-context performance."""
    a, b = int(rec["a"][i]), int(rec["b"][i])
    doc.h(3, heading.format(a=attacks.short(a), b=attacks.short(b)))
    doc.bullets([
        *score_lines,
        f"**Synergy**: {fpct(rec['synergy'][i], 1, True)} vs the mean of the two solos; "
        f"{fpct(rec['gain_vs_best'][i], 1, True)} vs the better solo",
        f"**Timeouts**: {fint(rec['timeouts'][i])} combats",
        f"**Attack 1**: {attacks.parts(a)}",
        f"**Attack 2**: {attacks.parts(b)}",
        f"**Total cost**: {int(rec['cost'][i])}p",
    ])
    def split(kind: str, k: int) -> list[str]:
        ua = float(rec[f"usage_a_{kind}"][i][k])
        ub = float(rec[f"usage_b_{kind}"][i][k])
        # the rest of the turns: neither attack usable (limits, charges), the fallback action was taken
        return [fpct(100 * ua, 0), fpct(100 * ub, 0), fpct(100 * max(0.0, 1.0 - ua - ub), 0)]

    rows = [[f"vs {name}", *split("profile", k)] for k, name in enumerate(labels["profile"])]
    rows += [[name, *split("scenario", k)] for k, name in enumerate(labels["scenario"])]
    doc.p("**Usage split** (share of turns each attack was used; Fallback = turns on which neither attack was usable and the rules' fallback action was taken):")
    doc.table(["Context", "Attack 1", "Attack 2", "Fallback"], rows)
    perf = [[f"Profile {n}", fnum(rec["by_profile"][i][k])] for k, n in enumerate(labels["profile"])]
    perf += [[f"Buff {n}", fnum(rec["by_buff"][i][k])] for k, n in enumerate(labels["buff"])]
    perf += [[f"Scenario {n}", fnum(rec["by_scenario"][i][k])] for k, n in enumerate(labels["scenario"])]
    doc.p("**Performance by context** (mean turns):")
    doc.table(["Context", "Avg Turns"], perf)
    doc.p("---")


def population_of_top(n_conf: int, shown: int, count: int, c) -> str:
    """Which ranking each part of the top list comes from."""
    parts = []
    if n_conf:
        parts.append(f"ranks 1–{n_conf} from the confirmation ranking ({c.stage2.confirm_runs} runs per cell, "
                     "fresh dice) of the best screening pairs")
    if shown > n_conf:
        parts.append(f"ranks {n_conf + 1}–{shown} from the screening of all {fint(count)} pairs tested "
                     f"({c.stage2.runs} runs per cell), not confirmed")
    return "**Top pairs below**: " + ("; ".join(parts) if parts else "none (no pairs were read)")


class Stage2PairingReport:
    name = "stage2_pairing_report"
    stage = "stage2"
    shares = SHARES  # stage 2's screening pass, with the top 1,000 list and the HTML page
    cost = 0.5  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        reader = ctx.reader("stage2")
        attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
        labels = {k: column_labels(reader, f"by_{k}") for k in ("profile", "buff", "scenario")}
        scr = screening(ctx)
        count, top = scr.count, scr.best
        confirmed = load_confirmed(ctx.run)
        n_conf = 0 if confirmed is None else min(len(confirmed["a"]), TOP)
        info = ctx.run.stage_info("stage2")
        c = ctx.config
        doc = start_report("Stage 2: Attack Pairing Results", ctx, "stage2", population_block(count, scr.skipped, "pairs", [
            f"**Pairs possible from the {len(attacks)} stage-1 survivors**: {fint(info.get('pairs_total', count))}",
            population_of_top(n_conf, min(TOP, count), count, c),
        ]))
        m = scr.overall
        doc.h(2, "Summary")
        doc.bullets([
            f"**Total pairs tested**: {fint(count)}",
            f"**Simulation runs per pair and cell**: {c.stage2.runs}",
            f"**Test configurations**: {len(labels['profile'])} profiles × {len(labels['buff'])} buffs × "
            f"{len(labels['scenario'])} scenarios",
            f"**Screening turns, all pairs**: mean {fnum(m['mean'])} (sd {fnum(m['sd'])}), best {fnum(m['min'])}, "
            f"worst {fnum(m['max'])}",
            f"**Timeouts, all pairs**: {fint(scr.timeouts)} combats",
        ])
        if scr.check is not None:
            check = PolicyCheck(scr.check, *confirmed_check(ctx.run, confirmed, TOP))
            doc.h(2, "Policy check")
            doc.p(f"A player who owns both attacks can always play the better one alone, so a pair slower than its "
                  f"better solo (same cells, max turns and dice) is the policy ({c.stage2.policy}) misplaying, not a "
                  "fact about the rules. Pair and solos are played on the same dice. The confirmed check uses the "
                  "standard error of the per-combat differences (paired); screening keeps no per-combat turns, so "
                  "there the error is sqrt(se_pair² + se_solo²), that of independent means, which is larger when "
                  "pair and solo are positively correlated: the screening count is conservative. The share's ± "
                  "treats pairs as independent (they share attacks, so the true error is larger).")
            doc.bullets(check_lines(check, c.stage2.runs, c.stage2.confirm_runs))
        if confirmed is not None and len(confirmed["a"]):
            tied = int(np.sum(confirmed["tied_with_first"][1:]))
            doc.bullets([
                f"**Confirmed pairs**: {len(confirmed['a'])}; **other pairs statistically tied with #1**: {tied} "
                "(difference within 1.96 standard errors of the difference; every confirmed pair plays the same "
                "dice, so the error is that of the per-combat differences)",
            ])
            doc.h(2, f"Top {n_conf} pairs — confirmation ranking")
            for i in range(n_conf):
                mark = " — tied with #1" if i > 0 and bool(confirmed["tied_with_first"][i]) else ""
                pair_details(doc, attacks, confirmed, i, labels, f"Rank {int(confirmed['rank'][i])}: {{a}} + {{b}}{mark}", [
                    f"**Confirmed turns**: {fturns(confirmed['overall'][i], confirmed['se'][i])} "
                    f"(95% interval {_interval(confirmed['ci_low'][i], confirmed['ci_high'][i])})",
                    f"**Screening turns**: {fnum(confirmed['screening_overall'][i])}",
                    *_distribution(confirmed, i, len(ctx.grid.cells) * ctx.config.stage2.confirm_runs),
                ])
        if n_conf < min(TOP, count):
            done = set() if confirmed is None else {(int(a), int(b)) for a, b in zip(confirmed["a"], confirmed["b"])}
            rest = [i for i in range(len(top["a"])) if (int(top["a"][i]), int(top["b"][i])) not in done]
            rest = rest[: TOP - n_conf]
            doc.h(2, f"Ranks {n_conf + 1}–{n_conf + len(rest)} — screening ranking (not confirmed)")
            for k, i in enumerate(rest, n_conf + 1):
                pair_details(doc, attacks, top, i, labels, f"Rank {k}: {{a}} + {{b}}", [
                    f"**Screening turns**: {fturns(top['overall'][i], top['se'][i])}",
                ])
        return [doc.write(out_path(ctx, "stage2", "stage2_pairing_report.md"))]


@hookimpl
def balance_reporters():
    return [Stage2PairingReport()]
