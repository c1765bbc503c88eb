"""The ``run_diff`` comparer (``balance diff``): what moved between run A and run B, and whether it is real.

Sections, each comparing like with like:

1. **Enhancement values in points** (:mod:`.point_values` on each run's stage 1: paired builds on
   the same dice, bootstrap over builds and the dice they share). The two runs are independent, so
   the interval of
   the change B − A combines the two intervals by MOVER (Zou & Donner 2008: each arm of the change's
   interval is the root sum of squares of the matching arms of the two intervals), which keeps the
   bootstrap intervals' asymmetry. Runs with the **same dice** (same master seed, cells and runs per
   cell: a die depends on nothing else, :mod:`balance.engine.dice`) are compared pair by pair
   instead (:func:`paired_enhancement_moves`): the change of each build pair's effect on turns,
   dice noise cancelled, which is the designer's loop of changing one rule and rerunning.
2. **Builds** (stage 1): each build's mean turns (each run's standard error; independent, so the
   change's standard error is the root sum of squares) and its rank in each run.
3. **Pairs** (the confirmation ranking: fresh dice, many runs per cell): the same for confirmed
   pairs present in both runs, and the top pairs that entered or left the top :data:`TOP_PAIRS`.
4. **Findings** that appeared or disappeared (:mod:`.findings`: mis-costed and dominated options),
   and how far a typical upgrade and limit is off its cost (:func:`.fair_costs.cost_error`).

**False positives.** A move is listed only when its interval excludes 0 at a *family-wise* level:
:data:`ALPHA` for the whole diff, split equally over the :data:`SECTIONS` sections that list moves
(enhancements, builds, pairs), and within a section over its K comparisons (Bonferroni: each at
ALPHA / (SECTIONS × K)). So a diff of two runs that differ only in their seed lists no move at all
with probability at least 1 − ALPHA = 95 %. Shown intervals are those simultaneous intervals.
Findings that appear or disappear are not such a test (each finding has its own 95 % criterion):
each says whether its enhancement's value moved beyond noise. Moves within noise are counted, not listed. Runs
made with the same seed share dice, and then the combined intervals are conservative (wider).
"""

from __future__ import annotations

import math
import re
from statistics import NormalDist

import attrs
import numpy as np

from balance.comparing import Comparison
from balance.hookspecs import hookimpl
from balance_plugins.reports.common import Doc, fint
from balance_plugins.reports.data import Attacks, load_confirmed
from balance_plugins.reports.fair_costs import cost_error, fair_costs
from balance_plugins.reports.findings import dominated, mis_costed
from balance_plugins.reports.point_values import (
    Interval, PointValue, PointValues, fmt_interval, interval_note, measure, pairs_of, read_cell_means,
)

#: Family-wise false-positive rate of the whole diff (any move listed by chance), and the sections
#: that list moves (enhancements, builds, pairs), which share it equally.
ALPHA = 0.05
SECTIONS = 3
#: The top of the confirmed ranking whose entries and exits are listed.
TOP_PAIRS = 10
#: Moves listed per section on the page, and on the console.
MAX_LINES = 15
CONSOLE_LINES = 5
Z95 = NormalDist().inv_cdf(0.975)


def z_family(k: int, alpha: float = ALPHA / SECTIONS) -> float:
    """The normal quantile of a two-sided simultaneous interval over ``k`` comparisons (Bonferroni)."""
    return NormalDist().inv_cdf(1 - alpha / (2 * max(k, 1)))


def mover(a: Interval, b: Interval, z: float = Z95) -> Interval:
    """B − A of two independent estimates, from their 95 % intervals, at the level of ``z`` (MOVER;
    each arm rescaled from 1.96 to ``z`` as a normal arm would be)."""
    s = z / Z95
    d = b.est - a.est
    lo = d - s * math.hypot(b.est - b.lo, a.hi - a.est)
    hi = d + s * math.hypot(b.hi - b.est, a.est - a.lo)
    return Interval(d, lo, hi)


def normal_change(mean_a: float, se_a: float, mean_b: float, se_b: float, z: float) -> Interval:
    d, se = mean_b - mean_a, math.hypot(se_a, se_b)
    return Interval(d, d - z * se, d + z * se)


def real(iv: Interval) -> bool:
    return bool(iv.lo > 0 or iv.hi < 0)


