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


def uniforms(index: np.ndarray, slot: int, seed: int, shape: tuple[int, ...] = ()) -> np.ndarray:
    """Uniform floats in [0, 1) that depend only on (seed, index, slot, position): SplitMix64."""
    width = int(np.prod(shape)) if shape else 1
    x = (index.astype(np.uint64)[:, None] * np.uint64(64) + np.uint64(slot * 8)
         + np.arange(width, dtype=np.uint64)[None, :] + np.uint64((seed * 0x9E3779B97F4A7C15) % (1 << 64)))
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    u = (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
    return u.reshape(len(index), *shape) if shape else u[:, 0]


def stage2_block(start: int, stop: int, n_attacks: int = 10000, seed: int = 7) -> dict[str, np.ndarray]:
    """Records for work items ``[start, stop)``: a pure function of each index (any chunking gives
    the same records), with many exact score ties to exercise the tie-break."""
    idx = np.arange(start, stop, dtype=np.int64)
    a, b = pair_of(idx, n_attacks)
    u = lambda slot, shape=(): uniforms(idx, slot, seed, shape)  # noqa: E731
    # a skewed score distribution quantised to 1/64 turn, so that exact ties occur
    overall = np.round((8.0 + 10.0 * u(0) * u(1)) * 64) / 64
    solo_a = overall + 0.2 + 0.8 * u(2)
    solo_b = overall + 0.3 + 0.8 * u(3)
    mean_solo = (solo_a + solo_b) / 2
    return {
        "a_index": a,
        "b_index": b,
        "overall": overall,
        "se": 0.05 + 0.25 * u(4),
        "timeouts": (u(5) * 3).astype(np.int64),
        "total_cost": 2 + (u(6) * 11).astype(np.int64),
        "synergy": (mean_solo - overall) / mean_solo * 100,
        "gain_vs_best": (np.minimum(solo_a, solo_b) - overall) / np.minimum(solo_a, solo_b) * 100,
        "solo_a": solo_a,
        "solo_b": solo_b,
        "profile_mean": overall[:, None] - 1 + 2 * u(7, (2,)),
        "buff_mean": overall[:, None],
        "scenario_mean": overall[:, None] - 2 + 4 * u(8, (4,)),
        "usage_a_profile": (u(9, (2,)) * 256).astype(np.uint8),
        "usage_a_scenario": (u(10, (4,)) * 256).astype(np.uint8),
    }
