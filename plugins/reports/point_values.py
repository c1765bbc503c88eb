"""The value of every upgrade and limit in points, measured on the stage-1 records.

The method follows how SimulationCraft measures scale factors: compare builds that differ only by
the enhancement, on the same dice, and convert the difference into the designer's currency, the
way its scale factors are normalised to a reference stat.

1. **Paired differences.** For an enhancement ``e``, every stage-1 build that carries it is paired
   with the build of the same attack type and the same other enhancements without it (when that
   build is legal and was tested). Stage 1 rolls the same dice for every build in a cell (common
   random numbers), so the per-cell difference of mean turns ``with - without`` is mostly the
   enhancement's effect, not dice noise. The paid cost is ``cost(with) - cost(without)`` from the
   attack table (it includes the attack type's cost factor).
2. **The price of a point** (the conversion). A point is what an upgrade typically buys: the
   *median, over the upgrades, of each upgrade's mean change of turns per point paid* (``price``,
   turns per point, negative: a point saves turns). That is the question the turns-per-point slope
   of the plain builds (no limits: builds made of upgrades alone) asks, answered one upgrade at a
   time on paired builds instead of by a regression across builds. The slope is still measured
   (``slope``: within attack type, per cell) and shown beside the price, but it does not convert:
   across builds it mixes *which* upgrades a build has with how many points it spent, and on the
   default Vitality run its interval reaches 0 (docs/findings.md, *Why not the plain builds'
   slope*). A median is robust to up to half the upgrades being mis-costed, which is the question
   being asked; a mean or a pooled ratio would let one outlier set the price.
3. **Value.** ``points = mean over cells of the difference / price``: how many points of a typical
   upgrade buy what ``e`` buys. It is compared with the points its carriers paid; the median upgrade
   is, by construction, worth its cost. Per profile and per scenario the means (and the price's
   median) run over that profile's (scenario's) cells only.
4. **Interval.** A two-way bootstrap, because the design is crossed: every build of a cell plays
   the same dice (common random numbers), so an estimate varies with the builds that went into it
   *and* with the dice all of them shared. Each replicate draws

   - whole builds (the pairs of each enhancement, independently, and the plain builds of the
     slope), never single combats: the combats of one build are its cluster; and
   - the dice: stage 1 keeps each build's turns per *dice group* (:func:`~balance_plugins.stages.
     stage1.dice_groups`, up to 10 groups of consecutive run ids, the same for every build). The
     groups are redrawn by the Rao-Wu rescaled bootstrap (K - 1 draws from K groups, weights
     ``count · K/(K - 1)``), which is unbiased for a linear statistic's variance even with few groups
     (an ordinary bootstrap of K groups would shrink it by (K - 1)/K). One group draw per replicate
     serves every build, the slope and every enhancement alike, since they all shared those dice.

   The price is recomputed in every replicate from that replicate's upgrades (each one's effect and
   points paid from its own redrawn pairs), so a value's interval holds the price's error and its
   correlation with the enhancement's own effect (an upgrade is one of the price's members).

   A bootstrap over builds alone misses the dice shared by all builds of a cell; over groups alone
   it would miss which builds happen to carry ``e``. Resampling both at once (the "pigeonhole"
   bootstrap, Owen 2007, *Annals of Applied Statistics* 1(2)) is mildly conservative: the build ×
   dice interaction (a build's own luck with the shared dice) enters both draws. 95 % percentile
   intervals, numpy ``default_rng`` with fixed seeds, so the same run always prints the same
   interval. A run whose stage 1 predates the dice groups gets the builds-only interval
   (``PointValues.dice_groups == 0``) and the reports say so.
5. **No value without a price.** Where the price's interval reaches 0 (a point of a typical upgrade
   does not reliably save turns), a ratio to it has no finite interval (Fieller's problem): no
   value in points is given there, and the reports judge by turns (``PointValues.in_points``).

These are *screening* numbers: stage 1 runs each single attack every turn with few runs per cell.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from balance_plugins.reports import common
from balance_plugins.reports.data import Attacks, records_key

#: Bootstrap replicates and seed (fixed: the same run always prints the same intervals).
REPLICATES = 1000
SEED = 20261201
#: The dice groups' draws come from a generator of their own, so the builds' draws stay those of a
#: builds-only bootstrap (an older run prints the intervals it always printed).
DICE_SEED = SEED + 1
#: Replicates drawn at once (bounds memory: CHUNK × clusters counts).
CHUNK = 100
#: The enhancements whose median effect per point is the price of a point: the upgrades (the plain
#: builds' currency; limits add a condition to a bonus and are valued in that currency).
MARKET_KIND = "upgrade"


@attrs.frozen
class Interval:
    """An estimate with its 95 % bootstrap interval."""

    est: float
    lo: float
    hi: float

    def __neg__(self) -> "Interval":
        """A saving as a positive figure (the same width, so printed to the same precision)."""
        return Interval(-self.est, -self.hi, -self.lo)

    def scaled(self, k: float) -> "Interval":
        """The estimate and its bounds times ``k`` > 0 (per point paid, in base-cost units)."""
        return Interval(self.est * k, self.lo * k, self.hi * k)


@attrs.frozen
class PointValue:
    """What one upgrade or limit is worth, in points, overall and per profile / scenario."""

    name: str
    kind: str
    #: Mean points its carriers paid for it (cost with - cost without; type factors included).
    cost: float
    #: Its cost where least (the rule system's base cost: no type factor).
    base_cost: float
    #: Builds compared (pairs with / without it).
    pairs: int
    #: Mean change of turns it brings (negative = faster), all cells.
    turns: Interval
    points: Interval
    by_profile: dict[str, Interval]
    by_scenario: dict[str, Interval]
    #: Per cell: mean change of turns (with - without).
    cell_turns: np.ndarray = attrs.field(eq=False, repr=False)
    #: The bootstrap's replicates of ``turns`` (the mean change over all cells) and of the points paid,
    #: replicate by replicate the same draws as every other enhancement's (the dice are shared), so a
    #: statistic of several enhancements (how far costs are off: a median over a kind) is redrawn jointly.
    turn_reps: np.ndarray = attrs.field(eq=False, repr=False, factory=lambda: np.zeros(0))
    paid_reps: np.ndarray = attrs.field(eq=False, repr=False, factory=lambda: np.zeros(0))


@attrs.frozen
class PointValues:
    values: dict[str, PointValue]
    #: Turns per point of the plain builds, all cells (negative: points save turns).
    slope: Interval
    plain_builds: int
    cells: tuple[str, ...]
    profiles: tuple[str, ...]
    scenarios: tuple[str, ...]
    replicates: int
    #: Dice groups the bootstrap redrew (0: the run predates them; the intervals resample builds only).
    dice_groups: int = 0
    #: The price of a point that converts turns to points: the median upgrade's turns per point paid
    #: (negative: a point saves turns). NaN: no upgrade to price it.
    price: Interval = Interval(math.nan, math.nan, math.nan)
    #: The enhancements whose median is the price.
    market: tuple[str, ...] = ()
    #: The price's bootstrap replicates, on the same draws as every value's ``turn_reps``.
    price_reps: np.ndarray = attrs.field(eq=False, repr=False, factory=lambda: np.zeros(0))

    @property
    def in_points(self) -> bool:
        """Whether values in points exist: the price's interval lies below 0 (a point reliably saves turns)."""
        return bool(self.price.hi < 0)


