"""Combat by combat, the vectorised kernel agrees exactly with a scalar reference (reference.py,
whose rule numbers are typed from the rulebook) on legal builds and pairs, over every default cell,
with the same dice. A vectorisation bug (a mask, an index, a lane mix-up, a follow-up order) or a
rule number that differs from the rulebook shows up as a different turn count.

The builds cover every attack type with every upgrade and limit it may carry (one seeded build
containing each name, per type), plus a seeded sample of 8-point builds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from balance.engine import Simulator
from balance.engine.bench import sample_builds
from balance.grid import Buff
from balance_plugins.policies.simple import PreferSlot
from balance_rules.vitality import catalog
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.rules import VitalityRules

from . import reference
from .grids import ATTACKER, default_grid, grid
from .reference import simulate

RUNS = 3
TYPES = tuple(reference.TYPES)
#: Budgets that admit every name on its type (area types pay double).
BUDGET = {"area": 8, "direct_area_damage": 8}


def covering_builds(rules, seed=21):
    """For each attack type and each upgrade or limit that appears in some legal build of that type,
    one build holding it, drawn with a seeded generator from every legal build of the type."""
    rng = np.random.default_rng(seed)
    out = []
    for t in TYPES:
        every = list(rules.enumerate_builds(BUDGET.get(t, 6), t))
        names = sorted({n for b in every for n in (*b.upgrades, *b.limits)})
        for name in names:
            holding = [b for b in every if name in b.upgrades or name in b.limits]
            out.append(holding[rng.integers(len(holding))])
    return list(dict.fromkeys(out))


@pytest.fixture(scope="module")
def builds():
    rules = VitalityRules()
    return covering_builds(rules) + sample_builds(rules, 8, 30, seed=12)


def test_covering_sample_holds_every_name_on_every_type_that_allows_it(builds):
    """Every attack type appears with every upgrade and limit the rulebook allows on it."""
    have = {(b.attack_type, n) for b in builds for n in (*b.upgrades, *b.limits)}
    for t, (_, _, area, direct, _) in reference.TYPES.items():
        banned = (catalog.NOT_ON_DIRECT if direct else set()) | (catalog.NOT_ON_AREA if area else set())
        want = {(t, n) for n in (*reference.UPGRADE_MODS, *reference.LIMIT_BONUS) if n not in banned}
        assert want <= have, sorted(want - have)


def test_reference_knows_exactly_the_rulebook_names():
    """The reference's typed tables name every attack type, upgrade and limit the plugin accepts
    (names only: its numbers are typed from the rulebook, never read from the catalog)."""
    assert set(reference.TYPES) == set(catalog.ATTACK_TYPES)
    assert set(reference.UPGRADE_MODS) == set(catalog.UPGRADES)
    assert set(reference.LIMIT_BONUS) == set(catalog.LIMITS)


def test_reference_imports_nothing_of_the_rules_but_the_dice_slots():
    tree = ast.parse(Path(reference.__file__).read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert modules <= {"__future__", "balance_rules.vitality.kernel_dice"}


def _check(builds, cand, g, options=None):
    sim = Simulator(VitalityKernel(options), builds, g, ATTACKER, 100, PreferSlot("first", 0), lanes_per_batch=4096)
    res = sim.run(cand, RUNS, seed=7)
    bad = []
    for i, c in enumerate(cand):
        for cell in g.cells:
            turns, timeouts, uses = 0, 0, np.zeros(cand.shape[1] + 1, dtype=np.int64)
            for run in range(RUNS):
                t, to, u = simulate([builds[j] for j in c], cell, ATTACKER, 100, seed=7, run=run, **(options or {}))
                turns, timeouts, uses = turns + t, timeouts + to, uses + u
            got = (res.turn_sum[i, cell.index], res.timeouts[i, cell.index], res.uses[i, cell.index].tolist())
            if got != (turns, timeouts, uses.tolist()):
                bad.append(f"{[builds[j].id for j in c]} {cell.profile.name}/{cell.scenario.name}: "
                           f"engine {got} reference {(turns, timeouts, uses.tolist())}")
    assert not bad, "\n".join(bad[:10])


def test_single_builds_match_reference(builds):
    _check(builds, np.arange(len(builds))[:, None], default_grid())


@pytest.mark.parametrize("keeps_buff", [True, False])
def test_buffed_builds_match_reference(builds, keeps_buff):
    """A buff on both sides (armor_piercing's Durability depends on the option)."""
    buff = Buff("Buffed", accuracy=2, damage=3, avoidance=1, durability=2)
    g = grid(profiles=("Balanced", "Tanky"), scenarios=("Mixed", "Swarm"), buffs=(buff,))
    some = [i for i, b in enumerate(builds) if b.attack_type in ("area", "ranged", "direct_area_damage")]
    _check(builds, np.array(some)[:, None], g, options={"armor_piercing_keeps_buff": keeps_buff})


def test_pairs_match_reference(builds):
    rng = np.random.default_rng(3)
    cand = rng.integers(0, len(builds), size=(40, 2))
    _check(builds, cand, grid(profiles=("Balanced", "Evasive"), scenarios=("Mixed", "Swarm")))


def test_three_attacks_match_reference(builds):
    """versatile_master characters have three attacks; nothing in the engine assumes k <= 2."""
    rng = np.random.default_rng(4)
    cand = rng.integers(0, len(builds), size=(15, 3))
    _check(builds, cand, grid(profiles=("Tanky",), scenarios=("Boss", "Swarm 2")))