def signed(iv: Interval) -> str:
    est, ci = fmt_interval(iv, "")
    est = est if est.startswith("-") or est == "–" else f"+{est}"
    return f"{est} ({ci})" if ci[:1].isdigit() or ci[:1] == "-" else est


@attrs.frozen
class Move:
    label: str
    a: str
    b: str
    change: Interval
    rank_a: int | None = None
    rank_b: int | None = None


@attrs.frozen
class Section:
    """Moves of one kind of item: the listed ones (beyond noise), biggest first, and the counts."""

    moves: list[Move]
    compared: int
    only_a: int
    only_b: int
    unit: str

    @property
    def within_noise(self) -> int:
        return self.compared - len(self.moves)

    def summary(self, what: str) -> str:
        extra = ""
        if self.only_a or self.only_b:
            extra = f"; {fint(self.only_a)} only in A, {fint(self.only_b)} only in B"
        return (f"{what}: {fint(self.compared)} compared, {len(self.moves)} moved beyond noise, "
                f"{fint(self.within_noise)} within noise{extra}")


# -- enhancements --------------------------------------------------------------------------------


def enhancement_moves(va: PointValues, vb: PointValues) -> Section:
    """Each enhancement's value in points, A -> B (in turns where a run has no values in points)."""
    in_points = va.in_points and vb.in_points

    def iv(v):
        return v.points if in_points else v.turns

    names = [n for n in va.values if n in vb.values
             and all(np.isfinite([iv(v).est, iv(v).lo, iv(v).hi]).all() for v in (va.values[n], vb.values[n]))]
    z = z_family(len(names))
    moves = []
    for n in names:
        a, b = iv(va.values[n]), iv(vb.values[n])
        change = mover(a, b, z)
        if real(change):
            moves.append(Move(f"`{n}` ({va.values[n].kind})", fmt_interval(a)[0], fmt_interval(b)[0], change))
    moves.sort(key=lambda m: (-abs(m.change.est), m.label))
    return Section(moves, len(names), len(set(va.values) - set(vb.values)), len(set(vb.values) - set(va.values)),
                   "points" if in_points else "turns")


def price_change(va: PointValues, vb: PointValues) -> str:
    """The price of a point in both runs and its change: every value in points is relative to its own
    run's price, so a change to one upgrade (a member of the price's median) moves every value a little."""
    a, b = -va.price, -vb.price
    change = mover(a, b)
    return (f"**Price of a point** (turns the median upgrade saves per point paid): {fmt_interval(a)[0]} "
            f"({fmt_interval(a)[1]}) -> {fmt_interval(b)[0]} ({fmt_interval(b)[1]}), change {signed(change)}. "
            "Values in points are each run's own: a rule change that moves the price moves every value a "
            "little, the enhancements the change did not touch too.")


def _notes(va: PointValues, vb: PointValues) -> str:
    a, b = interval_note(va), interval_note(vb)
    return a if a == b else f"intervals: A's a {a}; B's a {b}"


def same_dice(ctx) -> bool:
    """Whether stage 1 of both runs rolled the same dice for every build: a die depends only on the
    master seed, the cell and the run index (balance.engine.dice), so the same seed, the same cells
    and the same runs per cell mean the same dice, whatever builds the rules allow."""
    a, b = ctx.a, ctx.b
    if a.run.summary().info.master_seed != b.run.summary().info.master_seed:
        return False
    cells_a = a.run.stage_reader("stage1").schema.column("cell_mean").labels
    cells_b = b.run.stage_reader("stage1").schema.column("cell_mean").labels
    settings = [(c.config.stage1.runs, tuple((r.runs, r.keep_percent) for r in c.config.stage1.rounds))
                for c in (a, b)]
    return tuple(cells_a) == tuple(cells_b) and settings[0] == settings[1]


