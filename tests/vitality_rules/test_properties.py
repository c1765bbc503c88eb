"""Property tests: the enumerator against a brute force on random small catalogs.

The brute force forms every combination of at most ``max_upgrades`` upgrades and ``max_limits``
limits and keeps those that obey the rules, read directly from the catalog's data. The enumerator
must produce exactly those builds, each once, in canonical order; ``problems`` must accept exactly
them, too.
"""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance.builds import Build
from balance.legality import BuildRules, Catalog, TypeRestriction
from balance_rules.vitality.rules import VitalityRules


@st.composite
def catalogs(draw):
    # Distinct short names in random order, so that sorted order differs from catalog order.
    names = draw(st.lists(st.text("abcde", min_size=1, max_size=3), min_size=3, max_size=13, unique=True))
    n_types = draw(st.integers(1, min(3, len(names) - 1)))
    n_ups = draw(st.integers(0, len(names) - n_types))
    types, ups, lims = names[:n_types], names[n_types:n_types + n_ups], names[n_types + n_ups:]
    cost = st.integers(0, 4)
    enh = ups + lims
    groups = []
    if len(enh) >= 2:
        groups = draw(st.lists(st.lists(st.sampled_from(enh), min_size=2, max_size=4, unique=True), max_size=4))
    restrictions = []
    if enh:
        for i in range(draw(st.integers(0, 2))):
            restrictions.append(
                TypeRestriction(
                    f"kind{i}",
                    draw(st.sets(st.sampled_from(types), min_size=1)),
                    draw(st.sets(st.sampled_from(enh), min_size=1)),
                )
            )
    return Catalog(
        attack_types={t: draw(st.integers(1, 2)) for t in types},
        upgrades={u: draw(cost) for u in ups},
        limits={x: draw(cost) for x in lims},
        exclusive_groups=groups,
        restrictions=restrictions,
        max_upgrades=draw(st.integers(0, 3)),
        max_limits=draw(st.integers(0, 2)),
    )


def all_combinations(c: Catalog):
    """Every build of at most max_upgrades distinct upgrades and max_limits distinct limits."""
    ups, lims = sorted(c.upgrade_cost), sorted(c.limit_cost)
    for t in c.type_names:
        for nu in range(c.max_upgrades + 1):
            for us in itertools.combinations(ups, nu):
                for nl in range(c.max_limits + 1):
                    for ls in itertools.combinations(lims, nl):
                        yield Build(t, us, ls)


def legal_by_definition(c: Catalog, b: Build, budget: int) -> bool:
    names = set(b.upgrades) | set(b.limits)
    if any(b.attack_type in r.types and names & r.names for r in c.restrictions):
        return False
    if any(len(names & g) > 1 for g in c.exclusive_groups):
        return False
    base = sum(c.upgrade_cost[u] for u in b.upgrades) + sum(c.limit_cost[x] for x in b.limits)
    return base * c.type_factor[b.attack_type] <= budget


@settings(max_examples=300, deadline=None)
@given(catalogs(), st.integers(0, 9))
def test_enumerator_equals_brute_force(catalog, budget):
    rules = BuildRules(catalog)
    got = list(rules.enumerate(budget))
    expected = [b for b in all_combinations(catalog) if legal_by_definition(catalog, b, budget)]
    assert len(got) == len(set(got)), "an enumerated build appears twice"
    assert set(got) == set(expected), "missing or extra builds"
    order = {t: i for i, t in enumerate(catalog.type_names)}
    assert got == sorted(got, key=lambda b: (order[b.attack_type], b.upgrades, b.limits))
    assert rules.count(budget) == {t: sum(1 for b in got if b.attack_type == t) for t in catalog.type_names}


@settings(max_examples=150, deadline=None)
@given(catalogs(), st.integers(0, 9))
def test_problems_accepts_exactly_the_enumerated_builds(catalog, budget):
    rules = BuildRules(catalog)
    legal = set(rules.enumerate(budget))
    for b in all_combinations(catalog):
        problems = rules.problems(b, budget)
        assert (problems == []) == (b in legal), (b, problems)
        if b in legal:
            assert rules.cost(b) <= budget


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 8), st.data())
def test_vitality_enumerated_builds_validate_and_fit(budget, data):
    rules = VitalityRules()
    builds = _all_enumerated(budget)
    for b in data.draw(st.lists(st.sampled_from(builds), min_size=1, max_size=50)):
        assert rules.check_build(b, budget) == []
        assert rules.build_cost(b) <= budget
        # The canonical text reads back to the same build.
        assert rules.parse(b.id) == b


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_vitality_random_builds_agree_with_enumeration(data):
    """A random build (any names, any sizes) is legal at a budget iff the enumerator lists it."""
    rules = VitalityRules()
    budget = data.draw(st.integers(0, 8))
    t = data.draw(st.sampled_from(rules.attack_types))
    ups = data.draw(st.lists(st.sampled_from(sorted(rules.catalog.upgrade_cost)), max_size=4, unique=True))
    lims = data.draw(st.lists(st.sampled_from(sorted(rules.catalog.limit_cost)), max_size=3, unique=True))
    b = Build(t, ups, lims)
    legal = set(_enumerated(budget, t))
    assert (rules.check_build(b, budget) == []) == (b in legal)


# Enumerations are cached across examples: hypothesis runs many examples per budget.
@functools.lru_cache(maxsize=None)
def _all_enumerated(budget: int) -> tuple[Build, ...]:
    return tuple(VitalityRules().enumerate_builds(budget))


@functools.lru_cache(maxsize=None)
def _enumerated(budget: int, t: str) -> frozenset[Build]:
    return frozenset(VitalityRules().enumerate_builds(budget, t))


def test_catalog_rejects_inconsistent_data():
    with pytest.raises(ValueError, match="used twice"):
        Catalog(attack_types={"a": 1}, upgrades={"a": 1}, limits={})
    with pytest.raises(ValueError, match="unknown enhancements"):
        Catalog(attack_types={"a": 1}, upgrades={"u": 1}, limits={}, exclusive_groups=[{"u", "zz"}])
