"""``stage1/fair_costs.md``: for each upgrade and limit, the cost that would bring its value per point to the
median of its peers (the other enhancements of its kind), with a 95 % interval.

Value per point of ``e`` is ``points_e / cost_e`` (:mod:`.point_values`). ``points = Δturns / price``
with one price of a point for every enhancement, so the price cancels from the fair cost::

    fair_cost_e = Δturns_e / median over peers p of (Δturns_p / cost_p)

(costs are the points carriers paid; the suggestion is given back in the rule system's base cost).
``Δturns`` is each enhancement's paired effect on the same dice, measured precisely even where a
value in points has no interval.

**Interval.** The point values' bootstrap (:mod:`.point_values`: whole builds and the dice groups
every build of a cell shares) gives each enhancement's ``Δturns`` and points paid per replicate, all
enhancements redrawn in the same replicate on the same dice draw; the fair cost is recomputed in every
replicate (the peers' median too), and its 2.5 and 97.5 percentiles are its interval. Where the
peers' median effect per point can reach 0 (or has the wrong sign), no finite fair cost exists and
none is given.
"""

from __future__ import annotations


import attrs
import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.reports.common import Doc, fint, out_path, settings_lines
from balance_plugins.reports.point_values import (
    Interval, PointValue, PointValues, fmt_interval, interval_note, run_values,
)

#: Peers an enhancement needs for a median to compare with.
MIN_PEERS = 2
#: Suggestions listed before the full table.
MAX_LINES = 12


@attrs.frozen
class FairCost:
    name: str
    kind: str
    base_cost: float
    #: Points its carriers paid on average (type factors included).
    paid: float
    #: Turns saved per point paid (negative = saves), its own.
    per_point: Interval
    #: The peers' median turns per point paid.
    peers_median: Interval
    peers: int
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
        if not np.isfinite(self.fair.lo):
            return "no fair cost: the peers' effect per point or its own has no finite ratio"
        if self.fair.hi < self.base_cost:
            return "lower"
        if self.fair.lo > self.base_cost:
            return "raise"
        return "keep (within noise)"


def _percentiles(est: float, reps: np.ndarray) -> Interval:
    if not np.isfinite(est) or not np.isfinite(reps).all():
        return Interval(float(est), float("nan"), float("nan"))
    lo, hi = np.percentile(reps, [2.5, 97.5])
    return Interval(float(est), float(lo), float(hi))


def usable(values: PointValues) -> list[PointValue]:
    return [v for v in values.values.values()
            if np.isfinite(v.turns.lo) and np.isfinite(v.turns.hi) and v.cost > 0]