def read_cell_means(reader, n_attacks: int, n_cells: int) -> np.ndarray:
    """Per stage-1 attack, its mean turns in every cell (one record per attack: small)."""
    turns = np.full((n_attacks, n_cells), np.nan)
    for block in reader.blocks(["attack", "cell_mean"]):
        turns[np.asarray(block["attack"])] = block["cell_mean"]
    return turns


def read_group_means(reader, n_attacks: int, n_cells: int) -> np.ndarray | None:
    """Per stage-1 attack, its mean turns in each dice group and cell ((attacks, groups, cells),
    float32), or None for a run whose stage 1 predates the dice groups."""
    if "group_turns" not in reader.schema.names:
        return None
    k = reader.schema.column("group_runs").width
    out = np.full((n_attacks, k, n_cells), np.nan, dtype=np.float32)
    for block in reader.blocks(["attack", "group_turns", "group_runs"]):
        runs = np.asarray(block["group_runs"])[:, :, None]
        out[np.asarray(block["attack"])] = np.asarray(block["group_turns"]) / runs
    return out


def group_sizes(reader) -> np.ndarray:
    """Runs per dice group (the same in every record: the groups depend on the runs per cell only)."""
    for block in reader.blocks(["group_runs"]):
        if len(block["group_runs"]):
            return np.asarray(block["group_runs"][0], dtype=np.float64)
    return np.ones(reader.schema.column("group_runs").width)  # no records: nothing to weigh


