"""The configuration model. Every key a config may contain is an attribute here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from balance.grid import Buff, Grid, Profile, Scenario


PRUNE_STRATEGIES = ("overall", "specialists", "enhancement", "overall_specialists", "hybrid")


@attrs.frozen
class PruneConfig:
    """Stage-1 pruning. Percentages are of all stage-1 attacks (overall), of each profile's ranking
    (specialists), and of the attacks carrying each enhancement (enhancement-based); with screening
    rounds, the kept attacks are chosen among the last round's survivors."""

    strategy: str = "hybrid"
    #: Profiles whose specialists are kept (empty = every profile).
    specialist_profiles: tuple[str, ...] = ()
    overall_percent: float = 5.0
    specialist_percent: float = 2.0
    enhancement_percent: float = 2.0


@attrs.frozen
class Round:
    """One screening round of stage 1 (racing): simulate, then keep the best share."""

    #: Runs per cell in this round (-1 = the stage's ``runs``).
    runs: int = -1
    #: Share of this round's attacks that go on to the next round (or to pruning, after the last).
    keep_percent: float = 100.0


@attrs.frozen
class Stage1Config:
    runs: int = 10
    #: Successive screening rounds; empty = one pass over every attack with ``runs``.
    rounds: tuple[Round, ...] = ()
    prune: PruneConfig = PruneConfig()


@attrs.frozen
class Stage2Config:
    runs: int = 2
    policy: str = "default"
    #: Max turns per stage-2 combat (0 = the config's ``max_turns``).
    max_turns: int = 0
    #: Share of all pairs to simulate, drawn by pair index with the run's seed (1.0 = all).
    sample_fraction: float = 1.0
    #: Upper bound on the number of pairs (0 = no bound).
    max_pairs: int = 0
    confirm_top: int = 50
    confirm_runs: int = 20


@attrs.frozen
class PerformanceConfig:
    #: Worker processes (0 = every core).
    workers: int = 0
    #: Candidates per work unit (0 = about 0.1-1 s of work each).
    batch_size: int = 0
    #: Records per result shard: a killed run loses at most the shard being written.
    shard_records: int = 1 << 20


@attrs.frozen
class PluginsConfig:
    #: Plugin names to disable.
    disable: tuple[str, ...] = ()
    #: Local plugins to load: module names, .py files or folders (relative to the config file).
    load: tuple[str, ...] = ()


@attrs.frozen
class ReportsConfig:
    #: Reporter names to run; empty means every enabled reporter.
    only: tuple[str, ...] = ()
    #: Reporter names to skip.
    skip: tuple[str, ...] = ()
    #: Records kept for top lists.
    top_n: int = 5000


