"""Synthetic stage-2-shaped records for tests and the benchmark (the store itself is game-agnostic).

The values are a pure function of the work-item index, so any range can be regenerated (as a
resumed stage would) and compared bit for bit.
"""

from __future__ import annotations

import numpy as np

from balance.records import Column, Schema

PROFILES = ("Evasive", "Tanky")
BUFFS = ("No Buffs",)
SCENARIOS = ("Boss", "Mixed", "Swarm", "Swarm 2")


def stage2_schema() -> Schema:
    """The shape of a stage-2 pair record as the pipeline describes it (90 raw bytes)."""
    return Schema([
        Column("a_index", "int32"),
        Column("b_index", "int32"),
        Column("overall", "float32"),
        Column("se", "float32"),
        Column("timeouts", "uint16"),
        Column("total_cost", "uint8"),
        Column("synergy", "float32"),
        Column("gain_vs_best", "float32"),
        Column("solo_a", "float32"),
        Column("solo_b", "float32"),
        Column("profile_mean", "float32", (2,), PROFILES),
        Column("buff_mean", "float32", (1,), BUFFS),
        Column("scenario_mean", "float32", (4,), SCENARIOS),
        Column("usage_a_profile", "uint8", (2,), PROFILES, doc="share of turns attack A was used, 0..255"),
        Column("usage_a_scenario", "uint8", (4,), SCENARIOS),
    ])


def pair_of(index: np.ndarray, n_attacks: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) with a < b for pair index i in row-major order of the upper triangle (vectorised)."""
    i = index.astype(np.float64)
    # row a starts at a*n - a*(a+1)/2; invert the quadratic, then fix off-by-one from rounding
    n = n_attacks
    a = np.floor((2 * n - 1 - np.sqrt((2 * n - 1) ** 2 - 8 * i)) / 2).astype(np.int64)
    start = a * n - a * (a + 1) // 2
    over = start > index
    a[over] -= 1
    start = a * n - a * (a + 1) // 2
    nxt = (a + 1) * n - (a + 1) * (a + 2) // 2
    under = index >= nxt
    a[under] += 1
    start = a * n - a * (a + 1) // 2
    b = index - start + a + 1
    return a.astype(np.int32), b.astype(np.int32)


def stage2_block(start: int, stop: int, n_attacks: int = 10000, seed: int = 7) -> dict[str, np.ndarray]:
    """Records for work items ``[start, stop)``: deterministic per index, with some exact score ties."""
    idx = np.arange(start, stop, dtype=np.int64)
    rng = np.random.Generator(np.random.Philox(key=seed, counter=[0, 0, 0, start]))
    n = stop - start
    a, b = pair_of(idx, n_attacks)
    # quantise to 1/64 turn so that exact ties occur and exercise the tie-break
    overall = np.round((8.0 + rng.gamma(4.0, 0.6, n)) * 64) / 64
    solo_a = overall + rng.normal(0.5, 0.3, n)
    solo_b = overall + rng.normal(0.8, 0.3, n)
    mean_solo = (solo_a + solo_b) / 2
    return {
        "a_index": a,
        "b_index": b,
        "overall": overall,
        "se": rng.uniform(0.05, 0.3, n),
        "timeouts": rng.integers(0, 3, n),
        "total_cost": rng.integers(2, 13, n),
        "synergy": (mean_solo - overall) / mean_solo * 100,
        "gain_vs_best": (np.minimum(solo_a, solo_b) - overall) / np.minimum(solo_a, solo_b) * 100,
        "solo_a": solo_a,
        "solo_b": solo_b,
        "profile_mean": overall[:, None] + rng.normal(0, 1, (n, 2)),
        "buff_mean": overall[:, None],
        "scenario_mean": overall[:, None] + rng.normal(0, 2, (n, 4)),
        "usage_a_profile": rng.integers(0, 256, (n, 2)).astype(np.uint8),
        "usage_a_scenario": rng.integers(0, 256, (n, 4)).astype(np.uint8),
    }
