"""``findings.md``, the first page of a run: what to change, by how many points, and how sure we are.

A short list, worst problem first, each line a sentence a designer can act on:

- over- and under-costed upgrades and limits: their value in points (:mod:`.point_values`) against
  their cost, with 95 % intervals; only those whose interval excludes the cost are listed;
- dominated options: X never better than Y at the same or lower cost, in every cell;
- what the best pairs share (stage 2), and where stage 1 and stage 2 disagree;
- the policy check: pairs slower than the better of their two attacks alone.

Reads the stage-1 records once (cell means) and, when stage 2 is complete, its records once (pair
membership, the policy check and the best pairs).
"""

from __future__ import annotations

import math

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import Doc, distribution_cells, fint, fnum, fpct, fturns, settings_lines
from balance_plugins.reports.data import Attacks, Solos, load_confirmed
from balance_plugins.reports.point_values import (
    Interval,
    PointValue,
    PointValues,
    fmt_cost,
    fmt_interval,
    interval_note,
    pairs_of,
    read_cell_means,
    run_values,
)
from balance_plugins.reports.policy_check import Z as POLICY_SE, WorseThanSolo, confirmed_check, share_text
from balance_plugins.reports.stream import TopBy, column_key

TOP_PAIRS = 1000
MAX_LINES = 10
#: Rivals named per dominated option.
MAX_RIVALS = 3


def _value_line(v: PointValue, top_share: dict[str, float], top_n: int) -> str:
    est, ci = fmt_interval(v.points)
    where = ""
    if v.name in top_share:
        where = f": it is in {fpct(100 * top_share[v.name], 0)} of the top {fint(top_n)} pairs"
    spread = _spread(v)
    return (f"`{v.name}` ({v.kind}) is worth about {est} points for its cost of {fmt_cost(v)} ({ci}){where}."
            + (f" {spread}" if spread else ""))


def _turns_line(v: PointValue, top_share: dict[str, float], top_n: int) -> str:
    t = v.turns
    if t.est > 0:
        est, ci = fmt_interval(t)
        verb = f"adds {est} turns"
    else:
        # the saving as a positive figure: the interval negated has the same width, so the same precision
        est, ci = fmt_interval(-t)
        verb = f"saves {est} turns"
    where = f": it is in {fpct(100 * top_share[v.name], 0)} of the top {fint(top_n)} pairs" if v.name in top_share else ""
    return (f"`{v.name}` ({v.kind}) {verb} per combat ({ci}) for its cost of {fmt_cost(v)}, "
            f"against the same builds without it{where}.")


def _spread(v: PointValue) -> str:
    """"Worth most against Swarm (3.1), least against Boss (0.2)" when the scenarios differ."""
    items = [(k, iv) for k, iv in v.by_scenario.items() if np.isfinite(iv.est)]
    if len(items) < 2:
        return ""
    hi = max(items, key=lambda kv: kv[1].est)
    lo = min(items, key=lambda kv: kv[1].est)
    if not (lo[1].hi < hi[1].lo):  # only when the scenarios' intervals do not overlap
        return ""
    return (f"Worth most against {hi[0]} ({fmt_interval(hi[1])[0]}, {fmt_interval(hi[1])[1]}), "
            f"least against {lo[0]} ({fmt_interval(lo[1])[0]}, {fmt_interval(lo[1])[1]}).")


def mis_costed(values: PointValues) -> tuple[list[PointValue], list[PointValue]]:
    """(over-costed, under-costed): intervals entirely below / above the cost, worst first."""
    vs = [v for v in values.values.values() if np.isfinite(v.points.lo)]
    over = sorted((v for v in vs if v.points.hi < v.cost), key=lambda v: (v.points.est - v.cost, v.name))
    under = sorted((v for v in vs if v.points.lo > v.cost), key=lambda v: (v.cost - v.points.est, v.name))
    return over, under


#: Turns closer than this count as equal (records keep cell means as float32).
EQUAL_TURNS = 1e-4


def cell_effect_se(reader, attacks: Attacks, n_cells: int) -> dict[str, np.ndarray]:
    """Per enhancement, the standard error of its mean change of turns in each cell (the
    ``cell_turns`` of :func:`point_values.measure`): the builds with and without it are the
    clusters (sd of the paired differences / sqrt(pairs)), as its bootstrap resamples them."""
    turns = read_cell_means(reader, len(attacks), n_cells)
    out = {}
    for name, (w, wo) in pairs_of(attacks).items():
        ok = np.isfinite(turns[w]).all(axis=1) & np.isfinite(turns[wo]).all(axis=1)
        diff = turns[w[ok]] - turns[wo[ok]]
        out[name] = diff.std(axis=0, ddof=1) / math.sqrt(len(diff)) if len(diff) > 1 else np.full(n_cells, np.nan)
    return out


