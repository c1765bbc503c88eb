"""Reading a config: TOML (native), JSON (native or the older tool's shape), or the embedded default.

A file is layered over the embedded default: it may leave out any key; a table it gives is merged
key by key, and a list it gives (profiles, buffs, scenarios, stat blocks) replaces the default's."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs

from balance.config import legacy
from balance.config.convert import show, structure
from balance.config.model import Config, PluginsConfig
from balance.errors import ConfigError
from balance.ruletable import BudgetKey, budget_key_values, flatten

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
        return split_rules(self.data.get("rules", "vitality"))[0]


def split_rules(value: Any) -> tuple[str, dict[str, Any]]:
    """The ``rules`` key: a rule system's name, or a table with ``name`` and the overrides of that
    system's rule table (``[rules.vitality]``); without ``name``, the one system it overrides."""
    if isinstance(value, str):
        return value, {}
    if not isinstance(value, dict):
        raise ConfigError("rules", f"expected a string or a table, got {show(value)}")
    tables = [k for k in value if k != "name"]
    name = value.get("name", tables[0] if len(tables) == 1 else "vitality")
    if not isinstance(name, str):
        raise ConfigError("rules.name", f"expected a string, got {show(name)}")
    for key in tables:
        if key != name:
            raise ConfigError(f"rules.{key}", f"changes rule system {key}, and this run uses {name} "
                                              f"(write them in [rules.{name}], or set rules.name)")
        if not isinstance(value[key], dict):
            raise ConfigError(f"rules.{key}", f"expected a table of rule changes, got {show(value[key])}")
    return name, value.get(name, {})


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
        if re.search(r"^\s*rules\s*=", text, re.M) and re.search(r"^\s*\[+\s*rules\.", text, re.M):
            # TOML cannot hold both: say how to name the rule system beside its changes.
            raise ConfigError("rules", 'a file that changes rules in [rules.NAME] names the rule system with '
                                       'name = "NAME" inside [rules] (or leaves it out), not rules = "NAME"') from exc
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


def _buffs(value: Any, fields: tuple[str, ...], rename: Callable[[str], str]) -> Any:
    """Each buff table with the bonuses the rule system declares, every one listed (0 if not given)."""
    if not isinstance(value, list):
        return value  # the converter names the problem
    out = []
    for i, buff in enumerate(value):
        if not isinstance(buff, dict):
            raise ConfigError(rename(f"buffs[{i}]"), f"expected a table, got {show(buff)}")
        if "name" not in buff:
            raise ConfigError(rename(f"buffs[{i}]"), "missing required key name")
        if not isinstance(buff["name"], str):
            raise ConfigError(rename(f"buffs[{i}].name"), f"expected a string, got {show(buff['name'])}")
        for key, bonus in buff.items():
            if key == "name":
                continue
            if key not in fields:
                # Worded like the converter's unknown keys; the known ones are the rule system's.
                guess = difflib.get_close_matches(key, fields, n=1)
                hint = f"did you mean {guess[0]}?" if guess else f"known keys: {', '.join(('name', *fields))}"
                raise ConfigError(rename(f"buffs[{i}].{key}"), f"unknown key ({hint})")
            if isinstance(bonus, bool) or not isinstance(bonus, int):
                raise ConfigError(rename(f"buffs[{i}].{key}"), f"expected an integer, got {show(bonus)}")
        out.append({"name": buff["name"], **{f: buff.get(f, 0) for f in fields}})
    return out


def build_config(
    source: ConfigSource,
    stat_names: tuple[str, ...],
    budget: Callable[..., int],
    attack_types: tuple[str, ...] | None = None,
    stages: Sequence[Any] = (),
    buff_fields: tuple[str, ...] = (),
    budget_keys: Sequence[BudgetKey] = (),
) -> Config:
    """Convert and check a config for a rule system with these stat names, budget function and
    budget keys (``budget(**keys)``), attack types (``None``: the rule system does not list them)
    and buff fields, and for these stages (components of ``balance_stages``; each one with
    ``settings`` reads the table of its name)."""
    data = dict(source.data)
    name, overrides = split_rules(data.get("rules", "vitality"))
    data["rules"] = name
    keys = budget_key_values(tuple(budget_keys), data, source.rename)
    sections = stage_sections(data, stages, source)
    if "buffs" in data:
        data["buffs"] = _buffs(data["buffs"], buff_fields, source.rename)
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
    config = attrs.evolve(config, stage_settings=sections, budget_keys=keys, rule_overrides=flatten(overrides))
    if not config.buffs:
        # No buffs listed means the plain cell: one buff configuration that adds nothing.
        from balance.grid import Buff

        config = attrs.evolve(config, buffs=(Buff("No Buffs", {f: 0 for f in buff_fields}),))
    checker = Checker(config, stat_names, source.rename, stages)
    checker.check(budget, [k.name for k in budget_keys])
    checker.attack_types(attack_types)
    checker.stages(stages)
    return config


