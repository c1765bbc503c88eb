"""Enumeration benchmark (pytest-benchmark): walking every legal Vitality build at budget 8
(281,698 builds at tier 4) against counting them without building them.

With ``--benchmark-disable`` (the default in pyproject) each runs once as a smoke test; run
``pytest tests/benchmarks/test_bench_enumeration.py --benchmark-enable`` for figures.
"""

from __future__ import annotations

import pytest

from balance_rules.vitality.rules import VitalityRules
from tests.vitality_rules.test_counts import PINNED, TOTALS


@pytest.fixture(scope="module")
def rules():
    return VitalityRules()


def test_bench_enumerate_budget_8(benchmark, rules):
    n = benchmark.pedantic(lambda: sum(1 for _ in rules.enumerate_builds(8)), rounds=1 if benchmark.disabled else 3)
    assert n == TOTALS[8]


def test_bench_count_budget_8(benchmark, rules):
    counts = benchmark.pedantic(lambda: rules.count_builds(8), rounds=1 if benchmark.disabled else 3)
    assert counts == PINNED[8]