def dice_weights(sizes: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """Per replicate, the weight of each dice group in a build's mean turns ((replicates, K), rows
    summing to 1): Rao-Wu rescaled bootstrap of the K groups (K - 1 draws with replacement, each
    drawn group weighing ``count · K/(K - 1)``), applied to the groups' run totals."""
    k = len(sizes)
    if k < 2:  # one group: nothing to redraw
        return np.ones((replicates, k))
    rng = np.random.default_rng(seed)
    counts = _counts_of(rng.integers(0, k, size=(replicates, k - 1)), k)
    w = counts * (k / (k - 1)) * sizes
    return w / w.sum(axis=1, keepdims=True)


def _counts_of(draws: np.ndarray, n: int) -> np.ndarray:
    reps = len(draws)
    flat = draws + (np.arange(reps) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=reps * n).reshape(reps, n).astype(np.float64)


def pairs_of(attacks: Attacks) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Enhancement -> (builds with it, the same builds without it), only where both exist."""
    key = {(t, frozenset((*u, *lim))): i
           for i, (t, u, lim) in enumerate(zip(attacks.types, attacks.upgrades, attacks.limits))}
    out: dict[str, tuple[list[int], list[int]]] = {}
    for (t, names), i in key.items():
        for e in names:
            j = key.get((t, names - {e}))
            if j is not None:
                w, wo = out.setdefault(e, ([], []))
                w.append(i)
                wo.append(j)
    return {e: (np.asarray(w), np.asarray(wo)) for e, (w, wo) in out.items()}


def _counts(rng, n: int, reps: int) -> np.ndarray:
    """Bootstrap weights: how often each of ``n`` clusters is drawn, per replicate ((reps, n))."""
    return _counts_of(rng.integers(0, n, size=(reps, n)), n)


def _slopes(cost: np.ndarray, types: np.ndarray, turns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Within-type least-squares slope of turns on cost, per cell, for each row of ``weights``
    ((reps, builds) -> (reps, cells))."""
    sxx = np.zeros((weights.shape[0], 1))
    sxy = np.zeros((weights.shape[0], turns.shape[1]))
    for t in np.unique(types):
        m = types == t
        w, x, y = weights[:, m], cost[m], turns[m]
        sw = np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        sx, sy = w @ x[:, None], w @ y
        sxx += w @ (x**2)[:, None] - sx**2 / sw
        sxy += w @ (x[:, None] * y) - sx * sy / sw
    with np.errstate(invalid="ignore", divide="ignore"):
        return sxy / sxx


def _mixed(per_group: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """Replicates' per-(group, cell) statistics ((reps, K·cells)) mixed by their dice weights
    ((reps, K)) into per-cell ones ((reps, cells))."""
    return np.einsum("rkc,rk->rc", per_group.reshape(len(mix), mix.shape[1], -1), mix)


def _interval(est: float, reps: np.ndarray) -> Interval:
    reps = reps[np.isfinite(reps)]
    if not len(reps) or not np.isfinite(est):
        return Interval(float(est), float("nan"), float("nan"))
    lo, hi = np.percentile(reps, [2.5, 97.5])
    return Interval(float(est), float(lo), float(hi))


_CACHE: dict[tuple, PointValues] = {}


def run_values(ctx) -> PointValues:
    """:func:`measure` of the run's stage 1, computed once per run for every reporter that prints
    it (findings, fair costs, the HTML page): the same numbers, one bootstrap instead of three."""
    attacks = Attacks.load(ctx.run, "stage1", ctx.session.rules)
    # kinds and base costs come from the session's rules: another config's rules measure again
    key = (*records_key(ctx, "stage1"), attacks.enh)
    if key not in _CACHE:
        values = measure(ctx.reader("stage1"), attacks)
        _CACHE.clear()  # one run's values: bounded memory however many runs a process reports
        _CACHE[key] = values
    return _CACHE[key]


def measure(reader, attacks: Attacks, replicates: int = REPLICATES, seed: int = SEED,
            dice: bool = True) -> PointValues:
    """Every enhancement's value in points from the stage-1 ``reader`` and its attack table.
    ``dice=False``: the builds-only interval, as for a run without dice groups (to compare with)."""
    cell = reader.schema.column("cell_mean")
    profiles = tuple(reader.schema.column("by_profile").labels)
    buffs = tuple(reader.schema.column("by_buff").labels)
    scenarios = tuple(reader.schema.column("by_scenario").labels)
    n_cells = cell.width
    turns = read_cell_means(reader, len(attacks), n_cells)
    grouped = read_group_means(reader, len(attacks), n_cells) if dice else None
    if grouped is None:  # an older run: one "group" holding every run, so only builds are redrawn
        grouped, mix, n_groups = turns[:, None, :], np.ones((replicates, 1)), 0
    else:
        mix = dice_weights(group_sizes(reader), replicates, DICE_SEED)
        n_groups = mix.shape[1]
    # cells are profile-major: (profile, buff, scenario)
    idx = np.arange(n_cells)
    prof_of, scen_of = idx // (len(buffs) * len(scenarios)), idx % len(scenarios)
    groups = {("p", name): np.flatnonzero(prof_of == k) for k, name in enumerate(profiles)}
    groups |= {("s", name): np.flatnonzero(scen_of == k) for k, name in enumerate(scenarios)}
    every = idx
    chunks = [(k, min(CHUNK, replicates - k)) for k in range(0, replicates, CHUNK)]

    rng = np.random.default_rng(seed)
    plain = np.flatnonzero(np.array([not lim for lim in attacks.limits]) & np.isfinite(turns).all(axis=1))
    types = np.array([attacks.types[i] for i in plain])
    cost = attacks.cost[plain].astype(np.float64)
    y = turns[plain]
    slope_full = _slopes(cost, types, y, np.ones((1, len(plain))))[0]
    # The slope is linear in the turns, so each dice group's slope, mixed by the replicate's group
    # weights, is the slope of the mixed turns.
    y_groups = grouped[plain].astype(np.float64).reshape(len(plain), -1)
    slope_reps = np.concatenate([_mixed(_slopes(cost, types, y_groups, _counts(rng, len(plain), m)), mix[k:k + m])
                                 for k, m in chunks]) if len(plain) else np.zeros((0, n_cells))
    slope = _interval(float(slope_full.mean()), slope_reps.mean(axis=1))

    kinds = dict(zip(attacks.enh.names, attacks.enh.kinds))
    effects = {}
    for name, (w, wo) in sorted(pairs_of(attacks).items()):
        ok = np.isfinite(turns[w]).all(axis=1) & np.isfinite(turns[wo]).all(axis=1)
        w, wo = w[ok], wo[ok]
        if not len(w):
            continue
        diff_groups = (grouped[w].astype(np.float64) - grouped[wo]).reshape(len(w), -1)
        paid = (attacks.cost[w] - attacks.cost[wo]).astype(np.float64)
        d_reps, paid_reps = [], []
        for k, m in chunks:
            counts = _counts(rng, len(w), m)  # the same pairs for the effect and the points paid
            d_reps.append(_mixed(counts @ diff_groups / len(w), mix[k:k + m]))
            paid_reps.append(counts @ paid / len(w))
        effects[name] = _Effect((turns[w] - turns[wo]).mean(axis=0), np.concatenate(d_reps), paid,
                                np.concatenate(paid_reps))

    market = tuple(n for n, e in effects.items() if kinds.get(n) == MARKET_KIND and e.paid.mean() > 0)

    def price(cells: np.ndarray) -> tuple[float, np.ndarray]:
        """The median market member's turns per point paid over ``cells``: estimate, replicates."""
        if not market:
            return math.nan, np.full(replicates, np.nan)
        est = np.median([effects[n].full[cells].mean() / effects[n].paid.mean() for n in market])
        reps = np.median(np.stack([effects[n].reps[:, cells].mean(axis=1) / effects[n].paid_reps for n in market],
                                  axis=1), axis=1)
        return float(est), reps

    prices = {key: price(c) for key, c in [(("all", ""), every), *groups.items()]}
    # A percentile interval of a ratio whose denominator may be 0 is meaningless (Fieller): a value
    # in points only where the price's interval (overall, or the profile's / scenario's) is below 0.
    measurable = {key: bool(_interval(*pr).hi < 0) for key, pr in prices.items()}
    values = {}
    for name, e in effects.items():
        def iv(key: tuple[str, str], cells: np.ndarray) -> Interval:
            if not measurable[key]:
                return Interval(math.nan, math.nan, math.nan)
            p_est, p_reps = prices[key]
            with np.errstate(invalid="ignore", divide="ignore"):
                return _interval(float(e.full[cells].mean() / p_est), e.reps[:, cells].mean(axis=1) / p_reps)

        values[name] = PointValue(
            name, kinds.get(name, "upgrade"), float(e.paid.mean()), float(e.paid.min()), len(e.paid),
            _interval(float(e.full.mean()), e.reps.mean(axis=1)), iv(("all", ""), every),
            {p: iv(("p", p), groups[("p", p)]) for p in profiles},
            {s: iv(("s", s), groups[("s", s)]) for s in scenarios}, e.full, e.reps.mean(axis=1), e.paid_reps)
    return PointValues(values, slope, len(plain), tuple(cell.labels), profiles, scenarios, replicates,
                       n_groups, _interval(*prices[("all", "")]), market, prices[("all", "")][1])


@attrs.frozen
class _Effect:
    """One enhancement's paired builds: per cell, the mean change of turns and its replicates
    ((reps, cells)); the points each pair paid and their replicates' means."""

    full: np.ndarray
    reps: np.ndarray
    paid: np.ndarray
    paid_reps: np.ndarray


def interval_note(values: PointValues) -> str:
    """What the intervals resample, for a report's text (one line for an older run's builds-only intervals)."""
    if values.dice_groups > 1:
        return (f"bootstrap over builds and over the dice all builds of a cell share ({values.dice_groups} "
                "groups of runs)")
    if values.dice_groups == 1:
        return "bootstrap over builds only: with one run per cell the dice all builds share cannot be redrawn"
    return ("bootstrap over builds only: this run's stage 1 predates the dice groups, so the dice all builds of "
            "a cell share are not in the intervals (too narrow for some enhancements; rerun stage 1 to get them)")


def decimals(lo: float, hi: float) -> int:
    """Decimals an interval allows: one significant digit of its half-width (±0.3 -> 1 decimal)."""
    return common.decimals((hi - lo) / 2)


def _f(x: float, d: int) -> str:
    return common.fest(x, 10.0 ** -d)


def fmt_interval(iv: Interval, prefix: str = "95% CI ") -> tuple[str, str]:
    """(``"2.4"``, ``"95% CI 1.9–2.9"``) rounded to the precision the interval allows."""
    if not np.isfinite(iv.est):
        return "–", "no estimate"
    if not (np.isfinite(iv.lo) and np.isfinite(iv.hi)):
        return _f(iv.est, 1), "no interval"
    d = decimals(iv.lo, iv.hi)
    return _f(iv.est, d), f"{prefix}{_f(iv.lo, d)} to {_f(iv.hi, d)}"


def fmt_cost(v: PointValue) -> str:
    """``1``, or ``1 (1.50 paid on average: some attack types multiply costs)`` where what the
    carriers paid differs from the base cost by a tenth of a point or more (a few carriers on a
    type with a cost factor barely move it: 1.01 reads as 1)."""
    base = f"{v.base_cost:g}"
    if abs(v.cost - v.base_cost) < 0.1:
        return base
    return f"{base} ({v.cost:.2f} paid on average: some attack types multiply costs)"