@attrs.frozen
class Config:
    rules: str = "vitality"
    #: Named options of the rule system (e.g. Vitality's ``armor_piercing_keeps_buff``).
    rule_options: dict[str, Any] = attrs.field(factory=dict)
    tier: int = 4
    archetype: str = "dual_natured"
    #: Points per attack; 0 means derived from tier and archetype by the rule system.
    points_per_attack: int = 0
    attacker: tuple[int, ...] = (2, 2, 2, 2, 4)
    #: Attack types stage 1 enumerates (empty = every type of the rule system).
    attack_types: tuple[str, ...] = ()
    profiles: tuple[Profile, ...] = ()
    buffs: tuple[Buff, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    max_turns: int = 100
    seed: int = 20261126
    scoring: str = "mean_turns"
    store: str = "msgpack"
    executor: str = "local"
    stage1: Stage1Config = Stage1Config()
    stage2: Stage2Config = Stage2Config()
    performance: PerformanceConfig = PerformanceConfig()
    plugins: PluginsConfig = PluginsConfig()
    reports: ReportsConfig = ReportsConfig()

    @property
    def grid(self) -> Grid:
        """The grid the config lists (plugins may extend it; see :func:`balance.run_grid.build_grid`)."""
        return Grid(self.profiles, self.buffs, self.scenarios)


# -- bounds ---------------------------------------------------------------------------------------
# Sizes a config may ask for. Far above any useful run, far below what exhausts memory: a config
# beyond them is a typo or hostile, and stops as a config error naming the bound, before any work.

#: Seeds are 64-bit: larger ones would wrap silently onto other seeds.
SEED_LIMIT = 2**64
#: Combats per cell and candidate (stage 1, stage 2, confirmation, ``simulate --runs``).
MAX_RUNS = 1_000_000
#: Turns per combat.
MAX_TURNS = 10_000
#: Enemies per scenario, and an enemy's hit points.
MAX_ENEMIES = 1_000
MAX_HP = 1_000_000
#: Profiles, buffs and scenarios each; a stat or buff bonus.
MAX_GRID_ITEMS = 1_000
MAX_STAT = 1_000
MAX_NAME = 200
#: Other sizes: key -> bound.
MAX_SIZES = {
    "tier": 1_000,
    "points_per_attack": 100_000,
    "stage2.confirm_top": 1_000_000,
    "stage2.max_pairs": 2**62,
    "performance.workers": 4_096,
    "performance.batch_size": 100_000_000,
    "performance.shard_records": 1 << 26,
    "reports.top_n": 10_000_000,
}


def _get(config: Config, key: str) -> Any:
    value: Any = config
    for part in key.split("."):
        value = getattr(value, part)
    return value


def limit_problems(config: Config) -> Iterator[tuple[str, str]]:
    """Yield ``(key, problem)`` for each bound the config breaks (the first is reported)."""
    if not 0 <= config.seed < SEED_LIMIT:
        yield "seed", f"expected an integer from 0 to 2**64 - 1, got {config.seed}"
    for key in ("stage1.runs", "stage2.runs", "stage2.confirm_runs"):
        if _get(config, key) > MAX_RUNS:
            yield key, f"{_get(config, key):,} is above the limit of {MAX_RUNS:,} combats per cell"
    if config.max_turns > MAX_TURNS:
        yield "max_turns", f"{config.max_turns:,} is above the limit of {MAX_TURNS:,} turns"
    for key, bound in MAX_SIZES.items():
        if _get(config, key) > bound:
            yield key, f"{_get(config, key):,} is above the limit of {bound:,}"
    for i, v in enumerate(config.attacker):
        if not 0 <= v <= MAX_STAT:
            yield f"attacker[{i}]", f"expected a stat from 0 to {MAX_STAT:,}, got {v}"
    for field in ("profiles", "buffs", "scenarios"):
        items = getattr(config, field)
        if len(items) > MAX_GRID_ITEMS:
            yield field, f"{len(items):,} entries are above the limit of {MAX_GRID_ITEMS:,}"
        for i, item in enumerate(items):
            name = item.name
            if not name.strip():
                yield f"{field}[{i}].name", "must not be empty"
            elif len(name) > MAX_NAME or not name.isprintable():
                yield f"{field}[{i}].name", f"expected at most {MAX_NAME} printable characters"
    for i, p in enumerate(config.profiles):
        for j, v in enumerate(p.stats):
            if not 0 <= v <= MAX_STAT:
                yield f"profiles[{i}].stats[{j}]", f"expected a stat from 0 to {MAX_STAT:,}, got {v}"
    for i, b in enumerate(config.buffs):
        for field in ("accuracy", "damage", "avoidance", "durability"):
            v = getattr(b, field)
            if not -MAX_STAT <= v <= MAX_STAT:
                yield f"buffs[{i}].{field}", f"expected a bonus from -{MAX_STAT:,} to {MAX_STAT:,}, got {v}"
    for i, s in enumerate(config.scenarios):
        if len(s.enemy_hp) > MAX_ENEMIES:
            yield f"scenarios[{i}].enemy_hp", f"{len(s.enemy_hp):,} enemies are above the limit of {MAX_ENEMIES:,}"
        for j, hp in enumerate(s.enemy_hp):
            if not 0 < hp <= MAX_HP:
                yield f"scenarios[{i}].enemy_hp[{j}]", f"expected hit points from 1 to {MAX_HP:,}, got {hp}"