def paired_enhancement_moves(ctx, atk_a: Attacks, atk_b: Attacks) -> Section:
    """Same dice in both runs: each enhancement's change of effect, pair by pair. For a build pair
    (with / without it) present in both runs, ``c = Δ_B − Δ_A`` (mean over cells) is the change
    the rules made on identical dice; the change's interval is the mean of ``c`` ± z standard
    errors over the pairs (clusters: one build pair)."""
    n_cells = ctx.a.run.stage_reader("stage1").schema.column("cell_mean").width
    ta = read_cell_means(ctx.a.reader("stage1"), len(atk_a), n_cells)
    tb = read_cell_means(ctx.b.reader("stage1"), len(atk_b), n_cells)
    where_b = {x: j for j, x in enumerate(atk_b.ids)}
    pa, pb = pairs_of(atk_a), pairs_of(atk_b)
    kinds = dict(zip(atk_a.enh.names, atk_a.enh.kinds))
    found = {}
    for name, (w, wo) in pa.items():
        jw = np.array([where_b.get(atk_a.ids[i], -1) for i in w], dtype=np.int64)
        jwo = np.array([where_b.get(atk_a.ids[i], -1) for i in wo], dtype=np.int64)
        ok = (jw >= 0) & (jwo >= 0)
        if not ok.any():
            continue
        w, wo, jw, jwo = w[ok], wo[ok], jw[ok], jwo[ok]
        da, db = (ta[w] - ta[wo]).mean(axis=1), (tb[jw] - tb[jwo]).mean(axis=1)
        fine = np.isfinite(da) & np.isfinite(db)
        if fine.sum() >= 2:
            found[name] = (da[fine], db[fine])
    z = z_family(len(found))
    moves = []
    for name, (da, db) in found.items():
        c = db - da
        se = float(c.std(ddof=1) / np.sqrt(len(c)))
        change = Interval(float(c.mean()), float(c.mean() - z * se), float(c.mean() + z * se))
        if real(change):
            moves.append(Move(f"`{name}` ({kinds.get(name, 'upgrade')})", f"{da.mean():.2f}", f"{db.mean():.2f}",
                              change))
    moves.sort(key=lambda m: (-abs(m.change.est), m.label))
    return Section(moves, len(found), len(set(pa) - set(pb)), len(set(pb) - set(pa)), "turns")


# -- builds --------------------------------------------------------------------------------------


@attrs.frozen
class Scores:
    """One score per labelled item (a build, a pair) with its standard error and rank (1 = best)."""

    labels: tuple[str, ...]
    mean: np.ndarray
    se: np.ndarray

    @property
    def ranks(self) -> np.ndarray:
        order = np.lexsort((np.arange(len(self.mean)), self.mean))
        ranks = np.empty(len(order), dtype=np.int64)
        ranks[order] = np.arange(1, len(order) + 1)
        return ranks


def build_scores(ctx, attacks: Attacks) -> Scores:
    mean = np.full(len(attacks), np.nan)
    se = np.full(len(attacks), np.nan)
    for block in ctx.reader("stage1").blocks(["attack", "overall", "se"]):
        i = np.asarray(block["attack"])
        mean[i], se[i] = block["overall"], block["se"]
    keep = np.isfinite(mean)
    return Scores(tuple(attacks.ids[i] for i in np.flatnonzero(keep)), mean[keep], se[keep])


def pair_scores(ctx) -> Scores | None:
    """The confirmed pairs (fresh dice, many runs), labelled by both builds in a fixed order."""
    if not ctx.run.stage_complete("stage2"):
        return None
    confirmed = load_confirmed(ctx.run)
    if confirmed is None or not len(confirmed.get("a", [])):
        return None
    attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
    labels = tuple(" + ".join(sorted((f"[{attacks.label(a)}]", f"[{attacks.label(b)}]")))
                   for a, b in zip(confirmed["a"], confirmed["b"]))
    return Scores(labels, np.asarray(confirmed["overall"], float), np.asarray(confirmed["se"], float))


def score_moves(sa: Scores, sb: Scores, unit: str = "turns") -> Section:
    ia, ib = {x: i for i, x in enumerate(sa.labels)}, {x: i for i, x in enumerate(sb.labels)}
    common = [x for x in sa.labels if x in ib]
    z = z_family(len(common))
    ra, rb = sa.ranks, sb.ranks
    moves = []
    for x in common:
        i, j = ia[x], ib[x]
        change = normal_change(sa.mean[i], sa.se[i], sb.mean[j], sb.se[j], z)
        if real(change):
            moves.append(Move(f"`{x}`", f"{sa.mean[i]:.2f}", f"{sb.mean[j]:.2f}", change, int(ra[i]), int(rb[j])))
    moves.sort(key=lambda m: (-abs(m.change.est), m.label))
    return Section(moves, len(common), len(sa.labels) - len(common), len(sb.labels) - len(common), unit)


