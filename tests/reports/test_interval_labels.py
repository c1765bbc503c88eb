"""Labels that claim a difference are given only where it is significant, with errors from the
right model: hand-computed values on both sides of each boundary (no simulation; fast)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_plugins.reports.data import Solos
from balance_plugins.reports.findings import closest, dominated
from balance_plugins.reports.point_values import Interval, PointValue, PointValues
from balance_plugins.reports.policy_check import _compare
from balance_plugins.reports.synergy_analysis import gain_line


def _rec(overall: float) -> dict:
    # pair (0, 1); its se 0.3; attack 0 alone 10.9 ± 0.4 is the better solo: combined error
    # sqrt(0.09 + 0.16) = 0.5, so the boundary is 1.96 x 0.5 = 0.98 turns from 10.9
    return {"a": [0], "b": [1], "overall": [overall], "se": [0.3], "gain_vs_best": [(10.9 - overall) / 10.9 * 100]}


SOLOS = Solos(np.array([10.9, 12.0]), np.array([0.4, 0.1]), np.zeros(2))


def test_beats_its_better_solo_only_beyond_1_96_combined_errors():
    assert gain_line(_rec(9.9), 0, SOLOS).startswith("**Beats its better half alone**")  # 1.0 > 0.98
    assert gain_line(_rec(9.95), 0, SOLOS).startswith("**Not distinguishable")  # 0.95 < 0.98
    assert gain_line(_rec(11.85), 0, SOLOS).startswith("**Not distinguishable")  # +0.95
    assert gain_line(_rec(11.9), 0, SOLOS).startswith("**Worse than its better attack alone**")  # +1.0
    # the worse solo (attack 1, 12.0 ± 0.1: boundary 1.96 x sqrt(0.09 + 0.01) = 0.62) is not the reference
    assert gain_line(_rec(11.3), 0, SOLOS).startswith("**Not distinguishable")
    assert "not tested" in gain_line(_rec(9.0), 0, None)


def test_policy_check_uses_the_paired_error_where_given():
    solo, solo_se = np.array([10.0, 11.0]), np.array([0.4, 0.4])
    a, b, se = [0, 0], [1, 1], [0.3, 0.3]
    # pair - better solo = 1.2 and 1.6; independent error sqrt(0.09 + 0.16) = 0.5: 3 x 0.5 = 1.5
    c = _compare(a, b, [11.2, 11.6], se, solo, solo_se)
    assert c.worse.tolist() == [False, True]
    # paired errors 0.39 and 0.6 (common dice): 3 x 0.39 = 1.17 < 1.2 worse; 3 x 0.6 = 1.8 > 1.6 not
    c = _compare(a, b, [11.2, 11.6], se, solo, solo_se, [0.39, 0.6])
    assert c.worse.tolist() == [True, False]
    np.testing.assert_allclose(c.excess, [1.2, 1.6])


def _value(name: str, cost: float, cells) -> PointValue:
    nan = Interval(np.nan, np.nan, np.nan)
    return PointValue(name, "upgrade", cost, cost, 10, nan, nan, {}, {}, np.asarray(cells, float))


def test_a_rival_at_the_same_cost_must_be_significantly_better_somewhere():
    x = _value("x", 2, [-1.0, -2.0])
    y = _value("y", 2, [-1.5, -2.0])  # 0.5 better in cell 0, equal in cell 1
    cheap = _value("c", 1, [-1.0, -2.1])  # cheaper and as good everywhere: no difference needs claiming
    pv = PointValues({v.name: v for v in (x, y, cheap)}, Interval(-1, -1.1, -0.9), 1, ("c0", "c1"), (), (), 1)
    # per-cell errors: x and y 0.18 each in cell 0 -> gap error 0.2546, 1.96 x = 0.499 < 0.5: better
    se = {"x": np.array([0.18, 0.1]), "y": np.array([0.18, 0.1]), "c": np.array([0.1, 0.1])}
    assert {v.name: [r.name for r in ys] for v, ys, _ in dominated(pv, se)}["x"] == ["c", "y"]
    # 0.182 each -> 1.96 x 0.2574 = 0.5045 > 0.5: y is not shown better anywhere, only the cheaper rival stays
    se["x"], se["y"] = np.array([0.182, 0.1]), np.array([0.182, 0.1])
    assert {v.name: [r.name for r in ys] for v, ys, _ in dominated(pv, se)}["x"] == ["c"]
    # without errors, as before: any gap beyond rounding
    assert {v.name: [r.name for r in ys] for v, ys, _ in dominated(pv)}["x"] == ["c", "y"]


def test_closest_gap_names_the_rival_the_cell_and_the_error_of_the_gap():
    x = _value("x", 2, [-1.0, -2.0, -3.0])
    y = _value("y", 1, [-1.5, -2.2, -3.5])  # gaps 0.5, 0.2, 0.5
    z = _value("z", 1, [-1.1, -2.9, -3.9])  # gaps 0.1, 0.9, 0.9: the closest
    se = {"x": np.array([0.3, 0.1, 0.1]), "y": np.array([0.1, 0.1, 0.1]), "z": np.array([0.4, 0.1, 0.1])}
    rival, cell, gap, err = closest(x, [y, z], se)
    assert (rival.name, cell) == ("z", 0)
    assert math.isclose(gap, 0.1, abs_tol=1e-12) and math.isclose(err, 0.5)  # sqrt(0.09 + 0.16)


def test_saturation_error_counts_attacks_not_pairs_and_lift_beyond_1_at_1_96():
    from balance_plugins.reports.enhancement_saturation import beyond_one, fshare, share_se

    # tier of 100 pairs; the enhancement is in 30 of them through 2 attacks (20 + 10 pairs):
    # sqrt(400 + 100) / 100 = 22.36 points (pairs treated as independent: sqrt(.3 x .7 / 100) =
    # 4.6 points: a wrong model is 5 times narrower)
    assert share_se(500, 100) == pytest.approx(22.3607, abs=1e-4)
    # one pair per attack: the Poisson error sqrt(30) / 100
    assert share_se(30, 100) == pytest.approx(100 * math.sqrt(30) / 100)
    # none in the tier: no spread to measure; the interval reaches the Poisson bound of 3 of 100
    assert 1.96 * share_se(0, 100) == pytest.approx(3.0)
    assert beyond_one(0.0, 2.9, share_se(0, 100)) == "no"
    assert beyond_one(0.0, 3.1, share_se(0, 100)) == "below 1"
    # 30 % vs 10 % of all pairs, se 10: 20 > 19.6 -> above; se 10.3: 20 < 20.19 -> no
    assert beyond_one(30.0, 10.0, 10.0) == "above 1"
    assert beyond_one(30.0, 10.0, 10.3) == "no"
    assert beyond_one(10.0, 30.0, 10.0) == "below 1"
    assert beyond_one(30.0, 10.0, float("nan")) == "–"
    # printed to the interval's precision: 1.96 x 1.2 = 2.4 -> 0 decimals; 1.96 x 0.12 -> 1
    assert fshare(62.34, 1.2) == "62% ± 1"
    assert fshare(62.34, 0.12) == "62.3% ± 0.1"


def test_policy_checks_largest_excess_is_labelled_a_maximum_with_that_pairs_own_error():
    from balance_plugins.reports.policy_check import WorseThanSolo, worst_text

    solo, solo_se = np.array([10.0, 11.0, 8.0]), np.array([0.4, 0.4, 0.3])
    w = WorseThanSolo(solo, solo_se)
    # excesses over the better solo: (0,1) 11.2-10 = 1.2, se sqrt(.09+.16) = 0.5; (1,2) 9.0-8 = 1.0,
    # se sqrt(.04+.09) = 0.36; second block (0,2) 8.1-8 = 0.1 -> the largest stays pair (0,1)'s
    w.add({"a": [0, 1], "b": [1, 2], "overall": [11.2, 9.0], "se": [0.3, 0.2]})
    w.add({"a": [0], "b": [2], "overall": [8.1], "se": [0.1]})
    assert (w.count, w.slower) == (3, 3) and w.worst_excess == pytest.approx(1.2)
    assert w.worst_se == pytest.approx(0.5)  # pair (0,1)'s own error, not the largest or the last one
    assert w.worst_pct == pytest.approx(12.0)  # the same pair's excess in % of its solo (1.2 / 10), not another pair's
    # 1.96 x 0.5 = 0.98 -> one decimal
    text = worst_text(w)
    assert text.startswith("1.2 turns (12%), that pair's own error ± 0.5: the maximum over 3 noisy")
    assert "biased upward" in text and "not an estimate" in text
    assert worst_text(WorseThanSolo(solo, solo_se)).startswith("none")


def _singles(with_groups: bool) -> dict:
    # one attack, grid 2 profiles x 2 buffs x 1 scenario, cells profile-major
    # [p0b0, p0b1, p1b0, p1b1]; two dice groups of one run each
    t = {"se": [math.sqrt((2 + 0 + 2 + 8) / 2) / 4], "by_profile": [[5.5, 10.5]], "specialization": [6.25]}
    if with_groups:
        t |= {"group_turns": [np.array([[4, 6, 10, 8], [6, 6, 12, 12]])], "group_runs": [np.array([1, 1])]}
    return t


def test_profile_errors_come_from_each_cells_own_spread():
    from balance_plugins.reports.stage1_pruning_report import cell_variances, noise_spread, part, part_se

    # cell means 5, 6, 11, 10; one run a group: the runs' sample variances 2, 0, 2, 8
    np.testing.assert_allclose(cell_variances([[4, 6, 10, 8], [6, 6, 12, 12]], [1, 1]), [2, 0, 2, 8])
    # two groups of 2 runs (group means 5, 7; mean 6): 2 x (1 + 1) / 1 = 4
    np.testing.assert_allclose(cell_variances([[10], [14]], [2, 2]), [4])
    t, shape = _singles(True), (2, 2, 1)
    # profile 0: cells 0, 1: sqrt((2 + 0) / 2 runs) / 2 cells = 0.5; profile 1: sqrt(10 / 2) / 2
    assert part_se(t, 0, "by_profile", 0, shape) == pytest.approx(0.5)
    assert part_se(t, 0, "by_profile", 1, shape) == pytest.approx(math.sqrt(5) / 2)
    # buff 0: cells 0, 2: sqrt(4 / 2) / 2; buff 1: cells 1, 3: sqrt(8 / 2) / 2 = 1
    assert part_se(t, 0, "by_buff", 0, shape) == pytest.approx(math.sqrt(2) / 2)
    assert part_se(t, 0, "by_buff", 1, shape) == pytest.approx(1.0)
    # the equal-spread approximation (overall 0.612 x sqrt 2 = 0.866) only for a run without the sums
    assert part_se(_singles(False), 0, "by_profile", 0, shape) == pytest.approx(math.sqrt(6) / 4 * math.sqrt(2))
    assert part(t, 0, "by_profile", 0, shape) == "5.5 ± 0.5"  # 1.96 x 0.5 = 0.98: one decimal
    # noise alone: (P - 1) / P^2 x (0.5^2 + 1.118^2) = 0.25 x 1.5
    assert noise_spread(t, 0, shape) == pytest.approx(0.375)


def test_policy_share_error_counts_attacks_and_prints_to_its_interval():
    """Pairs sharing an attack are not independent: the share's error is sqrt(Σ_a n_a²) / pairs, n_a
    the worse pairs attack a is in (either slot), not the binomial error of independent pairs."""
    from balance_plugins.reports.policy_check import WorseThanSolo, share_text

    solo, solo_se = np.full(6, 10.0), np.full(6, 0.1)
    w = WorseThanSolo(solo, solo_se)
    # 100 pairs; worse (excess 5 against a combined error 0.14): (0,1), (0,2), (0,3) and (4,5)
    a = np.array([0, 0, 0, 4] + [1] * 96)
    b = np.array([1, 2, 3, 5] + [2] * 96)
    overall = np.where(np.arange(100) < 4, 15.0, 10.0)
    w.add({"a": a[:50], "b": b[:50], "overall": overall[:50], "se": np.full(50, 0.1)})
    w.add({"a": a[50:], "b": b[50:], "overall": overall[50:], "se": np.full(50, 0.1)})
    assert (w.count, w.worse) == (100, 4)
    # n_a: attack 0 in 3, attacks 1, 2, 3, 4, 5 in 1 each: sqrt(9 + 5) = 3.74 pairs of 100
    assert w.per_attack.tolist() == [3, 1, 1, 1, 1, 1]
    assert w.share_se == pytest.approx(100 * math.sqrt(14) / 100)
    binomial = 100 * math.sqrt(0.04 * 0.96 / 100)  # 1.96: the wrong model is half as wide
    assert w.share_se > 1.9 * binomial
    # 1.96 x 3.74 = 7.3: no decimals
    assert share_text(w) == "4% ± 4%"
    # 4 of a million pairs: sqrt(12) / 1e6 = 0.00035 %; 1.96 x that = 0.0007 -> 4 decimals (past the 3 of turns)
    w = WorseThanSolo(solo, solo_se)
    w.count, w.worse, w.per_attack = 1_000_000, 4, np.array([1, 1, 1, 1, 2, 2])
    assert share_text(w) == "0.0004% ± 0.0003%"
    none = WorseThanSolo(solo, solo_se)
    none.add({"a": a[4:], "b": b[4:], "overall": overall[4:], "se": np.full(96, 0.1)})
    assert share_text(none).startswith("0%; at most 3% at 95% confidence")
