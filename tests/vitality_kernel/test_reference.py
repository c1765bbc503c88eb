"""Combat by combat, the vectorised kernel agrees exactly with a scalar reference (reference.py) on
random legal builds and pairs, over every default cell, with the same dice. A vectorisation bug
(a mask, an index, a lane mix-up, a follow-up order) shows up as a different turn count."""

from __future__ import annotations

import numpy as np
import pytest

from balance.engine import Simulator
from balance.engine.bench import sample_builds
from balance_plugins.policies.simple import PreferSlot
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.rules import VitalityRules

from .grids import ATTACKER, default_grid, grid
from .reference import simulate

RUNS = 3


@pytest.fixture(scope="module")
def builds():
    rules = VitalityRules()
    # every feature appears: a seeded sample of 6-point builds plus 8-point builds (more upgrades)
    return sample_builds(rules, 6, 60, seed=11) + sample_builds(rules, 8, 40, seed=12)


def _check(builds, cand, g):
    sim = Simulator(VitalityKernel(), builds, g, ATTACKER, 100, PreferSlot("first", 0), lanes_per_batch=4096)
    res = sim.run(cand, RUNS, seed=7)
    bad = []
    for i, c in enumerate(cand):
        for cell in g.cells:
            turns, timeouts, uses = 0, 0, np.zeros(cand.shape[1] + 1, dtype=np.int64)
            for run in range(RUNS):
                t, to, u = simulate([builds[j] for j in c], cell, ATTACKER, 100, seed=7, run=run)
                turns, timeouts, uses = turns + t, timeouts + to, uses + u
            got = (res.turn_sum[i, cell.index], res.timeouts[i, cell.index], res.uses[i, cell.index].tolist())
            if got != (turns, timeouts, uses.tolist()):
                bad.append(f"{[builds[j].id for j in c]} {cell.profile.name}/{cell.scenario.name}: "
                           f"engine {got} reference {(turns, timeouts, uses.tolist())}")
    assert not bad, "\n".join(bad[:10])


def test_single_builds_match_reference(builds):
    _check(builds, np.arange(len(builds))[:, None], default_grid())


def test_pairs_match_reference(builds):
    rng = np.random.default_rng(3)
    cand = rng.integers(0, len(builds), size=(40, 2))
    _check(builds, cand, grid(profiles=("Balanced", "Evasive"), scenarios=("Mixed", "Swarm")))


def test_three_attacks_match_reference(builds):
    """versatile_master characters have three attacks; nothing in the engine assumes k <= 2."""
    rng = np.random.default_rng(4)
    cand = rng.integers(0, len(builds), size=(15, 3))
    _check(builds, cand, grid(profiles=("Tanky",), scenarios=("Boss", "Swarm 2")))