def top_changes(sa: Scores, sb: Scores, top: int = TOP_PAIRS) -> tuple[list[str], list[str]]:
    """(entered, left) the top ``top`` of the ranking, each as a sentence with both ranks."""
    ra, rb = sa.ranks, sb.ranks
    ia, ib = {x: i for i, x in enumerate(sa.labels)}, {x: i for i, x in enumerate(sb.labels)}
    top_a = {x for x, r in zip(sa.labels, ra) if r <= top}
    top_b = {x for x, r in zip(sb.labels, rb) if r <= top}

    def line(x: str, here: Scores, i: int, r: int, there: Scores, where: dict, ranks: np.ndarray, name: str) -> str:
        text = f"`{x}`: rank {r} ({here.mean[i]:.2f} ± {here.se[i]:.2f} turns)"
        if x in where:
            j = where[x]
            return text + f"; in {name} rank {int(ranks[j])} ({there.mean[j]:.2f} ± {there.se[j]:.2f})"
        return text + f"; not among {name}'s {fint(len(there.labels))} confirmed pairs"

    entered = sorted((x for x in top_b - top_a), key=lambda x: rb[ib[x]])
    left = sorted((x for x in top_a - top_b), key=lambda x: ra[ia[x]])
    return ([line(x, sb, ib[x], int(rb[ib[x]]), sa, ia, ra, "A") for x in entered],
            [line(x, sa, ia[x], int(ra[ia[x]]), sb, ib, rb, "B") for x in left])


# -- findings ------------------------------------------------------------------------------------


def finding_set(values: PointValues) -> dict[str, str]:
    """Key -> sentence of each finding of :mod:`.findings` about costs and dominance."""
    out = {}
    if values.in_points:
        over, under = mis_costed(values)
        out |= {f"over:{v.name}": f"`{v.name}` over-costed (worth less than its cost)" for v in over}
        out |= {f"under:{v.name}": f"`{v.name}` under-costed (worth more than its cost)" for v in under}
    else:
        out |= {f"over:{v.name}": f"`{v.name}` makes attacks slower yet costs points"
                for v in values.values.values() if v.turns.lo > 0}
    for x, ys, _ in dominated(values):
        out[f"dominated:{x.name}"] = f"`{x.name}` dominated (never better than `{ys[0].name}`, no dearer)"
    return out


# -- the comparer --------------------------------------------------------------------------------


def _moves_table(doc: Doc, section: Section, ranks: bool) -> None:
    if not section.moves:
        doc.p("None beyond noise.")
        return
    headers = ["Item", "A", "B", f"Change B − A ({section.unit}), simultaneous 95% CI"]
    if ranks:
        headers += ["Rank A", "Rank B"]
    rows = [[m.label, m.a, m.b, signed(m.change), *([fint(m.rank_a), fint(m.rank_b)] if ranks else [])]
            for m in section.moves[:MAX_LINES]]
    doc.table(headers, rows)
    if len(section.moves) > MAX_LINES:
        doc.p(f"… and {len(section.moves) - MAX_LINES} more beyond noise.")


def _console(section: Section, what: str, ranks: bool) -> list[str]:
    lines = [section.summary(what)]
    for m in section.moves[:CONSOLE_LINES]:
        rank = f", rank {m.rank_a} -> {m.rank_b}" if ranks else ""
        lines.append(f"  {m.label.replace('`', '')}: {m.a} -> {m.b} {section.unit}, "
                     f"change {signed(m.change)}{rank}")
    return lines


