"""``stage1/fair_costs.md``: for each upgrade and limit, the cost at which it would be worth what it
costs, at the price of a point of :mod:`.point_values`, with a 95 % interval.

Limits cost points like upgrades (they are bought from the same budget), so one currency prices
both: the **price of a point** (the median upgrade's change of turns per point paid), the same
price that converts findings.md's values to points. The fair cost is the value in points, given
back in the rule system's base cost (an area type's carriers pay double; the suggestion is the
catalog's number)::

    fair_cost_e = Δturns_e / price × base_cost_e / paid_e = points_e × base_cost_e / paid_e

so findings.md's "worth N points for its cost of C" and this page's suggestion are the same
figure, and both say *over-costed* (*lower*) exactly when the interval lies below the cost paid.

**Interval.** The value in points' own (:mod:`.point_values`: whole builds and the dice groups
every build of a cell shares, the price recomputed in every replicate), scaled the same way. Where
the price's interval reaches 0 no value in points exists, hence no fair cost.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import Doc, out_path, settings_lines
from balance_plugins.reports.point_values import (
    Interval, PointValues, fmt_interval, interval_note, run_values,
)

#: Suggestions listed before the full table.
MAX_LINES = 12


@attrs.frozen
class FairCost:
    name: str
    kind: str
    base_cost: float
    #: Points its carriers paid on average (type factors included).
    paid: float
    #: Turns it adds per point paid (negative = saves), its own.
    per_point: Interval
    #: The fair cost in base-cost units; nan where none exists.
    fair: Interval

    @property
    def slows(self) -> bool:
        """Its carriers are slower (its effect per point is above 0 turns, interval included)."""
        return bool(self.per_point.lo > 0)

    @property
    def verdict(self) -> str:
        if self.slows:
            return "no positive cost is fair: it makes attacks slower"
        if not (np.isfinite(self.fair.lo) and np.isfinite(self.fair.hi)):
            return "no fair cost: no price of a point in this run"
        if self.fair.hi < self.base_cost:
            return "lower"
        if self.fair.lo > self.base_cost:
            return "raise"
        return "keep (within noise)"


def fair_costs(values: PointValues) -> list[FairCost]:
    """The fair cost of every enhancement with an effect on turns and a cost."""
    out = []
    for v in values.values.values():
        if not (np.isfinite(v.turns.lo) and np.isfinite(v.turns.hi)) or v.cost <= 0:
            continue
        scale = v.base_cost / v.cost  # paid -> base cost
        out.append(FairCost(v.name, v.kind, v.base_cost, v.cost, v.turns.scaled(1 / v.cost), v.points.scaled(scale)))
    return out


def cost_error(values: PointValues, kind: str) -> Interval:
    """How far a typical enhancement of ``kind`` is from being worth what it costs: the median, over
    the kind, of ``|value in points / points paid - 1|`` (0 = every one worth exactly its cost; 1 = a
    typical one off by its whole cost). Recomputed in every replicate of the point values' bootstrap
    (every enhancement and the price on the same draw); NaN without a price of a point."""
    vs = [v for v in values.values.values()
          if v.kind == kind and v.cost > 0 and np.isfinite(v.points.est) and len(v.turn_reps)]
    if not vs or not values.in_points or len(values.price_reps) != len(vs[0].turn_reps):
        return Interval(float("nan"), float("nan"), float("nan"))
    est = float(np.median([abs(v.points.est / v.cost - 1) for v in vs]))
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = np.median(np.stack([np.abs(v.turn_reps / values.price_reps / v.paid_reps - 1) for v in vs]), axis=0)
    if not np.isfinite(reps).all():
        return Interval(est, float("nan"), float("nan"))
    lo, hi = np.percentile(reps, [2.5, 97.5])
    return Interval(est, float(lo), float(hi))


def _cost(x: float) -> str:
    return f"{x:g}"


class FairCosts:
    name = "fair_costs"
    stage = "stage1"
    cost = 6.2  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)

    def write(self, ctx):
        values = run_values(ctx)
        found = fair_costs(values)
        doc = Doc().h(1, "Fair-cost suggestions")
        price_e, price_ci = fmt_interval(-values.price)
        doc.p("For each upgrade and limit: the cost at which it would be worth what it costs. Limits are bought "
              "with the same points as upgrades, so both are priced in one currency, the **price of a point**: "
              f"the turns the median upgrade saves per point paid ({price_e} turns per point, {price_ci}), the "
              "price findings.md converts with. Fair cost = its value in points (its change of turns / the price), "
              "in the rule system's base cost: the same figure as findings.md's \"worth N points\". Stage-1 "
              "**screening** numbers: paired builds with and without it on the same dice; 95% intervals from the "
              f"point values' {interval_note(values)}, the price recomputed in every replicate. "
              "Method: docs/findings.md, *Fair costs*.")
        if not values.in_points:
            doc.p("**No fair costs in this run**: the price of a point's interval reaches 0 (a point of a typical "
                  "upgrade does not reliably save turns), so no cost can be given in points; findings.md judges "
                  "by turns instead.")
        moves = sorted((f for f in found if f.verdict in ("lower", "raise")),
                       key=lambda f: (-abs(f.fair.est - f.base_cost), f.name))
        doc.h(2, "Costs to change")
        doc.p("Biggest change first; a cost is a whole number in the game, so round toward the interval.")
        doc.bullets([self._line(f) for f in moves[:MAX_LINES]]
                    or ["None: every fair cost's interval contains the current cost."])
        if len(moves) > MAX_LINES:
            doc.p(f"… and {len(moves) - MAX_LINES} more (the full table is below).")
        slow = [f for f in found if f.slows]
        if slow:
            doc.h(2, "Slower with it, at any cost")
            doc.bullets([f"`{f.name}` ({f.kind}) adds {fmt_interval(f.per_point)[0]} turns per point paid "
                         f"({fmt_interval(f.per_point)[1]}) to the attacks carrying it: no cost makes it fair; "
                         "its effect needs changing, not its cost." for f in slow])
        for kind in ("upgrade", "limit"):
            err = cost_error(values, kind)
            if np.isfinite(err.est):
                est, ci = fmt_interval(err)
                doc.p(f"A typical {kind}'s value is off its cost by {est} of that cost ({ci}; the median over "
                      f"the {kind}s of |worth ÷ cost paid − 1|; 0 would mean every {kind} worth exactly its cost).")
        doc.h(2, "Every upgrade and limit")
        rows = []
        for f in sorted(found, key=lambda f: (f.kind, f.name)):
            fe, fci = fmt_interval(f.fair, "")
            pe, pci = fmt_interval(f.per_point, "")
            rows.append([f"`{f.name}`", f.kind, _cost(f.base_cost), f"{f.paid:.2f}", f"{pe} ({pci})", fe, fci,
                         f.verdict])
        doc.table(["Enhancement", "Kind", "Cost", "Paid (mean)", "Δ turns per point paid (95% CI)",
                   "Fair cost", "95% CI", "Suggestion"], rows)
        skipped = sorted(set(values.values) - {f.name for f in found})
        if skipped:
            doc.p("Not suggested (no cost or no interval): " + ", ".join(f"`{n}`" for n in skipped) + ".")
        doc.h(2, "Run")
        doc.bullets(settings_lines(ctx, "stage1"))
        return [doc.write(out_path(ctx, self.stage, "fair_costs.md"))]

    @staticmethod
    def _line(f: FairCost) -> str:
        est, ci = fmt_interval(f.fair)
        return (f"`{f.name}` ({f.kind}): {f.verdict} its cost from {_cost(f.base_cost)} to about {est} ({ci}); "
                f"it saves {fmt_interval(-f.per_point)[0]} turns per point paid.")


@hookimpl
def balance_reporters():
    return [FairCosts()]