def gap_se(x: PointValue, y: PointValue, cell_se: dict[str, np.ndarray] | None) -> np.ndarray:
    """Per cell, the standard error of ``x.cell_turns - y.cell_turns``: the two enhancements'
    builds taken as independent samples (builds carrying both are in both, which makes the true
    error smaller: conservative); 0 without ``cell_se`` (point estimates taken as exact)."""
    if cell_se is None:
        return np.zeros(len(x.cell_turns))
    return np.sqrt(cell_se[x.name] ** 2 + cell_se[y.name] ** 2)


def closest(x: PointValue, ys: list[PointValue], cell_se: dict[str, np.ndarray] | None):
    """(rival, cell index, gap in turns, its standard error) where X comes closest to a rival."""
    best = None
    for y in ys:
        gap = x.cell_turns - y.cell_turns
        c = int(np.argmin(gap))
        if best is None or gap[c] < best[2]:
            best = (y, c, float(gap[c]), float(gap_se(x, y, cell_se)[c]))
    return best


def dominated(values: PointValues, cell_se: dict[str, np.ndarray] | None = None
              ) -> list[tuple[PointValue, list[PointValue], float]]:
    """(X, [Y...], closest margin in turns): each Y, of the same kind and no dearer, saves at least
    as many turns as X in every cell (point estimates), and is cheaper, or at the same cost better
    somewhere: beyond 1.96 standard errors of the gap in some cell (``cell_se``: each enhancement's
    per-cell error, :func:`cell_effect_se`; without it, beyond rounding). Ys cheapest first; the
    widest cost gap first."""
    vs = [v for v in values.values.values() if len(v.cell_turns)]
    out = []
    for x in vs:
        ys, margin = [], np.inf
        for y in vs:
            if y is x or y.kind != x.kind or y.base_cost > x.base_cost:
                continue
            gap = x.cell_turns - y.cell_turns  # > 0: y saves more turns in that cell
            better = (gap > np.maximum(EQUAL_TURNS, 1.96 * gap_se(x, y, cell_se))).any()
            if (gap >= -EQUAL_TURNS).all() and (y.base_cost < x.base_cost or better):
                ys.append(y)
                margin = min(margin, float(max(gap.min(), 0.0)))
        if ys:
            ys.sort(key=lambda y: (y.base_cost, y.name))
            out.append((x, ys, margin))
    out.sort(key=lambda t: (-(t[0].base_cost - t[1][0].base_cost), -t[2], t[0].name))
    return out


def _cell(iv) -> str:
    est, ci = fmt_interval(iv, "")
    return f"{est} ({ci})" if ci[0].isdigit() or ci[0] == "-" else est


