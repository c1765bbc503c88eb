"""The bootstrap interval of point values, recomputed by hand and compared; a too-narrow
interval (resampling a build's cells as if they were independent) must fail the same comparison.

The toy of :mod:`toy_values` gets noise: each build its own offset shared by all its cells (its
dice: the cluster), plus independent noise per cell. The hand computation does not use
:mod:`point_values`: it pairs builds from the toy's own build list, reads the cell means from the
raw records, and resamples whole builds with its own generator (another seed).

Tolerance: both intervals are percentile intervals from B bootstrap replicates. For a bootstrap
distribution with standard deviation s, the 2.5 % (97.5 %) quantile of B draws has a Monte Carlo
standard error of sqrt(0.025 · 0.975 / B) / φ(1.96) · s ≈ 0.042 s at B = 4000 (normal density at
the quantile); the difference of two independent estimates has √2 times that, 0.060 s. Endpoints
are accepted within 4 of those standard errors (0.24 s), s being estimated from the hand interval
as its width / 3.92. An interval from independent cells is about √(cells) = 2 times narrower here
(the build offset dominates), so its endpoints are ~1 s off: well outside the tolerance.
"""

from __future__ import annotations


import numpy as np
import pytest

from balance_plugins.reports.data import Attacks
from balance_plugins.reports.findings import dominated
from balance_plugins.reports.point_values import (
    Interval, PointValue, PointValues, dice_weights, interval_note, measure,
)
from balance_plugins.store import MsgpackStore
from tests.reports import toy_values as toy
from tests.reports.helpers import records
from tests.store.memory_store import MemoryStore

B = 4000
BUILD_SD, CELL_SD = 1.5, 0.3
#: Quantile Monte Carlo error of one B-draw percentile interval endpoint, in units of s (see above).
Q_SE = np.sqrt(0.025 * 0.975 / B) / (np.exp(-1.96**2 / 2) / np.sqrt(2 * np.pi))


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    run_dir = toy.make_toy_run(tmp_path_factory.mktemp("noisy") / "run", BUILD_SD, CELL_SD, seed=17)
    run = MsgpackStore().open(run_dir)
    values = measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"), replicates=B)
    rec = records(run_dir, "stage1")
    turns = np.empty_like(rec["cell_mean"], dtype=np.float64)
    turns[rec["attack"]] = rec["cell_mean"]
    return values, turns


def _hand_pairs(name: str) -> tuple[np.ndarray, np.ndarray]:
    bs = toy.builds()
    index = {(t, frozenset((*u, *x))): i for i, (t, u, x) in enumerate(bs)}
    w, wo = [], []
    for (t, names), i in index.items():
        if name in names and (t, names - {name}) in index:
            w.append(i)
            wo.append(index[(t, names - {name})])
    return np.array(w), np.array(wo)


def _hand_price(diffs: dict[str, np.ndarray], rng) -> tuple[float, float]:
    """One replicate of the price of a point: every upgrade's paired differences (per name, (pairs,
    cells)) resampled whole, each on its own, and the median of their mean change per point paid.
    Returns (price, name -> its drawn mean change over pairs and cells) for every enhancement."""
    drawn = {n: d[rng.integers(0, len(d), len(d))].mean() for n, d in diffs.items()}
    price = float(np.median([drawn[n] / toy.UPGRADES[n][0] for n in toy.UPGRADES]))
    return price, drawn


