"""The configuration model. Every key a config may contain is an attribute here."""

from __future__ import annotations

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
