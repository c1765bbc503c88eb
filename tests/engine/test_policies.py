"""The built-in policies: ``first``/``second`` follow their slot preference, ``default`` uses the
numbers and beats both fixed preferences on average over the default grid."""

from __future__ import annotations

import numpy as np

from balance.builds import parse_build
from balance.engine import Simulator
from balance_plugins.policies.expected_damage import ExpectedDamage
from balance_plugins.policies.simple import PreferSlot
from balance_rules.vitality.kernel import VitalityKernel
from tests.vitality_kernel.grids import ATTACKER, default_grid

PAIRS = [
    ("area", "melee_dg"),
    ("melee_ac + power_attack", "area + accurate_attack"),
    ("melee_dg + boss_slayer", "direct_area_damage"),
    ("ranged + high_impact", "area [quickdraw]"),
]


def _run(policy, runs=300):
    names = sorted({b for p in PAIRS for b in p})
    builds = [parse_build(n) for n in names]
    cand = np.array([[names.index(a), names.index(b)] for a, b in PAIRS])
    sim = Simulator(VitalityKernel(), builds, default_grid(), ATTACKER, 100, policy)
    return sim.run(cand, runs, seed=99)


def test_prefer_slot_choices():
    usable = np.array([[True, True], [False, True], [True, False], [False, False]])
    assert PreferSlot("first", 0).choose(None, usable).tolist() == [0, 1, 0, 0]
    assert PreferSlot("second", 1).choose(None, usable).tolist() == [1, 1, 0, 0]


def test_pair_shortcuts_choose_as_the_general_rule():
    """For k = 2 the policies take a branch-free shortcut; it must pick exactly what the general
    rule picks (argmax of the usable scores, ties to the lower slot), ties and empty rows included."""
    rng = np.random.default_rng(8)
    usable = rng.random((4000, 2)) < 0.6
    expected = rng.integers(0, 4, size=(4000, 2)).astype(float)  # small integers: many ties

    class View:
        pass

    view = View()
    view.expected = expected
    general = np.argmax(np.where(usable, expected, -np.inf), axis=1)
    assert np.array_equal(ExpectedDamage().choose(view, usable), general)
    for p in (0, 1):
        general = np.where(usable[:, p], p, np.argmax(usable, axis=1))
        assert np.array_equal(PreferSlot("x", p).choose(None, usable), general)


def test_policy_is_asked_only_about_lanes_with_a_choice():
    """The engine picks the one usable attack itself and asks the policy only about lanes with two
    or more usable attacks (or, with the fallback view, none): every row the policy sees has a
    choice, and a cooldown attack is still used exactly on turns 1, 5, 9, ... of each combat."""
    seen = []

    class Spy(ExpectedDamage):
        def choose(self, view, usable):
            seen.append(np.asarray(usable).sum(1))
            assert len(view.expected) == len(usable)
            return super().choose(view, usable)

    builds = [parse_build("melee_ac + power_attack [cooldown]"), parse_build("melee_dg")]
    sim = Simulator(VitalityKernel(), builds, default_grid(), ATTACKER, 100, Spy())
    res = sim.run(np.array([[0, 1]]), 1, seed=6)  # one combat per cell: uses follow from its length
    assert seen and all((n >= 2).all() for n in seen)
    turns = res.turn_sum[0].astype(int)
    # slot 0 (more expected damage than melee_dg here) whenever usable: turns 1, 5, 9, ...
    assert res.uses[0, :, 0].tolist() == [(t + 3) // 4 for t in turns]
    assert res.uses[0, :, 1].tolist() == [t - (t + 3) // 4 for t in turns]


def test_first_and_second_follow_their_preference_over_a_combat():
    builds = [parse_build("ranged [quickdraw]"), parse_build("melee_ac")]
    sim = Simulator(VitalityKernel(), builds, default_grid(), ATTACKER, 100, PreferSlot("first", 0))
    res = sim.run(np.array([[0, 1]]), 20, seed=4)
    assert (res.uses[0, :, 0] == 2 * 20).all()  # quickdraw on turns 1 and 2 of every combat
    assert (res.uses[0, :, 2] == 0).all()
    sim2 = Simulator(VitalityKernel(), builds, default_grid(), ATTACKER, 100, PreferSlot("second", 1))
    res2 = sim2.run(np.array([[0, 1]]), 20, seed=4)
    assert (res2.uses[0, :, 0] == 0).all()


def test_default_policy_beats_fixed_preferences_per_pair():
    d, f, s = (_run(p) for p in (ExpectedDamage(), PreferSlot("first", 0), PreferSlot("second", 1)))
    overall = lambda r: r.means().mean(1)  # noqa: E731
    se = lambda r: np.sqrt((r.ses() ** 2).sum(1)) / r.turn_sum.shape[1]  # noqa: E731
    # The default must beat the average of the two fixed preferences on every pair, by more than noise
    for i in range(len(PAIRS)):
        fixed = (overall(f)[i] + overall(s)[i]) / 2
        assert overall(d)[i] < fixed - 3 * se(d)[i], PAIRS[i]
    assert overall(d).mean() < min(overall(f).mean(), overall(s).mean())


def test_default_prefers_area_against_swarm_and_single_against_boss():
    res = _run(ExpectedDamage())
    cells = default_grid().cells
    boss = [c.index for c in cells if c.scenario.name == "Boss"]
    swarm = [c.index for c in cells if c.scenario.name == "Swarm"]
    u = res.uses[0]  # pair (area, melee_dg)
    share_area = u[:, 0] / u.sum(1)
    assert share_area[boss].max() < 0.2
    assert share_area[swarm].min() > 0.4