class RunDiff:
    name = "run_diff"

    def compare(self, ctx) -> Comparison:
        atk_a = Attacks.load(ctx.a.run, "stage1", ctx.a.session.rules)
        atk_b = Attacks.load(ctx.b.run, "stage1", ctx.b.session.rules)
        va, vb = measure(ctx.a.reader("stage1"), atk_a), measure(ctx.b.reader("stage1"), atk_b)
        doc = Doc()
        console: list[str] = []
        level = (f"simultaneous level (Bonferroni: {100 * ALPHA:g}% family-wise for the whole diff, shared by its "
                 f"{SECTIONS} sections)")

        if same_dice(ctx):
            enh = paired_enhancement_moves(ctx, atk_a, atk_b)
            doc.h(2, "Enhancement effects (turns, same dice in both runs)")
            doc.p(f"{enh.summary('Upgrades and limits')}. Both runs rolled the same dice for every build (same "
                  "master seed, cells and runs per cell), so each enhancement is compared pair by pair: for every "
                  "build pair with and without it present in both runs, the change of its effect on turns "
                  "(B − A, mean over cells) is what the rules changed, dice noise cancelled. A and B: its mean "
                  f"effect on turns over those pairs (negative = faster). Interval: ± z standard errors over the "
                  f"pairs at a {level}. Biggest change first.")
            what = "enhancement effects (turns, same dice)"
        else:
            enh = enhancement_moves(va, vb)
            doc.h(2, f"Enhancement values ({enh.unit})")
            doc.p(f"{enh.summary('Upgrades and limits')}. Stage-1 screening values (paired builds on the same "
                  f"dice, 95% {_notes(va, vb)}); the runs rolled different dice, so the "
                  "change's interval combines the two runs' intervals as independent (MOVER), widened to a "
                  f"{level}. Biggest change first.")
            what = f"enhancement values ({enh.unit})"
            if enh.unit == "points":
                price_line = price_change(va, vb)
                doc.p(price_line)
                console.append(price_line.replace("**", ""))
        _moves_table(doc, enh, ranks=False)
        console += _console(enh, what, ranks=False)
        console += cost_changes(doc, va, vb)

        sa, sb = build_scores(ctx.a, atk_a), build_scores(ctx.b, atk_b)
        builds = score_moves(sa, sb)
        doc.h(2, "Builds (stage 1)")
        touched, touched_console = "", ""
        if same_dice(ctx):
            where_b = {x: j for j, x in enumerate(sb.labels)}
            n_any = sum(sa.mean[i] != sb.mean[where_b[x]] for i, x in enumerate(sa.labels) if x in where_b)
            touched = (f" On the same dice, {fint(n_any)} of the {fint(builds.compared)} builds in both runs "
                       "changed at all (the others rolled and scored exactly alike).")
            touched_console = f"  changed at all on the same dice: {fint(n_any)} of {fint(builds.compared)}"
        doc.p(f"{builds.summary('Builds')}. Mean turns over all cells (screening, each run's standard error, "
              f"combined as independent, which is conservative on shared dice), listed where the change exceeds "
              f"the combined uncertainty at a {level}; rank 1 = fewest turns.{touched}")
        _moves_table(doc, builds, ranks=True)
        console += _console(builds, "builds (stage 1 mean turns)", ranks=True)
        console += [touched_console] if touched_console else []

        pa, pb = pair_scores(ctx.a), pair_scores(ctx.b)
        doc.h(2, "Pairs (confirmation ranking)")
        if pa is None or pb is None:
            doc.p("Not compared: " + ("neither run has" if pa is None and pb is None else
                                      "run A has no" if pa is None else "run B has no")
                  + " confirmed stage-2 pairs.")
            console.append("pairs: not compared (a run has no confirmed stage-2 pairs)")
        else:
            pairs = score_moves(pa, pb)
            doc.p(f"{pairs.summary('Confirmed pairs in both runs')}. Confirmed means (fresh dice), listed where the "
                  f"change exceeds the combined uncertainty at a {level}.")
            _moves_table(doc, pairs, ranks=True)
            entered, left = top_changes(pa, pb)
            doc.h(3, f"Entered the top {TOP_PAIRS}")
            doc.bullets(entered or ["None."])
            doc.h(3, f"Left the top {TOP_PAIRS}")
            doc.bullets(left or ["None."])
            doc.p("A pair can enter or leave the top by a move within noise when its neighbours are tied; "
                  "the means ± standard errors say how close it was.")
            console += _console(pairs, "pairs (confirmed mean turns)", ranks=True)
            console.append(f"top {TOP_PAIRS} pairs: {len(entered)} entered, {len(left)} left")

        fa, fb = finding_set(va), finding_set(vb)
        appeared, gone = sorted(set(fb) - set(fa)), sorted(set(fa) - set(fb))
        doc.h(2, "Findings")
        moved = {m.label.split("`")[1] for m in enh.moves}

        def is_backed(text: str) -> bool:
            return any(name in moved for name in re.findall(r"`([^`]+)`", text))

        def backed(key: str, text: str) -> str:
            return text + ("; an enhancement it names moved beyond noise" if is_backed(text) else
                           "; no enhancement it names moved beyond noise (a borderline finding in one run)")

        doc.p(f"Findings about costs and dominance (findings.md): {len(set(fa) & set(fb))} in both runs. Each "
              "finding has its own 95% criterion, so a borderline one can flip between two runs by chance: each "
              "line says whether the enhancement's value moved beyond noise.")
        doc.h(3, "Appeared in B")
        doc.bullets([backed(k, fb[k]) for k in appeared] or ["None."])
        doc.h(3, "Gone from A")
        doc.bullets([backed(k, fa[k]) for k in gone] or ["None."])
        real_flips = sum(is_backed({**fa, **fb}[k]) for k in [*appeared, *gone])
        console.append(f"findings: {len(appeared)} appeared, {len(gone)} disappeared ({real_flips} of these backed "
                       f"by a value move beyond noise), {len(set(fa) & set(fb))} in both")
        console += [f"  + {backed(k, fb[k]).replace('`', '')}" for k in appeared[:CONSOLE_LINES]]
        console += [f"  - {backed(k, fa[k]).replace('`', '')}" for k in gone[:CONSOLE_LINES]]

        doc.h(2, "How far costs are off")
        doc.p("The median, over each kind, of |value in points ÷ points paid − 1| (0 = every one worth exactly its "
              "cost; each run at its own price of a point); 95% intervals (stage1/fair_costs.md and "
              "docs/findings.md explain the method). A fair-cost change should make it shrink.")
        rows = []
        for kind in ("upgrade", "limit"):
            sa, sb = cost_error(va, kind), cost_error(vb, kind)
            if np.isfinite([sa.lo, sa.hi, sb.lo, sb.hi]).all():
                change = mover(sa, sb)
                rows.append([f"{kind}s", "{} ({})".format(*fmt_interval(sa)), "{} ({})".format(*fmt_interval(sb)),
                             signed(change)])
                console.append(f"typical cost error, {kind}s: {fmt_interval(sa)[0]} -> "
                               f"{fmt_interval(sb)[0]}, change {signed(change)}")
        doc.table(["Kind", "A", "B", "Change B − A (95% CI)"], rows) if rows else doc.p("Not measurable.")
        return Comparison(self.name, tuple(console), doc.text())


