"""Cost of the ``default`` policy (each attack alone and ``greedy``, raced per cell on pilot dice)
against ``greedy`` alone, side by side on the compiled kernel (pytest-benchmark).

A stage-2 work unit: the pairs of a few first attacks with every other one of 1,000 sampled 6-point
builds (contiguous pair indices, as the runner hands them out), the default grid, 2 runs per cell.
The race's solos are simulated once per worker for all its pairs (millions in a real run), so here
they are filled in the benchmark's setup, outside the timing; the pilot of ``greedy`` and the
evaluation of the cells it wins are timed. With ``--benchmark-disable`` (the pyproject default)
each runs once on 300 pairs as a smoke test. Figures:

    .venv/bin/pytest tests/benchmarks/test_bench_policy.py --benchmark-enable

(pairs/s in ``extra_info``); docs/performance.md, section "Pair play", has them beside the default
run's own summary lines.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance.engine import Simulator
from balance.engine.bench import sample_builds
from balance.engine.simulator import PILOT_RUN_OFFSET
from balance_plugins.policies.expected_damage import ExpectedDamage
from balance_plugins.policies.race import RacedPlans
from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel
from balance_rules.vitality.rules import VitalityRules
from tests.vitality_kernel.grids import ATTACKER, default_grid

N = 1000
FIRST = 5  # attacks 0..4 paired with every later attack: 4,985 pairs
RUNS = 2


@pytest.fixture(scope="module")
def builds():
    return sample_builds(VitalityRules(), 6, N, seed=1)


@pytest.fixture(scope="module")
def kernel():
    k = CompiledVitalityKernel()
    k.warm_up()
    return k


@pytest.mark.parametrize("policy", [ExpectedDamage(), RacedPlans()], ids=["greedy", "default"])
def test_bench_pair_policy(benchmark, builds, kernel, policy):
    pairs = np.array([(a, b) for a in range(FIRST) for b in range(a + 1, N)])
    if benchmark.disabled:
        pairs = pairs[:300]

    def setup():
        sim = Simulator(kernel, builds, default_grid(), ATTACKER, 100, policy)
        if getattr(policy, "race", None):
            for offset in (0, PILOT_RUN_OFFSET):
                sim._solos(np.arange(N)[:, None], RUNS, 1, 1, offset)
        return (sim,), {}

    res = benchmark.pedantic(lambda sim: sim.run(pairs, RUNS, seed=1, stream=1), setup=setup,
                             rounds=1 if benchmark.disabled else 3, iterations=1)
    if not benchmark.disabled and benchmark.stats:
        benchmark.extra_info["pairs_per_s"] = len(pairs) / benchmark.stats.stats.min
    assert res.turn_sum.shape == (len(pairs), 8)
    assert res.uses.sum() == res.turn_sum.sum()