def _all_diffs(turns: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for name in toy.WORTH:
        w, wo = _hand_pairs(name)
        out[name] = turns[w] - turns[wo]
    return out


def _hand_interval(turns: np.ndarray, name: str, unit: str = "build", seed: int = 99):
    """(turns interval, points interval) by a percentile bootstrap resampling whole builds, or,
    with ``unit="cell"``, the (build, cell) means as if independent (the wrong model). Points: the
    enhancement's drawn change over the drawn price of a point (the median upgrade's change per
    point paid, every upgrade's pairs redrawn in the same replicate)."""
    rng = np.random.default_rng(seed)
    diffs = _all_diffs(turns)
    diff = diffs[name]
    d_reps, p_reps = np.empty(B), np.empty(B)
    n, C = diff.shape
    for k in range(B):
        if unit == "build":
            price, drawn = _hand_price(diffs, rng)
            d_reps[k], p_reps[k] = drawn[name], drawn[name] / price
        else:  # each cell's column resampled on its own: the cells of one build treated as independent
            d_reps[k] = np.array([diff[rng.integers(0, n, n), c].mean() for c in range(C)]).mean()
    return np.percentile(d_reps, [2.5, 97.5]), p_reps


def _agrees(iv: Interval, hand: np.ndarray) -> bool:
    s = (hand[1] - hand[0]) / 3.92
    tol = 4 * np.sqrt(2) * Q_SE * s
    return abs(iv.lo - hand[0]) <= tol and abs(iv.hi - hand[1]) <= tol


def _agrees_with_draws(iv: Interval, draws: np.ndarray) -> bool:
    """Both endpoints within the Monte Carlo error of a percentile, read off the hand draws
    themselves: a ratio to a median of few upgrades has a skewed, long-tailed bootstrap distribution,
    where the normal rule of :func:`_agrees` understates a tail quantile's error. The p-quantile of B
    draws has rank error sqrt(p(1 - p) / B) in probability whatever the distribution; two independent
    estimates differ by √2 times that, and 4 of those errors either side of p (between the hand draws'
    quantiles there) is the accepted range, the same 4 standard errors as :func:`_agrees`."""
    out = True
    for p, x in ((0.025, iv.lo), (0.975, iv.hi)):
        band = 4 * np.sqrt(2) * np.sqrt(p * (1 - p) / len(draws))
        lo, hi = np.quantile(draws, [p - band, p + band])
        out &= bool(lo <= x <= hi)
    return out


@pytest.mark.parametrize("name", ["nick", "whetstone", "reckless"])
def test_interval_matches_a_hand_made_cluster_bootstrap(noisy, name):
    values, turns = noisy
    v = values.values[name]
    hand_turns, hand_points = _hand_interval(turns, name)
    assert _agrees(v.turns, hand_turns), (v.turns, hand_turns)
    assert _agrees_with_draws(v.points, hand_points), (v.points, np.percentile(hand_points, [2.5, 97.5]))
    # the estimate itself: the mean paired difference over cells, exactly
    w, wo = _hand_pairs(name)
    assert v.turns.est == pytest.approx((turns[w] - turns[wo]).mean(), abs=1e-9)


@pytest.mark.parametrize("name", ["nick", "whetstone", "reckless"])
def test_an_interval_from_independent_cells_is_too_narrow_and_fails(noisy, name):
    values, turns = noisy
    wrong_turns, _ = _hand_interval(turns, name, unit="cell")
    right_turns = values.values[name].turns
    right_turns = np.array([right_turns.lo, right_turns.hi])
    assert (wrong_turns[1] - wrong_turns[0]) < 0.7 * (right_turns[1] - right_turns[0])
    wrong = Interval(float(np.mean(wrong_turns)), *map(float, wrong_turns))
    assert not _agrees(wrong, right_turns)
    assert not _agrees(values.values[name].turns, wrong_turns)


def _value(name: str, kind: str, cost: float, cells) -> PointValue:
    nan = Interval(np.nan, np.nan, np.nan)
    return PointValue(name, kind, cost, cost, 1, nan, nan, {}, {}, np.asarray(cells, float))


def test_dominance_needs_every_cell_and_no_higher_cost():
    vals = {v.name: v for v in (
        _value("x", "upgrade", 2, [-1.0, -1.0, -2.0]),
        _value("y", "upgrade", 1, [-1.5, -1.0, -2.5]),   # as good everywhere, cheaper: dominates x
        _value("z", "upgrade", 1, [-3.0, -3.0, -1.9]),   # better in two cells, worse in one: does not
        _value("w", "upgrade", 3, [-9.0, -9.0, -9.0]),   # better everywhere but dearer: does not
        _value("l", "limit", 1, [-9.0, -9.0, -9.0]),     # another kind: not compared
    )}
    pv = PointValues(vals, Interval(-1, -1.1, -0.9), 1, ("c1", "c2", "c3"), (), (), 1)
    found = {x.name: [y.name for y in ys] for x, ys, _ in dominated(pv)}
    assert found["x"] == ["y"]
    assert "z" not in found["x"] and "w" not in found.get("x", [])
    # closest margin: the smallest per-cell gap between x and its rivals (y: 0 in cell c2)
    assert [m for x, _, m in dominated(pv) if x.name == "x"] == [0.0]


# -- the dice every build of a cell shares ----------------------------------------------------------
#
# Stage 1 rolls the same dice for every build of a cell, so part of the dice noise moves every build
# together and a bootstrap over builds cannot see it. The toy below has dice groups (10 groups of 2
# runs, as stage 1 keeps them) and puts most of `whetstone`'s noise on a die shared by all builds of
# a cell (toy_values.make_toy_run, ``shared_sd``); the interval must redraw the groups as well.

GROUPS = 10
SHARED_SD, GROUP_BUILD_SD, GROUP_CELL_SD = 2.0, 0.3, 0.1
#: whetstone's true change of turns: 3 damage times the mean turns a damage saves (the shared die has mean 0).
TRUE_TURNS = -toy.WORTH[toy.SHARED] * toy.PER_DAMAGE.mean()


def _grouped(tmp_path_factory, seed: int, name: str = "grouped"):
    run_dir = toy.make_toy_run(tmp_path_factory.mktemp(name) / "run", GROUP_BUILD_SD, GROUP_CELL_SD, seed=seed,
                               groups=GROUPS, shared_sd=SHARED_SD)
    return MsgpackStore().open(run_dir), run_dir


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    run, run_dir = _grouped(tmp_path_factory, 5)
    values = measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"), replicates=B)
    rec = records(run_dir, "stage1")
    per_group = np.empty((len(rec["attack"]), GROUPS, len(toy.BASE)))
    per_group[rec["attack"]] = rec["group_turns"] / rec["group_runs"][:, :, None]
    return values, per_group


def _hand_two_way(per_group: np.ndarray, name: str, seed: int = 99):
    """(turns interval, points interval) of a hand-made two-way bootstrap: whole builds (each
    enhancement's pairs on their own) and, in the same replicate for all of them, the dice groups by
    the Rao-Wu rescaled bootstrap (K - 1 groups drawn from K, weight count · K/(K - 1))."""
    rng = np.random.default_rng(seed)
    K = per_group.shape[1]
    d_reps, p_reps = np.empty(B), np.empty(B)
    for k in range(B):
        weight = np.bincount(rng.integers(0, K, K - 1), minlength=K) * K / (K - 1)
        turns = per_group.transpose(0, 2, 1) @ (weight / weight.sum())  # equal groups: runs weigh alike
        price, drawn = _hand_price(_all_diffs(turns), rng)
        d_reps[k], p_reps[k] = drawn[name], drawn[name] / price
    return np.percentile(d_reps, [2.5, 97.5]), p_reps


def test_a_builds_only_value_in_points_misses_the_shared_dice_and_fails(tmp_path_factory, grouped):
    """The same for the value in points, with the draws' own tolerance (:func:`_agrees_with_draws`):
    whetstone's builds-only interval of points is too narrow to pass where the two-way one does."""
    run, _ = _grouped(tmp_path_factory, 5, "grouped_again")  # the same toy (seed 5)
    narrow = measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"), replicates=B, dice=False)
    _, hand_points = _hand_two_way(grouped[1], toy.SHARED)
    assert _agrees_with_draws(grouped[0].values[toy.SHARED].points, hand_points)
    assert not _agrees_with_draws(narrow.values[toy.SHARED].points, hand_points)


@pytest.mark.parametrize("name", ["whetstone", "nick"])
def test_interval_matches_a_hand_made_two_way_bootstrap_over_builds_and_dice(grouped, name):
    values, per_group = grouped
    assert values.dice_groups == GROUPS
    hand_turns, hand_points = _hand_two_way(per_group, name)
    v = values.values[name]
    assert _agrees(v.turns, hand_turns), (v.turns, hand_turns)
    assert _agrees_with_draws(v.points, hand_points), (v.points, np.percentile(hand_points, [2.5, 97.5]))


def test_a_builds_only_interval_misses_the_shared_dice_and_fails(grouped):
    values, per_group = grouped
    turns = per_group.mean(axis=1)
    builds_only, _ = _hand_interval(turns, toy.SHARED)
    right = values.values[toy.SHARED].turns
    # the shared die's part of the error (sd 2/sqrt(40) = 0.32) dwarfs the builds' (about 0.1)
    assert (builds_only[1] - builds_only[0]) < 0.5 * (right.hi - right.lo)
    assert not _agrees(Interval(float(np.mean(builds_only)), *map(float, builds_only)),
                       np.array([right.lo, right.hi]))


#: Coverage trials: each a fresh toy (builds' offsets and the shared dice redrawn), REPS replicates.
TRIALS, REPS = 80, 200


def test_coverage_of_the_true_effect_with_and_without_the_dice(tmp_path):
    """Over TRIALS toys, how often whetstone's 95 % interval of turns holds its true effect.

    Expected: the two-way interval about 0.92 (10 groups: the dice part of its variance has 9 degrees
    of freedom, and ±1.96 of a t9 covers 91.8 %; the build × dice interaction makes it slightly
    conservative); the builds-only interval covers ±1.96 · 0.1 of an error whose sd is about 0.33:
    about 0.45. Tolerance: binomial standard errors over 80 trials are 0.031 (at 0.92) and 0.056 (at
    0.45), so the thresholds 0.82 and 0.65 are each over 3 standard errors from those expectations
    (fixed seeds: the counts are the same on every machine). The toys live
    in the in-memory store (tests/store/memory_store.py: the store contract without the disk's
    fsyncs), which keeps 80 runs to a few seconds; the tests above read the msgpack store.

    The same trials check the values in points, at the price of a point redrawn in each replicate:
    every enhancement's two-way interval must hold its known worth (toy.WORTH) as often as the
    turns' do, 0.82 or more (the same threshold: the dice part, 9 degrees of freedom, bounds the
    coverage from below by the same t9 argument). Measured: 75, 74, 73, 77 and 78 of 80 (nick, edge,
    whetstone, gilded, reckless); builds only, whetstone's covered 52 of 80."""
    store = MemoryStore()
    hits = {True: 0, False: 0}
    worth_hits = dict.fromkeys(toy.WORTH, 0)
    for trial in range(TRIALS):
        run_dir = toy.make_toy_run(tmp_path / f"toy{trial}", GROUP_BUILD_SD, GROUP_CELL_SD, seed=1000 + trial,
                                   groups=GROUPS, shared_sd=SHARED_SD, store=store)
        run = store.open(run_dir)
        attacks = Attacks.load(run, "stage1")
        for dice in (True, False):
            values = measure(run.stage_reader("stage1"), attacks, replicates=REPS, dice=dice).values
            iv = values[toy.SHARED].turns
            hits[dice] += iv.lo <= TRUE_TURNS <= iv.hi
            if dice:
                for name, worth in toy.WORTH.items():
                    worth_hits[name] += values[name].points.lo <= worth <= values[name].points.hi
    assert hits[True] / TRIALS >= 0.82, hits
    assert hits[False] / TRIALS <= 0.65, hits
    assert min(worth_hits.values()) / TRIALS >= 0.82, worth_hits


def test_a_run_without_dice_groups_falls_back_to_the_builds_only_interval(noisy, grouped):
    values, _ = noisy  # the noisy toy has no dice groups, like a run from before them
    assert values.dice_groups == 0
    assert "builds only" in interval_note(values) and "predates" in interval_note(values)
    assert "dice" in interval_note(grouped[0]) and "builds only" not in interval_note(grouped[0])


def test_rao_wu_weights_keep_a_linear_statistics_variance():
    """The group weights' variance for a group mean: the Rao-Wu draw of K - 1 groups rescaled by
    K/(K - 1) gives Var(sum a_g x_g) = s²/K (the usual variance of a mean of K groups, s² their sample
    variance), where an ordinary bootstrap of K groups gives (K - 1)/K of it: 10 % less at K = 10.
    20,000 replicates: the bootstrap variance's relative standard error is about sqrt(2/20000) · 1.2
    (kurtosis of the weights) ≈ 0.012; tolerance 5 % (4 standard errors) tells 1 from 0.9."""
    x = np.random.default_rng(1).standard_normal(GROUPS)
    a = dice_weights(np.full(GROUPS, 2.0), 20000, 7)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    boot = (a @ x).var()
    assert boot == pytest.approx(x.var(ddof=1) / GROUPS, rel=0.05)
