"""Distributions of turns: the engine's turn histograms against the per-combat turns of its own
turn loop (read lane by lane, not through the histogram), and the compiled kernel's sums.

Everything here is exact (counts of whole turns on fixed dice): no tolerances."""

from __future__ import annotations

import numpy as np

from balance.builds import parse_build
from balance.engine import Simulator
from balance.engine.distribution import summarize
from balance_plugins.policies.expected_damage import ExpectedDamage
from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel
from balance_rules.vitality.kernel import VitalityKernel
from tests.vitality_kernel.grids import ATTACKER, default_grid

BUILDS = ["melee_dg [careful, charges_2]", "direct_area_damage [charges_1]", "ranged + power_attack [quickdraw]",
          "melee_ac"]
RUNS, SEED, MAX_TURNS = 12, 31, 9  # a low turn limit: some combats time out


def _sim(kernel):
    return Simulator(kernel, [parse_build(b) for b in BUILDS], default_grid(), ATTACKER, MAX_TURNS, ExpectedDamage())


def _per_combat(sim, cand):
    """Per candidate: every combat's turns and whether it timed out, from the turn loop's lanes."""
    from balance.engine.dice import lane_keys

    cand = np.asarray(cand)
    C = len(sim.cells)
    keys = np.concatenate([lane_keys(SEED, 0, c.index, np.arange(RUNS)) for c in sim.cells])
    turns = np.zeros(len(cand) * C * RUNS, np.int64)
    outs = np.zeros_like(turns)
    for ids, t, timeout, _ in sim._lanes(cand, len(turns), RUNS, keys, sim.policy, sim.cells):
        turns[ids], outs[ids] = t, timeout
    return turns.reshape(len(cand), -1), outs.reshape(len(cand), -1)


def test_percentiles_and_shares_match_the_combats():
    cand = np.array([[0, 1], [2, 3], [0, 3]])
    sim = _sim(VitalityKernel())
    res = sim.run(cand, RUNS, SEED, histogram=True)
    d = summarize(res.turn_hist, res.timeouts)
    turns, outs = _per_combat(sim, cand)
    for i in range(len(cand)):
        for name, q in (("turns_p10", 10), ("turns_p50", 50), ("turns_p90", 90)):
            assert d[name][i] == np.percentile(turns[i], q, method="inverted_cdf"), (i, name)
        assert d["one_turn_share"][i] == np.float32(((turns[i] == 1) & (outs[i] == 0)).mean())
        assert d["timeout_share"][i] == np.float32(outs[i].mean())
    assert (d["timeout_share"] > 0).any() and (d["one_turn_share"] > 0).any()  # both cases occur


def test_histogram_run_gives_the_compiled_kernels_sums():
    cand = np.array([[0, 1], [2, 3]])
    compiled = _sim(CompiledVitalityKernel()).run(cand, RUNS, SEED)
    hist = _sim(CompiledVitalityKernel()).run(cand, RUNS, SEED, histogram=True)
    t = np.arange(MAX_TURNS + 1)
    assert np.array_equal(compiled.turn_sum, (hist.turn_hist * t).sum(axis=2))
    assert np.array_equal(compiled.turn_sum, hist.turn_sum)
    assert np.array_equal(compiled.timeouts, hist.timeouts)
    assert (hist.turn_hist.sum(axis=2) == RUNS).all()


def test_compiled_histograms_equal_the_turn_loops():
    """The compiled kernel counts combats by their last turn itself (distributions of confirmed
    pairs no longer need the turn loop): the same histograms as the numpy turn loop, for single
    attacks and for the raced default policy (each attack alone, greedy where it won a cell)."""
    from balance_plugins.policies.race import RacedPlans

    for cand, policy in ((np.array([[0], [1], [2], [3]]), ExpectedDamage()),
                         (np.array([[0, 1], [2, 3], [0, 3], [1, 2]]), RacedPlans())):
        sims = [Simulator(kn, [parse_build(b) for b in BUILDS], default_grid(), ATTACKER, MAX_TURNS, policy)
                for kn in (VitalityKernel(), CompiledVitalityKernel())]
        ref, got = (s.run(cand, RUNS, SEED, histogram=True) for s in sims)
        for field in ("turn_hist", "turn_sum", "turn_sumsq", "timeouts", "uses"):
            assert np.array_equal(getattr(ref, field), getattr(got, field)), field
        assert ref.timeouts.sum() > 0 and ref.turn_hist[..., 1].sum() > 0  # timeouts and one-turn kills