def per_point_reps(vs: list[PointValue]) -> np.ndarray:
    """(replicates, enhancements): each enhancement's Δturns per point paid in every bootstrap
    replicate, one column per enhancement of ``vs``."""
    if not vs:
        return np.zeros((0, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack([v.turn_reps / v.paid_reps for v in vs], axis=1)


def fair_costs(values: PointValues) -> list[FairCost]:
    """The fair cost of every enhancement with at least :data:`MIN_PEERS` peers of its kind."""
    vs = usable(values)
    per = per_point_reps(vs)
    est = np.array([v.turns.est / v.cost for v in vs])
    out = []
    for i, v in enumerate(vs):
        peers = [j for j, p in enumerate(vs) if p.kind == v.kind and j != i]
        if len(peers) < MIN_PEERS:
            continue
        m_est, m_reps = float(np.median(est[peers])), np.median(per[:, peers], axis=1)
        median = _percentiles(m_est, m_reps)
        own = Interval(float(est[i]), v.turns.lo / v.cost, v.turns.hi / v.cost)
        scale = v.base_cost / v.cost  # paid -> base cost
        if median.hi < 0 and (m_reps != 0).all():  # the peers' points reliably save turns: a finite ratio
            fair = _percentiles(v.turns.est / m_est * scale, v.turn_reps / m_reps * scale)
        elif median.hi < 0:  # a draw of the peers' median is 0 (peers without effect): no finite interval
            fair = Interval(v.turns.est / m_est * scale, float("nan"), float("nan"))
        else:
            fair = Interval(float("nan"), float("nan"), float("nan"))
        out.append(FairCost(v.name, v.kind, v.base_cost, v.cost, own, median, len(peers), fair))
    return out


def value_per_point_spread(values: PointValues, kind: str) -> Interval:
    """How unequal the value per point of one kind is: the median absolute deviation of each
    enhancement's turns per point paid from the kind's median, relative to that median (0 = every
    enhancement equally worth its cost; 0.5 = a typical one is 50 % off). Interval as above."""
    vs = [v for v in usable(values) if v.kind == kind]
    if len(vs) < MIN_PEERS + 1:
        return Interval(float("nan"), float("nan"), float("nan"))
    per = per_point_reps(vs)
    est = np.array([v.turns.est / v.cost for v in vs])

    def mad(x: np.ndarray) -> np.ndarray:
        med = np.median(x, axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.median(np.abs(x - med), axis=-1) / np.abs(med[..., 0])

    return _percentiles(float(mad(est)), mad(per))


def _cost(x: float) -> str:
    return f"{x:g}"


class FairCosts:
    name = "fair_costs"
    stage = "stage1"

    def write(self, ctx):
        values = run_values(ctx)
        found = fair_costs(values)
        doc = Doc().h(1, "Fair-cost suggestions")
        doc.p("For each upgrade and limit: the cost that would bring its value per point to the median of its "
              "peers (the other enhancements of its kind). Stage-1 **screening** numbers: paired builds with and "
              "without it on the same dice. Fair cost = its change of turns / the peers' median change of turns "
              "per point paid; 95% intervals from the point values' "
              f"{interval_note(values)}, the fair cost and the peers' median recomputed in every replicate. "
              "Method: docs/findings.md, *Fair costs*.")
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
            spread = value_per_point_spread(values, kind)
            if np.isfinite(spread.est):
                est, ci = fmt_interval(spread)
                doc.p(f"Spread of value per point among {kind}s (median absolute deviation from their median, "
                      f"relative to it): {est} ({ci}); 0 would mean every {kind} equally worth its cost.")
        doc.h(2, "Every upgrade and limit")
        rows = []
        for f in sorted(found, key=lambda f: (f.kind, f.name)):
            fe, fci = fmt_interval(f.fair, "")
            pe, pci = fmt_interval(f.per_point, "")
            rows.append([f"`{f.name}`", f.kind, _cost(f.base_cost), f"{f.paid:.2f}", f"{pe} ({pci})",
                         fmt_interval(f.peers_median, "")[0], fint(f.peers), fe, fci, f.verdict])
        doc.table(["Enhancement", "Kind", "Cost", "Paid (mean)", "Δ turns per point paid (95% CI)",
                   "Peers' median", "Peers", "Fair cost", "95% CI", "Suggestion"], rows)
        skipped = sorted(set(values.values) - {f.name for f in found})
        if skipped:
            doc.p(f"Not suggested (fewer than {MIN_PEERS} peers of their kind, no cost, or no interval): "
                  + ", ".join(f"`{n}`" for n in skipped) + ".")
        doc.h(2, "Run")
        doc.bullets(settings_lines(ctx, "stage1"))
        return [doc.write(out_path(ctx, self.stage, "fair_costs.md"))]

    @staticmethod
    def _line(f: FairCost) -> str:
        est, ci = fmt_interval(f.fair)
        return (f"`{f.name}` ({f.kind}): {f.verdict} its cost from {_cost(f.base_cost)} to about {est} ({ci}); "
                f"it saves {fmt_interval(-f.per_point)[0]} turns "
                f"per point paid against a median of {fmt_interval(-f.peers_median)[0]} "
                f"among its {f.peers} peers.")


@hookimpl
def balance_reporters():
    return [FairCosts()]
