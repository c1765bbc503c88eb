"""Grids and helpers shared by the kernel tests (built directly, without a config)."""

from __future__ import annotations

from balance.grid import Buff, Grid, Profile, Scenario

ATTACKER = (2, 2, 2, 2, 4)
PROFILES = {
    "Balanced": Profile("Balanced", (2, 2, 2, 2, 4)),
    "Evasive": Profile("Evasive", (2, 2, 4, 0, 4)),
    "Tanky": Profile("Tanky", (2, 2, 0, 4, 4)),
}
SCENARIOS = {
    "Boss": Scenario("Boss", (100,)),
    "Mixed": Scenario("Mixed", (50, 25, 25)),
    "Swarm": Scenario("Swarm", (25, 25, 10, 10, 10, 10, 10)),
    "Swarm 2": Scenario("Swarm 2", (50, 10, 10, 10, 10, 10)),
}
NO_BUFFS = Buff("No Buffs")


def grid(profiles=("Balanced", "Evasive", "Tanky"), scenarios=("Boss", "Mixed", "Swarm", "Swarm 2"), buffs=(NO_BUFFS,)):
    return Grid(tuple(PROFILES[p] for p in profiles), tuple(buffs), tuple(SCENARIOS[s] for s in scenarios))


def default_grid():
    """The embedded default grid: Evasive and Tanky, no buffs, the four scenarios."""
    return grid(profiles=("Evasive", "Tanky"))
