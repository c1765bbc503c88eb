"""What stage 1's dice groups cost the engine (pytest-benchmark): the same 2,000 six-point builds
over the default grid with 20 runs per cell, simulated as stage 1 did before the groups (one call
for all 20 runs: ``whole``) and as it does now (one call per dice group of runs, 10 calls of 2 runs:
``groups``), with the compiled kernel. The sums are identical (asserted); only the time differs.

    pytest tests/benchmarks/test_bench_stage1_groups.py --benchmark-enable

(``extra_info`` has combats/s; docs/performance.md, *Stage 1's dice groups*, has the figures.) With
``--benchmark-disable`` (the default) each runs once on 300 builds with 2 runs per cell (smoke test).
"""

from __future__ import annotations

import numpy as np
import pytest

from balance.engine import Simulator
from balance.engine.bench import sample_builds
from balance_plugins.policies.simple import PreferSlot
from balance_plugins.stages.stage1 import dice_groups
from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel
from balance_rules.vitality.rules import VitalityRules
from tests.vitality_kernel.grids import ATTACKER, default_grid

N, N_SMOKE, RUNS = 2000, 300, 20


@pytest.fixture(scope="module")
def sim():
    kernel = CompiledVitalityKernel()
    kernel.warm_up()
    return Simulator(kernel, sample_builds(VitalityRules(), 6, N, seed=1), default_grid(), ATTACKER, 100,
                     PreferSlot("first", 0))


def _whole(sim, cand, runs):
    return sim.run(cand, runs, seed=1).turn_sum


def _groups(sim, cand, runs):
    return np.stack([sim.run(cand, b - a, seed=1, run_offset=a).turn_sum for a, b in dice_groups(runs)], axis=1)


@pytest.mark.parametrize("how", ["whole", "groups"])
def test_stage1_simulation_with_and_without_dice_groups(benchmark, sim, how):
    n, runs = (N_SMOKE, 2) if benchmark.disabled else (N, RUNS)
    cand = np.arange(n)[:, None]
    fn = {"whole": _whole, "groups": _groups}[how]
    out = benchmark.pedantic(lambda: fn(sim, cand, runs), rounds=1 if benchmark.disabled else 5, iterations=1)
    whole = _whole(sim, cand, runs)
    np.testing.assert_array_equal(out if how == "whole" else out.sum(axis=1), whole)
    if not benchmark.disabled:
        benchmark.extra_info["combats_per_s"] = n * len(sim.cells) * runs / benchmark.stats.stats.mean