def stage_sections(data: dict, stages: Sequence[Any], source: ConfigSource) -> dict[str, Any]:
    """Take each stage's table out of ``data`` (removed from it) and convert it with the stage's
    settings class. A table of the embedded default for a stage that is not registered (its plugin
    disabled) is dropped; one the file gives stays, to be an unknown key."""
    core_keys = {f.name for f in attrs.fields(Config)}
    sections: dict[str, Any] = {}
    for stage in stages:
        cls = getattr(stage, "settings", None)
        if cls is None:
            continue
        if stage.name in core_keys:
            raise ConfigError(stage.name, f"stage {stage.name} cannot have settings: the name is a key of the config itself")
        table = data.pop(stage.name, {})
        sections[stage.name] = structure(table, cls, lambda p, n=stage.name: source.rename(f"{n}.{p}" if p else n))
    for key in [k for k in data if k not in core_keys and not any(p == k or p.startswith(f"{k}.") for p in source.file_keys)]:
        del data[key]
    return sections


class Checker:
    """The checks beyond types: ranges, lengths, unique names and references."""

    def __init__(self, config: Config, stat_names: tuple[str, ...], rename: Callable[[str], str], stages: Sequence[Any] = ()):
        self.c = config
        self.stage_components = stages
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

    def check(self, budget: Callable[..., int], key_names: Sequence[str] = ()) -> None:
        c = self.c
        if c.points_per_attack < 0:
            self.fail("points_per_attack", f"expected 0 (derived) or a positive integer, got {c.points_per_attack}")
        if c.points_per_attack == 0:
            try:
                budget(**c.budget_keys)
            except ValueError as exc:
                # The declaration already checked each key alone: this is a combination without
                # a budget, named at the first key (Vitality: a tier without budgets).
                self.fail(key_names[0] if key_names else "points_per_attack", str(exc))
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
        for stage in self.stage_components:
            check = getattr(stage, "check_settings", None)
            if stage.name in c.stage_settings and check is not None:
                for path, problem in check(c.stage_settings[stage.name], c):
                    self.fail(f"{stage.name}.{path}", problem)
        if c.performance.workers < 0:
            self.fail("performance.workers", f"expected 0 (every core) or a positive integer, got {c.performance.workers}")
        if c.performance.batch_size < 0:
            self.fail("performance.batch_size", f"expected 0 (automatic) or a positive integer, got {c.performance.batch_size}")
        self.positive("performance.shard_records", c.performance.shard_records)
        self.positive("reports.top_n", c.reports.top_n)

    def attack_types(self, known: tuple[str, ...] | None) -> None:
        if not self.c.attack_types:
            return
        if known is None:
            self.fail("attack_types", "this rule system does not list its attack types, so they cannot be chosen")
        for i, name in enumerate(self.c.attack_types):
            if name not in known:
                self.fail(f"attack_types[{i}]", f'unknown attack type "{name}" (attack types: {", ".join(known)})')
        self.unique_names("attack_types", self.c.attack_types)

    def stages(self, known: Sequence[Any]) -> None:
        names = [s.name for s in known]
        for i, name in enumerate(self.c.stages):
            if name not in names:
                self.fail(f"stages[{i}]", f'unknown stage "{name}" (stages: {", ".join(names) or "none"})')
        self.unique_names("stages", self.c.stages)

    def unique_names(self, path: str, names) -> None:
        seen = set()
        for i, name in enumerate(names):
            if name in seen:
                self.fail(f"{path}[{i}]", f'"{name}" is listed twice')
            seen.add(name)