class Pairs:
    """What stage 2 says: the best pairs, shares of pairs carrying each enhancement, the policy check."""

    def __init__(self, ctx, names: list[str]):
        run = ctx.run
        self.attacks = Attacks.load(run, "stage2", ctx.session.rules)
        reader = ctx.reader("stage2")
        n = len(self.attacks)
        member = np.zeros((n, len(names)), dtype=bool)
        col = {e: k for k, e in enumerate(names)}
        for i, (u, lim) in enumerate(zip(self.attacks.upgrades, self.attacks.limits)):
            for e in (*u, *lim):
                if e in col:
                    member[i, col[e]] = True
        solos = Solos.load(run)
        carry_all = np.zeros(len(names), dtype=np.int64)
        total = 0
        self.check = WorseThanSolo(solos.overall, solos.se) if solos is not None else None
        best_pairs = TopBy(TOP_PAIRS, column_key("overall"), ("overall",), ("usage_a_profile", "usage_b_profile"),
                           ("a", "b"))
        for block in reader.blocks(["a", "b", "overall", "se", "usage_a_profile", "usage_b_profile"]):
            best_pairs.add(block)
            a, b = np.asarray(block["a"]), np.asarray(block["b"])
            carry_all += (member[a] | member[b]).sum(axis=0)
            total += len(a)
            if self.check is not None:
                self.check.add(block)
        self.total = total
        self.share_all = dict(zip(names, carry_all / max(total, 1)))
        top = best_pairs.result()
        a, b = np.asarray(top["a"], np.int64), np.asarray(top["b"], np.int64)  # typed even when empty
        self.top_n = len(a)
        carry = member[a] | member[b]
        self.share_top = dict(zip(names, carry.mean(axis=0) if len(a) else np.zeros(len(names))))
        # share of turns the attack(s) carrying each enhancement were used in the top pairs
        ua = np.asarray(top["usage_a_profile"], np.float64).mean(axis=1) if len(a) else np.zeros(0)
        ub = np.asarray(top["usage_b_profile"], np.float64).mean(axis=1) if len(a) else np.zeros(0)
        use = member[a] * ua[:, None] + member[b] * ub[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.usage_top = dict(zip(names, use.sum(axis=0) / carry.sum(axis=0)))
        self.confirmed = load_confirmed(run)
        self.runs = ctx.config.stage2.runs


def _best_pair_line(p: Pairs, ctx) -> str | None:
    c = p.confirmed
    if c is None or not len(c.get("a", [])):
        return None
    a, b = int(c["a"][0]), int(c["b"][0])
    iv_lo, iv_hi, est = float(c["ci_low"][0]), float(c["ci_high"][0]), float(c["overall"][0])
    e, ci = fmt_interval(Interval(est, iv_lo, iv_hi))
    tied = int(np.sum(c.get("tied_with_first", [True])))
    dist = ""
    if "turns_p50" in c:
        q, kills, outs = distribution_cells(c, 0, len(ctx.grid.cells) * ctx.config.stage2.confirm_runs)
        dist = (f" Its combats last {q.replace('/', ', ', 1).replace('/', ' and ', 1)} turns at the 10th, 50th and "
                f"90th percentile; {kills} are one-turn kills and {outs} reach the turn limit.")
    return (f"The best pair, `{p.attacks.label(a)}` + `{p.attacks.label(b)}`, wins in {e} turns ({ci}; confirmed "
            f"with {ctx.config.stage2.confirm_runs} runs per cell and fresh dice)"
            + (f"; {tied - 1} other confirmed pairs are statistically tied with it." if tied > 1 else ".") + dist)


class Findings:
    name = "findings"
    stage = "stage1"
    cost = 2.0  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        values = run_values(ctx)
        names = list(values.values)
        pairs = Pairs(ctx, names) if ctx.run.stage_complete("stage2") else None
        top_share = pairs.share_top if pairs else {}
        top_n = pairs.top_n if pairs else 0
        over, under = mis_costed(values)

        doc = Doc().h(1, "Findings")
        price_e, price_ci = fmt_interval(-values.price)
        slope_e, slope_ci = fmt_interval(-values.slope)
        doc.p("What to change, by how many points, and how sure we are. Values in points are stage-1 "
              "**screening** numbers: paired builds with and without each upgrade or limit, on the same dice, "
              "converted to points at the **price of a point**: the turns the median upgrade saves per point paid "
              f"(median of {len(values.market)} upgrades: {price_e} turns per point, {price_ci}). A value of N "
              "points means: as much as N points of a typical upgrade buy; the median upgrade is worth its cost. "
              f"Intervals are 95%, {interval_note(values)}, {values.replicates} replicates, the price redrawn "
              "with everything else. See *How values in points are measured* at the end.")
        in_turns = not values.in_points
        if in_turns:
            why = (f"the price of a point has an interval reaching 0 ({price_ci}), so a point does not reliably "
                   "buy turns and a ratio to it has no finite interval" if values.market else
                   "no upgrade was tested with and without it on the same build, so a point has no price")
            doc.p(f"**No values in points in this run**: {why}. Below, upgrades and limits are judged by the "
                  "turns they add or save (paired builds, same dice), which is measured precisely.")
            over = sorted((v for v in values.values.values() if v.turns.lo > 0),
                          key=lambda v: (-v.turns.est, v.name))
            under = sorted((v for v in values.values.values() if v.turns.hi < 0),
                           key=lambda v: (v.turns.est / max(v.cost, 1e-9), v.name))

        line = (lambda v: _turns_line(v, top_share, top_n)) if in_turns else (lambda v: _value_line(v, top_share, top_n))
        doc.h(2, "Over-costed (worth less than they cost)" if not in_turns else
              "Over-costed (they make the attacks carrying them slower, yet cost points)")
        doc.bullets([line(v) for v in over[:MAX_LINES]]
                    or ["None: no upgrade or limit is worth significantly less than its cost."])
        if len(over) > MAX_LINES:
            doc.p(f"… and {len(over) - MAX_LINES} more (the full table is below).")
        doc.h(2, "Under-costed (worth more than they cost)" if not in_turns else
              "Under-costed candidates (turns saved per point paid, most first)")
        doc.bullets([line(v) for v in under[:MAX_LINES]]
                    or ["None: no upgrade or limit is worth significantly more than its cost."])
        if len(under) > MAX_LINES:
            doc.p(f"… and {len(under) - MAX_LINES} more (the full table is below).")

        n_cells = len(values.cells)
        effect_se = cell_effect_se(ctx.reader("stage1"), Attacks.load(ctx.run, "stage1", ctx.session.rules), n_cells)
        dom = dominated(values, effect_se)
        doc.h(2, "Dominated options")
        doc.p(f"Compared in every one of the {n_cells} cells ({', '.join(values.cells)}), on stage-1 screening "
              "means (each enhancement's mean change of turns, builds with and without it); rivals are listed "
              "cheapest first. A rival at the same cost must be better beyond 1.96 standard errors in some cell. "
              "*Closest*: the smallest gap in turns between the option and a rival, in one cell, ± its standard "
              "error (the builds are the clusters; the two options' builds taken as independent, which "
              "overstates the error where builds carry both); where its 95% interval reaches 0 the two are "
              "tied there: the option is no better, not shown worse.")

        def dom_line(x, ys):
            y, c, gap, se = closest(x, ys, effect_se)
            tied = " (tied there)" if gap <= 1.96 * se else ""
            return (f"`{x.name}` (cost {x.base_cost:g}) is never better than "
                    + " or ".join(f"`{r.name}` (cost {r.base_cost:g})" for r in ys[:MAX_RIVALS])
                    + (f" (and {len(ys) - MAX_RIVALS} more)" if len(ys) > MAX_RIVALS else "")
                    + f": each saves at least as many turns in all {n_cells} cells; closest "
                    f"{fturns(gap, se) if se > 0 else fnum(gap)} "
                    f"turns apart, against `{y.name}` in {values.cells[c]}{tied}.")

        doc.bullets([dom_line(x, ys) for x, ys, _ in dom[:MAX_LINES]] or ["None found."])
        if len(dom) > MAX_LINES:
            doc.p(f"… and {len(dom) - MAX_LINES} more.")

        doc.h(2, "What the top pairs share")
        if pairs is None:
            doc.p("Stage 2 has not run.")
        else:
            lines = []
            best = _best_pair_line(pairs, ctx)
            if best:
                lines.append(best)
            common = sorted(names, key=lambda e: (-pairs.share_top[e], e))[:5]
            for e in common:
                if pairs.share_top[e] <= 0:
                    continue
                lines.append(
                    f"`{e}` is in {fpct(100 * pairs.share_top[e], 0)} of the top {fint(top_n)} pairs "
                    f"(screening, {pairs.runs} runs per cell) against {fpct(100 * pairs.share_all[e], 0)} of "
                    f"all {fint(pairs.total)} pairs tested; its attack takes "
                    f"{fpct(100 * pairs.usage_top[e], 0)} of the turns in those pairs.")
            doc.bullets(lines)
            doc.h(3, "Where stage 1 and stage 2 disagree")
            disagree = [e for e in common if pairs.share_top[e] >= 0.5
                        and not (values.values[e].points.lo > values.values[e].cost)
                        and not (in_turns and values.values[e] in under[:MAX_LINES])]
            doc.bullets([self._disagreement(values.values[e], pairs) for e in disagree]
                        or ["None: every enhancement common in the top pairs is also rated under-costed in stage 1."])

        doc.h(2, "Policy check")
        if pairs is None:
            doc.p("Stage 2 has not run.")
        elif pairs.check is None:
            doc.p("The run has no solo scores: the check cannot be made.")
        else:
            checked, worse, bad, paired = confirmed_check(ctx.run, pairs.confirmed)
            confirmed_line = [] if checked is None else [
                f"Of the confirmed top {fint(checked)} ({ctx.config.stage2.confirm_runs} runs per cell, fresh dice), "
                f"{fint(worse)} are slower than their better attack alone by more than {POLICY_SE:g} standard errors "
                "of the difference" + (" (paired: pair and solo on the same dice, every combat kept)" if paired else
                                       " (errors combined as independent: this run kept no per-combat turns)")
                + (": " + ", ".join(f"`{pairs.attacks.label(a)}` + `{pairs.attacks.label(b)}` by {x:.2f} turns"
                                    for a, b, x in bad[:MAX_RIVALS]) if bad else "") + "."]
            doc.bullets([
                f"{fint(pairs.check.worse)} of {fint(pairs.total)} pairs ({share_text(pairs.check)}) are slower than the "
                f"better of their two attacks alone by more than {POLICY_SE:g} combined standard errors "
                f"(screening, {pairs.runs} runs per cell; the standard errors are combined as if independent, "
                f"which overstates the error of a difference on shared dice, so the count is conservative; the "
                f"share's ± counts attacks, not pairs, as the independent units). "
                + ("A policy that never hurts would show none: the attack choice costs these pairs turns."
                   if pairs.check.worse else "The policy never makes a pair measurably worse than its better attack."),
                *confirmed_line,
            ])

        doc.h(2, "All upgrades and limits in points")
        doc.p("Value = points of a typical upgrade that buy what the enhancement buys (screening); "
              "Δ turns = mean change with it, all cells (negative = faster); intervals 95% (bootstrap as above). "
              "Per profile and per scenario the price of a point is that profile's (scenario's) own. A dash (–): "
              "a point does not reliably save turns there (the price's interval reaches 0), so no value in points "
              "is given.")
        headers = ["Enhancement", "Kind", "Cost", "Paid (mean)", "Value (points)", "95% CI", "Δ turns", "Δ turns 95% CI",
                   "Builds paired", *(f"vs {p}" for p in values.profiles), *(f"in {s}" for s in values.scenarios)]
        rows = []
        for v in sorted(values.values.values(), key=lambda v: (v.points.est - v.cost if np.isfinite(v.points.est)
                                                               else math.inf, v.name)):
            pe, pci = fmt_interval(v.points, "")
            te, tci = fmt_interval(v.turns, "")
            rows.append([f"`{v.name}`", v.kind, f"{v.base_cost:g}", f"{v.cost:.2f}", pe, pci, te, tci, fint(v.pairs),
                         *(_cell(iv) for iv in v.by_profile.values()),
                         *(_cell(iv) for iv in v.by_scenario.values())])
        doc.table(headers, rows)

        doc.h(2, "How values in points are measured")
        doc.bullets([
            "Every stage-1 build carrying the enhancement is paired with the same build without it (same "
            "attack type and other enhancements); both ran on the same dice in every cell (common random "
            "numbers), so the per-cell difference is the enhancement's effect.",
            f"The price of a point: the median, over the {len(values.market)} upgrades, of each one's mean change "
            "of turns per point paid (the same paired builds). It answers the question the slope of turns on "
            "cost among the plain builds (no limits) asks, one upgrade at a time: "
            f"that slope ({fint(values.plain_builds)} builds, within attack type) saves {slope_e} turns per "
            f"point ({slope_ci}), but across builds it mixes which upgrades a build has with how many points "
            "it spent, so it does not convert. A median is robust to up to half the upgrades being mis-costed.",
            "Value = mean difference over cells / the price; per profile and per scenario over "
            "their cells only, at their own price. Limits are valued in the same currency (they are bought with "
            "the same points); `stage1/fair_costs.md` gives each value back as the cost to set.",
            "The interval resamples whole builds (clusters: the combats of one build share its dice), "
            "never single combats, and in the same replicate the groups of runs whose dice every build of a "
            "cell shares (common random numbers: a builds-only interval would miss them); numbers are printed "
            "to the precision their interval allows.",
            "Over-/under-costed: the interval lies entirely below/above the cost paid. Stage 1 uses each "
            "single attack every turn; in pairs a policy chooses, so an enhancement can matter more (or "
            "less) in stage 2, which is why the two views are compared above.",
        ])
        doc.h(2, "Run")
        doc.bullets(settings_lines(ctx, "stage1"))
        out = ctx.out_dir / "findings.md"
        return [doc.write(out)]

    @staticmethod
    def _disagreement(v: PointValue, pairs: Pairs) -> str:
        if np.isfinite(v.points.est):
            est, ci = fmt_interval(v.points)
            verdict = "over-costed" if v.points.hi < v.cost else "not significantly different from its cost"
            rated = f"rates it {verdict} ({est} points for {fmt_cost(v)}, {ci})"
        else:
            est, ci = fmt_interval(v.turns)
            rated = (f"finds it changes turns per combat by {'+' if v.turns.est > 0 else ''}{est} ({ci}; negative = "
                     f"faster) for its cost of {fmt_cost(v)}")
        return (f"`{v.name}`: stage 1 {rated}, yet it is in "
                f"{fpct(100 * pairs.share_top[v.name], 0)} of the top {fint(pairs.top_n)} pairs. Stage 1 uses a "
                f"single attack every turn; in the top pairs the policy uses the attack carrying it for "
                f"{fpct(100 * pairs.usage_top[v.name], 0)} of the turns, so its worth there comes from how it "
                f"combines with the partner (for example a strong opener or a limit whose condition the other "
                f"attack sets up), which a single-attack screen cannot show.")


@hookimpl
def balance_reporters():
    return [Findings()]
