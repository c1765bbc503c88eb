"""Reading a config: TOML (native), JSON (native or the older tool's shape), or the embedded default.

A file is layered over the embedded default: it may leave out any key; a table it gives is merged
key by key, and a list it gives (profiles, buffs, scenarios, stat blocks) replaces the default's."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs

from balance.config import legacy
from balance.config.convert import show, structure
from balance.config.model import PRUNE_STRATEGIES, Config, PluginsConfig
from balance.errors import ConfigError

DEFAULT_NAME = "<embedded default>"


@attrs.frozen
class ConfigSource:
    """A config's data in the native shape, before conversion, and where it came from."""

    data: dict[str, Any]
    origin: str
    base_dir: Path | None
    rename: Callable[[str], str] = attrs.field(default=lambda p: p, eq=False)
    #: The native key paths the file set (``stage1.runs``; a list counts as one key).
    file_keys: tuple[str, ...] = ()
    #: One line per key that was accepted but means nothing here (``path: ignored: why``).
    warnings: tuple[str, ...] = ()

    def plugins(self) -> PluginsConfig:
        """The ``[plugins]`` table alone: plugins must be loaded before the rest can be checked."""
        return structure(self.data.get("plugins", {}), PluginsConfig, lambda p: f"plugins.{p}" if p else "plugins")

    @property
    def rules(self) -> str:
        name = self.data.get("rules", "vitality")
        if not isinstance(name, str):
            raise ConfigError("rules", f"expected a string, got {show(name)}")
        return name


def default_text() -> str:
    return files("balance.config").joinpath("default.toml").read_text()


def default_data() -> dict[str, Any]:
    return tomllib.loads(default_text())


def read_source(path: str | Path | None) -> ConfigSource:
    """Parse the file (or the embedded default) into a :class:`ConfigSource`, over the default."""
    if path is None:
        return ConfigSource(default_data(), DEFAULT_NAME, None)
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    data, rename, warnings = parse_text(text, "json" if path.suffix.lower() == ".json" else "toml", str(path))
    return ConfigSource(
        layered(default_data(), data), str(path), path.parent, rename, tuple(key_paths(data)), tuple(warnings)
    )


def parse_text(text: str, fmt: str, origin: str = "config") -> tuple[dict, Callable[[str], str], list[str]]:
    """The native data of a file's text, the renaming of key paths for errors, and warning lines."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError("", f"{origin}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        if not isinstance(data, dict):
            raise ConfigError("", f"{origin}: expected a JSON object at the top level, got {show(data)}")
        # Every JSON file goes through the older tool's key map; native keys pass through it unchanged.
        return legacy.translate(data)
    try:
        return tomllib.loads(text), lambda p: p, []
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{origin}: invalid TOML: {exc}") from exc


def layered(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: tables merge key by key, anything else (lists too) replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = layered(base[key], value)
        else:
            out[key] = value
    return out


def key_paths(data: dict, prefix: str = ""):
    """The dotted paths of a file's keys, in file order (tables opened, lists whole)."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key != "rule_options":
            yield from key_paths(value, path + ".")
        else:
            yield path


def _named_stats(value: Any, stat_names: tuple[str, ...], path: str) -> Any:
    """Accept a stat block as a table of named stats too (``{focus = 2, power = 2, ...}``)."""
    if not isinstance(value, dict):
        return value
    unknown = [k for k in value if k not in stat_names]
    if unknown:
        raise ConfigError(f"{path}.{unknown[0]}", f"unknown stat (stats: {', '.join(stat_names)})")
    missing = [k for k in stat_names if k not in value]
    if missing:
        raise ConfigError(f"{path}.{missing[0]}", "missing stat")
    return [value[k] for k in stat_names]


def build_config(
    source: ConfigSource,
    stat_names: tuple[str, ...],
    budget: Callable[[int, str], int],
    attack_types: tuple[str, ...] | None = None,
) -> Config:
    """Convert and check a config for a rule system with these stat names, budget table and attack
    types (``None``: the rule system does not list them)."""
    data = dict(source.data)
    if "attacker" in data:
        data["attacker"] = _named_stats(data["attacker"], stat_names, source.rename("attacker"))
    if isinstance(data.get("profiles"), list):
        data["profiles"] = [
            {**p, "stats": _named_stats(p["stats"], stat_names, source.rename(f"profiles[{i}].stats"))}
            if isinstance(p, dict) and "stats" in p
            else p
            for i, p in enumerate(data["profiles"])
        ]
    config = structure(data, Config, source.rename)
    if not config.buffs:
        # No buffs listed means the plain cell: one buff configuration that adds nothing.
        from balance.grid import Buff

        config = attrs.evolve(config, buffs=(Buff("No Buffs"),))
    checker = Checker(config, stat_names, source.rename)
    checker.check(budget, explicit_archetype="archetype" in source.file_keys)
    checker.attack_types(attack_types)
    return config


