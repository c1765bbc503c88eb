"""Attack-table benchmark (pytest-benchmark): compiling the default run's 53,113 stage-1 builds
column by column (``compile_table``) against the row-by-row loop it replaced (kept as the oracle
in ``tests/vitality_kernel/test_table_columns.py``). Each stage-1 worker compiles this table.

With ``--benchmark-disable`` (the default in pyproject) each runs once as a smoke test; run
``pytest tests/benchmarks/test_bench_attack_table.py --benchmark-enable`` for figures.
"""

from __future__ import annotations

import pytest

from balance_rules.vitality.kernel_table import compile_table
from balance_rules.vitality.ruleset import DEFAULT
from tests.vitality_kernel.test_table_columns import ATTACKER, builds_of, loop_table


@pytest.fixture(scope="module")
def builds():
    return builds_of(DEFAULT)


@pytest.mark.parametrize("compile", [compile_table, loop_table], ids=["columns", "loop"])
def test_bench_attack_table(benchmark, builds, compile):
    table = benchmark.pedantic(lambda: compile(builds, ATTACKER), rounds=1 if benchmark.disabled else 5)
    assert len(table.cols["acc"]) == len(builds) + len(DEFAULT.attack_types)
