"""The configuration model. Every key a config may contain is an attribute here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from balance.grid import Buff, Grid, Profile, Scenario


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
    #: The config's changes to the rule system's table (``[rules.vitality]`` in a file), by dotted
    #: name (``upgrades.power_attack.cost``); see :mod:`balance.ruletable`. Not a key of its own.
    rule_overrides: dict[str, Any] = attrs.field(factory=dict)
    #: Named options of the rule system's kernel (e.g. Vitality's ``compiled``).
    rule_options: dict[str, Any] = attrs.field(factory=dict)
    #: The values of the budget keys the rule system declares (Vitality: ``tier``, ``archetype``),
    #: written at the top level of a file. Not a key of its own.
    budget_keys: dict[str, Any] = attrs.field(factory=dict)
    #: Points per attack; 0 means derived by the rule system from its budget keys.
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
    #: The stages ``balance run`` runs when ``--stage`` is not given (empty = every registered stage).
    stages: tuple[str, ...] = ()
    #: Each stage's settings, by stage name: the config's table of that name (``[stage1]``) as the
    #: stage's own attrs class (``Stage.settings``). Not a key of its own in a file.
    stage_settings: dict[str, Any] = attrs.field(factory=dict)
    performance: PerformanceConfig = PerformanceConfig()
    plugins: PluginsConfig = PluginsConfig()
    reports: ReportsConfig = ReportsConfig()

    def settings(self, stage: str) -> Any:
        """The settings of ``stage`` (its config table, converted by the stage's settings class)."""
        try:
            return self.stage_settings[stage]
        except KeyError:
            raise AttributeError(f'no settings for stage "{stage}" (a stage with settings must be registered)') from None

    def __getattr__(self, name: str) -> Any:
        # ``config.stage1`` reads like the file's ``[stage1]`` table; only reached for names that are
        # not attributes, so a stage's settings never hide a core key.
        if name.startswith("__") or name == "stage_settings":  # copy/pickle probes; before init
            raise AttributeError(name)
        return self.settings(name)

    def with_settings(self, stage: str, settings: Any) -> "Config":
        """A copy with ``stage``'s settings replaced."""
        return attrs.evolve(self, stage_settings={**self.stage_settings, stage: settings})

    @property
    def grid(self) -> Grid:
        """The grid the config lists (plugins may extend it; see :func:`balance.run_grid.build_grid`)."""
        return Grid(self.profiles, self.buffs, self.scenarios)


# -- bounds ---------------------------------------------------------------------------------------
# Sizes a config may ask for. Far above any useful run, far below what exhausts memory: a config
# beyond them is a typo or hostile, and stops as a config error naming the bound, before any work.

#: Seeds are 64-bit: larger ones would wrap silently onto other seeds.
SEED_LIMIT = 2**64
#: Combats per cell and candidate (the stages' runs, ``simulate --runs``).
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
    "points_per_attack": 100_000,
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
        for field, v in b.bonuses:
            if not -MAX_STAT <= v <= MAX_STAT:
                yield f"buffs[{i}].{field}", f"expected a bonus from -{MAX_STAT:,} to {MAX_STAT:,}, got {v}"
    for i, s in enumerate(config.scenarios):
        if len(s.enemy_hp) > MAX_ENEMIES:
            yield f"scenarios[{i}].enemy_hp", f"{len(s.enemy_hp):,} enemies are above the limit of {MAX_ENEMIES:,}"
        for j, hp in enumerate(s.enemy_hp):
            if not 0 < hp <= MAX_HP:
                yield f"scenarios[{i}].enemy_hp[{j}]", f"expected hit points from 1 to {MAX_HP:,}, got {hp}"