def cost_changes(doc: Doc, va: PointValues, vb: PointValues) -> list[str]:
    """The enhancements whose cost differs between the runs (a cost change in the rule table, a
    sweep of one): the same effect on turns is bought at another price, so their value per point
    and their fair cost (stage1/fair_costs.md) are shown in both runs, listed whatever the noise."""
    changed = [n for n, v in va.values.items() if n in vb.values and v.base_cost != vb.values[n].base_cost]
    if not changed:
        return []
    fa = {f.name: f for f in fair_costs(va)}
    fb = {f.name: f for f in fair_costs(vb)}

    def per_point(v: PointValue) -> str:
        if v.cost <= 0:
            return "–"
        return "{} ({})".format(*fmt_interval(v.turns.scaled(1 / v.cost)))

    def fair(f) -> str:
        return "{} ({})".format(*fmt_interval(f.fair)) if f is not None and np.isfinite(f.fair.est) else "–"

    doc.h(2, "Enhancements whose cost changed")
    doc.p("Listed whatever the noise: the effect on turns may stay the same while its price moves. Turns per point "
          "paid: its effect on turns (negative = faster) divided by the points its carriers paid for it, 95% "
          "bootstrap interval (screening; over builds and shared dice where the runs keep dice groups); fair cost: "
          "its value in points at the run's price of a "
          "point (stage1/fair_costs.md), in base-cost units.")
    rows, lines = [], []
    for n in changed:
        a, b = va.values[n], vb.values[n]
        rows.append([f"`{n}` ({a.kind})", f"{a.base_cost:g}", f"{b.base_cost:g}", per_point(a), per_point(b),
                     fair(fa.get(n)), fair(fb.get(n))])
        lines.append(f"cost changed: {n} {a.base_cost:g} -> {b.base_cost:g}; turns per point paid "
                     f"{per_point(a)} -> {per_point(b)}; fair cost {fair(fa.get(n))} -> {fair(fb.get(n))}")
    doc.table(["Enhancement", "Cost A", "Cost B", "Turns per point paid A", "Turns per point paid B",
               "Fair cost A", "Fair cost B"], rows)
    return lines


@hookimpl
def balance_comparers():
    return [RunDiff()]
