"""Pinned counts of legal Vitality builds, and an independent brute force that confirms small cases.

The brute force below reads the raw tables of ``catalog.py`` and applies rulebook section 7 literally
(every subset of at most 3 upgrades and 2 limits, then filter), sharing no code with the enumerator.
"""

from __future__ import annotations

import itertools

import pytest

from balance.builds import Build
from balance_rules.vitality import catalog as cat
from balance_rules.vitality.rules import VitalityRules

TYPES = ("melee_ac", "melee_dg", "ranged", "area", "direct_damage", "direct_area_damage")

#: Legal builds per attack type and budget (computed by the project, confirmed for budgets 2 and 4
#: by the brute force below and for budget 2 by hand: see test_budget_2_melee_by_hand).
PINNED = {
    2: {"melee_ac": 90, "melee_dg": 90, "ranged": 90, "area": 12, "direct_damage": 47, "direct_area_damage": 10},
    4: {"melee_ac": 1771, "melee_dg": 1771, "ranged": 1771, "area": 77, "direct_damage": 335, "direct_area_damage": 47},
    6: {
        "melee_ac": 17120, "melee_dg": 17120, "ranged": 17120,
        "area": 359, "direct_damage": 1250, "direct_area_damage": 144,
    },
    8: {
        "melee_ac": 92334, "melee_dg": 92334, "ranged": 92334,
        "area": 1311, "direct_damage": 3060, "direct_area_damage": 325,
    },
}
TOTALS = {2: 339, 4: 5772, 6: 53113, 8: 281698}


@pytest.fixture(scope="module")
def rules():
    return VitalityRules()


def brute_force(attack_type: str, budget: int) -> list[Build]:
    """Every legal build of one type, by filtering all subsets (the rulebook read literally)."""
    t = cat.ATTACK_TYPES[attack_type]
    factor = 2 if t.area else 1
    banned = (cat.NOT_ON_DIRECT if t.direct else set()) | (cat.NOT_ON_AREA if t.area else set())
    # A name that alone costs more than the budget is in no legal build; leaving it out only
    # shrinks the search, it cannot change the result.
    ups = [u.name for u in cat.UPGRADES.values() if u.cost * factor <= budget]
    lims = [x.name for x in cat.LIMITS.values() if x.cost * factor <= budget]
    out = []
    for nu in range(cat.MAX_UPGRADES + 1):
        for us in itertools.combinations(ups, nu):
            ucost = sum(cat.UPGRADES[u].cost for u in us)
            for nl in range(cat.MAX_LIMITS + 1):
                for ls in itertools.combinations(lims, nl):
                    names = set(us) | set(ls)
                    if names & banned:
                        continue
                    if any(len(names & g) > 1 for g in cat.EXCLUSIVE_GROUPS):
                        continue
                    if (ucost + sum(cat.LIMITS[x].cost for x in ls)) * factor > budget:
                        continue
                    out.append(Build(attack_type, us, ls))
    return out


@pytest.mark.parametrize("budget", sorted(PINNED))
def test_pinned_counts_per_type(rules, budget):
    counts = {t: 0 for t in TYPES}
    for b in rules.enumerate_builds(budget):
        counts[b.attack_type] += 1
    assert counts == PINNED[budget]
    assert sum(counts.values()) == TOTALS[budget]
    assert rules.count_builds(budget) == PINNED[budget]


@pytest.mark.parametrize(
    "attack_type,budget",
    [(t, 2) for t in TYPES] + [("area", 4), ("direct_damage", 4), ("direct_area_damage", 4), ("area", 6),
                               ("direct_area_damage", 8), ("melee_ac", 3)],
)
def test_enumeration_equals_brute_force(rules, attack_type, budget):
    got = list(rules.enumerate_builds(budget, attack_type))
    expected = brute_force(attack_type, budget)
    assert len(got) == len(set(got)), "duplicate builds"
    assert set(got) == set(expected)
    if budget in PINNED:
        assert len(expected) == PINNED[budget][attack_type]


@pytest.mark.slow
def test_budget_8_melee_equals_brute_force(rules):
    """The largest pinned case, against every subset (a few seconds)."""
    got = list(rules.enumerate_builds(8, "melee_ac"))
    assert len(got) == len(set(got)) == PINNED[8]["melee_ac"]
    assert set(got) == set(brute_force("melee_ac", 8))


def test_budget_2_melee_by_hand(rules):
    """melee_ac at budget 2, counted by hand from the rulebook tables.

    Cost-1 upgrades: power_attack, accurate_attack, explosive_critical (3); cost-2 upgrades: 12;
    cost-1 limits: 9; cost-2 limits: 9. Builds: empty 1 + singles 33 + two cost-1 upgrades 3 +
    cost-1 upgrade with cost-1 limit 27 + two cost-1 limits C(9,2) - 10 exclusive pairs = 26.
    """
    assert 1 + (3 + 12 + 9 + 9) + 3 + 3 * 9 + (36 - 10) == 90 == PINNED[2]["melee_ac"]
    two_limits = [b for b in rules.enumerate_builds(2, "melee_ac") if len(b.limits) == 2]
    assert len(two_limits) == 26
    assert Build("melee_ac", (), ("careful", "timid")) not in two_limits  # groups 11 and 12
    assert Build("melee_ac", (), ("cooldown", "passive")) in two_limits


def test_budget_0_is_only_the_bare_types(rules):
    assert [b.id for b in rules.enumerate_builds(0)] == list(TYPES)
    assert list(rules.enumerate_builds(-1)) == []


def test_order_is_canonical_and_deterministic(rules):
    builds = list(rules.enumerate_builds(4))
    index = {t: i for i, t in enumerate(TYPES)}
    assert builds == sorted(builds, key=lambda b: (index[b.attack_type], b.upgrades, b.limits))
    assert builds == list(rules.enumerate_builds(4))
    assert builds[:3] == [Build("melee_ac"), Build("melee_ac", (), ("bloodied",)),
                          Build("melee_ac", (), ("bloodied", "careful"))]


def test_every_enumerated_build_is_legal_and_within_budget(rules):
    for b in rules.enumerate_builds(6):
        assert rules.build_cost(b) <= 6
        assert rules.check_build(b, 6) == [], b.id