class Checker:
    """The checks beyond types: ranges, lengths, unique names and references."""

    def __init__(self, config: Config, stat_names: tuple[str, ...], rename: Callable[[str], str]):
        self.c = config
        self.stat_names = stat_names
        self.rename = rename

    def fail(self, path: str, problem: str) -> None:
        raise ConfigError(self.rename(path), problem)

    def positive(self, path: str, value: float) -> None:
        if value <= 0:
            self.fail(path, f"expected a positive number, got {value:g}")

    def stats(self, path: str, stats: tuple[int, ...]) -> None:
        if len(stats) != len(self.stat_names):
            self.fail(path, f"expected {len(self.stat_names)} values ({', '.join(self.stat_names)}), got {len(stats)}")

    def unique(self, path: str, items) -> None:
        seen = set()
        for i, item in enumerate(items):
            if item.name in seen:
                self.fail(f"{path}[{i}].name", f'duplicate name "{item.name}"')
            seen.add(item.name)

    def percent(self, path: str, value: float) -> None:
        if not 0 < value <= 100:
            self.fail(path, f"expected a percentage in (0, 100], got {value:g}")

    def check(self, budget: Callable[[int, str], int], explicit_archetype: bool = False) -> None:
        c = self.c
        self.positive("tier", c.tier)
        if c.points_per_attack < 0:
            self.fail("points_per_attack", f"expected 0 (derived) or a positive integer, got {c.points_per_attack}")
        if c.points_per_attack == 0:
            try:
                budget(c.tier, c.archetype)
            except ValueError as exc:
                self.fail("archetype", str(exc))
        elif explicit_archetype:
            self.archetype_exists(budget)
        self.stats("attacker", c.attacker)
        if not c.profiles:
            self.fail("profiles", "at least one defensive profile is needed")
        for i, p in enumerate(c.profiles):
            self.stats(f"profiles[{i}].stats", p.stats)
        self.unique("profiles", c.profiles)
        self.unique("buffs", c.buffs)
        if not c.scenarios:
            self.fail("scenarios", "at least one scenario is needed")
        for i, s in enumerate(c.scenarios):
            if not s.enemy_hp:
                self.fail(f"scenarios[{i}].enemy_hp", "a scenario needs at least one enemy")
        self.unique("scenarios", c.scenarios)
        self.positive("max_turns", c.max_turns)
        if c.seed < 0:
            self.fail("seed", f"expected a non-negative integer, got {c.seed}")
        self.positive("stage1.runs", c.stage1.runs)
        for i, r in enumerate(c.stage1.rounds):
            if r.runs != -1 and r.runs <= 0:
                self.fail(f"stage1.rounds[{i}].runs", f"expected a positive integer or -1 (the stage's runs), got {r.runs}")
            self.percent(f"stage1.rounds[{i}].keep_percent", r.keep_percent)
        prune = c.stage1.prune
        if prune.strategy not in PRUNE_STRATEGIES:
            self.fail("stage1.prune.strategy", f'unknown strategy "{prune.strategy}" (strategies: {", ".join(PRUNE_STRATEGIES)})')
        self.percent("stage1.prune.overall_percent", prune.overall_percent)
        self.percent("stage1.prune.specialist_percent", prune.specialist_percent)
        self.percent("stage1.prune.enhancement_percent", prune.enhancement_percent)
        names = [p.name for p in c.profiles]
        for i, name in enumerate(prune.specialist_profiles):
            if name not in names:
                self.fail(f"stage1.prune.specialist_profiles[{i}]", f'unknown profile "{name}" (profiles: {", ".join(names)})')
        self.positive("stage2.runs", c.stage2.runs)
        if c.stage2.max_turns < 0:
            self.fail("stage2.max_turns", f"expected 0 (the config's max_turns) or a positive integer, got {c.stage2.max_turns}")
        if not 0 < c.stage2.sample_fraction <= 1:
            self.fail("stage2.sample_fraction", f"expected a fraction in (0, 1], got {c.stage2.sample_fraction:g}")
        if c.stage2.max_pairs < 0:
            self.fail("stage2.max_pairs", f"expected 0 (no bound) or a positive integer, got {c.stage2.max_pairs}")
        if c.stage2.confirm_top < 0:
            self.fail("stage2.confirm_top", f"expected a non-negative integer, got {c.stage2.confirm_top}")
        if c.stage2.confirm_runs < 2:
            self.fail("stage2.confirm_runs", f"expected at least 2 (a standard error needs two runs), got {c.stage2.confirm_runs}")
        if c.performance.workers < 0:
            self.fail("performance.workers", f"expected 0 (every core) or a positive integer, got {c.performance.workers}")
        if c.performance.batch_size < 0:
            self.fail("performance.batch_size", f"expected 0 (automatic) or a positive integer, got {c.performance.batch_size}")
        self.positive("performance.shard_records", c.performance.shard_records)
        self.positive("reports.top_n", c.reports.top_n)

    def archetype_exists(self, budget: Callable[[int, str], int]) -> None:
        """With an explicit budget the archetype only labels the run, but it must be one the rule
        system knows (at some tier): a misspelt one is a mistake, not a choice."""
        first_error = None
        for tier in (self.c.tier, *range(1, 11)):
            try:
                budget(tier, self.c.archetype)
                return
            except ValueError as exc:
                first_error = first_error or str(exc)
        self.fail("archetype", first_error)

    def attack_types(self, known: tuple[str, ...] | None) -> None:
        if not self.c.attack_types:
            return
        if known is None:
            self.fail("attack_types", "this rule system does not list its attack types, so they cannot be chosen")
        for i, name in enumerate(self.c.attack_types):
            if name not in known:
                self.fail(f"attack_types[{i}]", f'unknown attack type "{name}" (attack types: {", ".join(known)})')
        self.unique_names("attack_types", self.c.attack_types)

    def unique_names(self, path: str, names) -> None:
        seen = set()
        for i, name in enumerate(names):
            if name in seen:
                self.fail(f"{path}[{i}]", f'"{name}" is listed twice')
            seen.add(name)
