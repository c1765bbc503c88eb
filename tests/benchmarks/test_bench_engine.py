"""Engine benchmarks (pytest-benchmark): single-process combats per second over the default grid
(Evasive and Tanky, No Buffs, Boss / Mixed / Swarm / Swarm 2; attacker [2,2,2,2,4]; 100 turns).

(a) 2,000 single 6-point builds sampled deterministically (seeded) from every legal 6-point build;
(b) 2,000 pairs of those builds with the ``first`` policy, and (c) with the ``default`` policy.

2,000 candidates × 8 cells × 10 runs = 160,000 combats: one batch, whose last, longest combats run
as a thin tail; ``python -m balance.engine.bench`` measures jobs of several batches (what stages
run, where refilling removes all but the last tail). With ``--benchmark-disable`` (the default in
pyproject) each runs once on 300 candidates with 1 run per cell as a smoke test. Run
``pytest tests/benchmarks/test_bench_engine.py --benchmark-enable`` for figures (combats/s in
``extra_info``); docs/performance.md, section Engine, has both.

Each case runs twice, side by side in one benchmark run: the numpy kernel (``numpy``, the engine's
turn loop) and the compiled kernel the rule system ships (``compiled``, whole combats in numba), on
the same builds, dice and policy; ``pytest-benchmark compare`` or the printed table gives the ratio.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance.engine import Simulator
from balance.engine.bench import sample_builds
from balance_plugins.policies.expected_damage import ExpectedDamage
from balance_plugins.policies.simple import PreferSlot
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel
from balance_rules.vitality.rules import VitalityRules
from tests.vitality_kernel.grids import ATTACKER, default_grid

N = 2000
N_SMOKE = 300


@pytest.fixture(scope="module")
def builds():
    return sample_builds(VitalityRules(), 6, N, seed=1)


KERNELS = {"numpy": VitalityKernel, "compiled": CompiledVitalityKernel}


@pytest.fixture(scope="module", params=list(KERNELS))
def kernel(request):
    k = KERNELS[request.param]()
    if hasattr(k, "warm_up"):
        k.warm_up()  # load the compiled code (compiling it if the cache is cold) outside the timing
    return k


def _bench(benchmark, builds, candidates, policy, kernel):
    runs = 1 if benchmark.disabled else 10
    if benchmark.disabled:
        candidates = candidates[:N_SMOKE]
    grid = default_grid()
    sim = Simulator(kernel, builds, grid, ATTACKER, 100, policy)
    res = benchmark.pedantic(lambda: sim.run(candidates, runs, seed=1), rounds=1 if benchmark.disabled else 3, iterations=1)
    combats = len(candidates) * len(grid.cells) * runs
    if not benchmark.disabled and benchmark.stats:
        benchmark.extra_info["combats_per_s"] = combats / benchmark.stats.stats.min
    # sanity: every combat is counted, means are plausible turns
    assert res.turn_sum.shape == (len(candidates), 8)
    assert np.all(res.means() >= 1) and np.all(res.means() <= 100)
    return res


def test_bench_single_builds(benchmark, builds, kernel):
    _bench(benchmark, builds, np.arange(len(builds))[:, None], None, kernel)


@pytest.mark.parametrize("policy", [PreferSlot("first", 0), ExpectedDamage()], ids=["first", "default"])
def test_bench_pairs(benchmark, builds, policy, kernel):
    pairs = np.random.default_rng(2).integers(0, len(builds), size=(N, 2))
    res = _bench(benchmark, builds, pairs, policy, kernel)
    assert res.uses.sum() == res.turn_sum.sum()
