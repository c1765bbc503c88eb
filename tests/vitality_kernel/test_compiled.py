"""The compiled Vitality kernel gives exactly the numpy kernel's results on the same dice.

The numpy kernel (``VitalityKernel``) is the readable reference; the compiled one
(``CompiledVitalityKernel``, what the rule system ships) runs whole combats in numba. Both read
counter-based dice keyed by (seed, stream, cell, run, turn, slot), so on the same seed every combat
must end on the same turn with the same attack choices: the per-candidate, per-cell sums of turns,
squared turns, timeouts and uses must be identical, not merely close. Checked for every legal build
with one enhancement (and each plain type) in every cell of a grid of three profiles, two buffs and
five scenarios (one with nine enemies, where the policy view's sums take numpy's pairwise order),
and for random pairs of legal six-point builds under each built-in policy.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance.builds import Build
from balance.engine import Simulator
from balance.engine.bench import sample_builds
from balance.grid import Buff, Grid, Scenario
from balance_plugins.policies.expected_damage import ExpectedDamage
from balance_plugins.policies.simple import PreferSlot
from balance_rules.vitality.catalog import ATTACK_TYPES, LIMITS, UPGRADES
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel
from balance_rules.vitality.rules import VitalityRules

from .grids import ATTACKER, NO_BUFFS, PROFILES, SCENARIOS

BUFFED = Buff("Buffed", accuracy=2, damage=3, avoidance=1, durability=2)
HORDE = Scenario("Horde", (25, 10, 10, 10, 10, 10, 10, 10, 50))


def _grid():
    scenarios = (*SCENARIOS.values(), HORDE)
    return Grid(tuple(PROFILES.values()), (NO_BUFFS, BUFFED), scenarios)


def single_enhancement_builds() -> list[Build]:
    """Each attack type plain and with each single upgrade or limit that is legal on it."""
    rules = VitalityRules()
    out = []
    for t in ATTACK_TYPES:
        out.append(Build(t))
        for u in UPGRADES:
            out.append(Build(t, (u,)))
        for lim in LIMITS:
            out.append(Build(t, (), (lim,)))
    return [b for b in out if not rules.check_build(b)]


def _both(builds, candidates, policy, runs, seed, options=None, grid=None):
    grid = grid or _grid()
    results = []
    for kernel in (VitalityKernel(options), CompiledVitalityKernel(options)):
        sim = Simulator(kernel, builds, grid, ATTACKER, 100, policy)
        results.append(sim.run(candidates, runs, seed, stream=1))
    return results


def _assert_identical(ref, got, names):
    for field in ("turn_sum", "turn_sumsq", "timeouts", "uses"):
        a, b = getattr(ref, field), getattr(got, field)
        differ = np.flatnonzero((a != b).reshape(len(a), -1).any(axis=1))
        assert len(differ) == 0, f"{field} differs for {[names[i] for i in differ[:5]]}"


def test_single_enhancement_builds_identical_in_every_cell():
    builds = single_enhancement_builds()
    assert len(builds) > 200  # every type, upgrade and limit is represented
    ref, got = _both(builds, np.arange(len(builds))[:, None], PreferSlot("first", 0), runs=12, seed=11)
    _assert_identical(ref, got, [b.id for b in builds])
    # The combats are real: some win quickly, some time out (the grid has cells a build cannot win).
    assert ref.means().min() < 5 and ref.timeouts.sum() > 0


def test_armor_piercing_option_reaches_the_compiled_kernel():
    builds = [Build(t, ("armor_piercing",)) for t in ("melee_ac", "melee_dg", "ranged", "area")]
    options = {"armor_piercing_keeps_buff": False}
    ref, got = _both(builds, np.arange(len(builds))[:, None], PreferSlot("first", 0), runs=40, seed=3, options=options)
    _assert_identical(ref, got, [b.id for b in builds])
    _, default = _both(builds, np.arange(len(builds))[:, None], PreferSlot("first", 0), runs=40, seed=3)
    assert not np.array_equal(got.turn_sum, default.turn_sum)


@pytest.mark.parametrize("policy", [PreferSlot("first", 0), PreferSlot("second", 1), ExpectedDamage()],
                         ids=["first", "second", "default"])
def test_pairs_identical_under_each_policy(policy):
    builds = sample_builds(VitalityRules(), 6, 400, seed=4)
    pairs = np.random.default_rng(6).integers(0, len(builds), size=(150, 2))
    ref, got = _both(builds, pairs, policy, runs=4, seed=5)
    _assert_identical(ref, got, [(builds[a].id, builds[b].id) for a, b in pairs])
    # Both slots and the fallback basic attack are used: the policy had choices to make.
    assert (got.uses[..., 0].sum() > 0) and (got.uses[..., 1].sum() > 0) and (got.uses[..., 2].sum() > 0)


def test_single_enhancement_pairs_identical_with_the_default_policy():
    """Pairs of single-enhancement builds: each rule meets the policy view in isolation."""
    builds = single_enhancement_builds()
    pairs = np.random.default_rng(8).integers(0, len(builds), size=(300, 2))
    ref, got = _both(builds, pairs, ExpectedDamage(), runs=3, seed=9)
    _assert_identical(ref, got, [(builds[a].id, builds[b].id) for a, b in pairs])


def test_three_attacks_identical():
    builds = sample_builds(VitalityRules(), 6, 200, seed=2)
    triples = np.random.default_rng(3).integers(0, len(builds), size=(60, 3))
    for policy in (PreferSlot("second", 1), ExpectedDamage()):
        ref, got = _both(builds, triples, policy, runs=3, seed=1)
        _assert_identical(ref, got, [tuple(builds[i].id for i in t) for t in triples])


class _Unknown:
    """A policy without a ``rule``: only its ``choose`` can say what it does."""

    name = "unknown"
    needs_view = False

    def choose(self, view, usable):
        return np.where(usable[:, 1], 1, 0)


def test_unknown_policy_runs_in_the_turn_loop():
    builds = sample_builds(VitalityRules(), 6, 100, seed=2)
    pairs = np.random.default_rng(3).integers(0, len(builds), size=(40, 2))
    kernel = CompiledVitalityKernel()
    sim = Simulator(kernel, builds, _grid(), ATTACKER, 100, _Unknown())
    keys = np.zeros(len(sim.cells) * 2, dtype=np.uint64)
    assert kernel.run_combats(sim.table, sim.cells, pairs, keys, 2, 100, _Unknown()) is None
    ref, got = _both(builds, pairs, _Unknown(), runs=3, seed=2)
    _assert_identical(ref, got, [(builds[a].id, builds[b].id) for a, b in pairs])
    # ... and it is the policy it claims: the same as ``second``.
    _, second = _both(builds, pairs, PreferSlot("second", 1), runs=3, seed=2)
    _assert_identical(got, second, [(builds[a].id, builds[b].id) for a, b in pairs])


def test_compiled_results_do_not_depend_on_how_the_work_is_split():
    builds = sample_builds(VitalityRules(), 6, 300, seed=7)
    pairs = np.random.default_rng(1).integers(0, len(builds), size=(80, 2))
    sim = Simulator(CompiledVitalityKernel(), builds, _grid(), ATTACKER, 100, ExpectedDamage())
    whole = sim.run(pairs, 6, seed=4)
    halves = [sim.run(pairs[:33], 6, seed=4), sim.run(pairs[33:], 6, seed=4)]
    for field in ("turn_sum", "turn_sumsq", "timeouts", "uses"):
        assert np.array_equal(getattr(whole, field), np.concatenate([getattr(h, field) for h in halves]))
    # Runs split in two (run_offset) add up to the whole.
    first, second = sim.run(pairs, 2, seed=4), sim.run(pairs, 4, seed=4, run_offset=2)
    assert np.array_equal(whole.turn_sum, first.turn_sum + second.turn_sum)
    assert np.array_equal(whole.uses, first.uses + second.uses)
    # Reversed candidate order gives the reversed rows.
    rev = sim.run(pairs[::-1], 6, seed=4)
    assert np.array_equal(rev.turn_sum, whole.turn_sum[::-1])
    # Another stream gives other dice.
    assert not np.array_equal(sim.run(pairs, 6, seed=4, stream=2).turn_sum, whole.turn_sum)


def test_raced_pairs_identical_with_bounded_pilots_and_one_call_evaluation():
    """The raced ``default`` policy: the compiled kernel stops pilot combats once a plan cannot win
    (``bound``) and plays the winners in one call (``where``); the numpy kernel plays every pilot
    to the end and the winners cell by cell. Same choices, same sums."""
    from balance_plugins.policies.race import RacedPlans

    builds = sample_builds(VitalityRules(), 6, 300, seed=12)
    pairs = np.random.default_rng(13).integers(0, len(builds), size=(200, 2))
    ref, got = _both(builds, pairs, RacedPlans(), runs=3, seed=14)
    _assert_identical(ref, got, [(builds[a].id, builds[b].id) for a, b in pairs])
    grid = _grid()
    sims = [Simulator(kn, builds, grid, ATTACKER, 100, RacedPlans()) for kn in (VitalityKernel(), CompiledVitalityKernel())]
    choices = [s.race_choice(pairs, 3, 14, 1, 0, RacedPlans.race) for s in sims]
    np.testing.assert_array_equal(choices[0], choices[1])
    # the race is real: each attack alone and greedy each win somewhere
    assert set(np.unique(choices[0]).tolist()) == {0, 1, 2}


def test_bounded_sums_are_exact_below_the_bound():
    """``run_combats(bound=...)``: a group whose turn sum stays below its bound is exact; any other
    reads exactly its bound. ``where`` leaves the groups it excludes at zero."""
    builds = sample_builds(VitalityRules(), 6, 200, seed=15)
    pairs = np.random.default_rng(16).integers(0, len(builds), size=(120, 2))
    kernel = CompiledVitalityKernel()
    sim = Simulator(kernel, builds, _grid(), ATTACKER, 100, ExpectedDamage())
    full = sim.run(pairs, 4, 17, stream=1)
    rng = np.random.default_rng(18)
    bound = (full.turn_sum + rng.integers(-6, 7, size=full.turn_sum.shape)).astype(np.int64)
    where = rng.random(full.turn_sum.shape) < 0.7
    got = sim._some(pairs, 4, 17, 1, 0, ExpectedDamage(), where, bound)
    below = where & (full.turn_sum < bound)
    assert below.any() and (where & ~below).any()
    np.testing.assert_array_equal(got.turn_sum[below], full.turn_sum[below])
    np.testing.assert_array_equal(got.uses[below], full.uses[below])
    np.testing.assert_array_equal(got.turn_sum[where & ~below], bound[where & ~below])
    assert not got.turn_sum[~where].any() and not got.uses[~where].any()
