"""Opening a session: the config, the plugins it asks for, the rule system and the grid.

Plugins come before the rest of the config is checked, because the rule system decides what a
stat block holds and which budgets exist, and plugins may add profiles, buffs and scenarios.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from balance.config import Config, build_config, read_source
from balance.config.load import split_rules
from balance.config.model import limit_problems
from balance.config.settings import apply_setting
from balance.errors import ConfigError, UsageError
from balance.grid import Grid
from balance.plugin_manager import Guarded, Plugins
from balance.ruletable import RuleTable, apply_overrides, flatten, show_value


@attrs.frozen
class Session:
    config: Config
    plugins: Plugins
    #: The rule system the config names (a guarded component).
    rules: object
    grid: Grid
    origin: str
    #: The config file's keys that were accepted but mean nothing here (``path: ignored: why``).
    warnings: tuple[str, ...] = ()
    #: The rule system's effective table (its declared defaults, the config's overrides applied).
    rule_table: RuleTable = RuleTable("")

    def kernel(self):
        """The rule system's combat kernel with the config's options; its failures name the plugin."""
        kernel = self.rules.kernel(self.config.rule_options)
        return Guarded(kernel, self.rules.plugin, "combat kernel")

    def warm_up_kernel(self) -> None:
        """Let a kernel that compiles just in time load (or compile) its code now (its optional
        ``warm_up``): before a measurement, when a worker starts, or in a worker's preparation,
        where the kernel sees that only one worker compiles a cold cache."""
        warm = getattr(self.kernel(), "warm_up", None)
        if warm is not None:
            warm()

    @property
    def budget(self) -> int:
        """Points per attack: the config's, or the rule system's for the config's budget keys."""
        return self.config.points_per_attack or self.rules.budget(**self.config.budget_keys)


def open_session(
    config_path: str | Path | None = None, disable: Iterable[str] = (), load: Iterable[str] = (),
    settings: Iterable[tuple[str, Any]] = (),
) -> Session:
    """``settings`` (``--set``: key path, value) are layered over the file like keys of its own."""
    source = with_settings(read_config(config_path), settings)
    wanted = source.plugins()
    # Config plugin paths are relative to the config file; keep them absolute from here on, so that
    # a copy of the effective config (the run directory's config.toml) still finds them.
    config_load = tuple(str(config_relative(p, source.base_dir)) for p in wanted.load)
    plugins = Plugins(disable=[*wanted.disable, *disable], load=[*config_load, *load])
    try:
        rules = plugins.rules(source.rules)
    except UsageError as exc:
        raise ConfigError("rules", str(exc)) from exc
    rules, table = effective_rules(rules, plugins, source)
    # An unknown budget key value is the config's fault (ValueError), not a plugin failure.
    known_types = getattr(rules.unwrapped, "attack_types", None)
    buff_fields = tuple(getattr(rules.unwrapped, "buff_fields", ()))
    # Each stage's table is read by its settings class; sections are kept in name order.
    stages = [stage for _, stage in sorted(plugins.guarded_components("balance_stages").items())]
    config = build_config(
        source, tuple(rules.stat_names), rules.unwrapped.budget, None if known_types is None else tuple(known_types),
        stages, buff_fields, tuple(getattr(rules.unwrapped, "budget_keys", ())),
    )
    config = attrs.evolve(config, plugins=attrs.evolve(config.plugins, load=config_load))
    broken = next(limit_problems(config), None)  # sizes beyond sane bounds, before any work
    if broken:
        raise ConfigError(source.rename(broken[0]), broken[1])
    try:
        rules.unwrapped.kernel(config.rule_options)  # a rule system checks its own options
    except ValueError as exc:
        raise ConfigError("rule_options", str(exc)) from exc
    grid = build_grid(config, plugins)
    check_buff_fields(grid, buff_fields)
    return Session(config, plugins, rules, grid, source.origin, source.warnings, table)


def effective_rules(rules: Guarded, plugins: Plugins, source) -> tuple[Guarded, RuleTable]:
    """The rule system as this run plays it: with what plugins add to it (``balance_rule_extensions``)
    and with the config's ``[rules.NAME]`` overrides of its declared table."""
    system = rules.unwrapped
    name = system.name
    extensions = [item for _, items in plugins.call_each("balance_rule_extensions", rules=name) for item in items]
    if extensions:
        if not hasattr(system, "extended"):
            raise UsageError(f"plugins add to rule system {name}, which takes no extensions "
                             f"(it has no extended method): {', '.join(map(repr, extensions))}")
        system = rules.extended(extensions)
    overrides = flatten(split_rules(source.data.get("rules", name))[1])
    where = f"rules.{name}"
    guarded = Guarded(system, rules.plugin, "rule system")
    if not hasattr(system, "rule_table"):
        if overrides:
            raise ConfigError(where, f"rule system {name} declares no rule table, so nothing in it can be changed")
        return guarded, RuleTable(name)
    defaults = dict(guarded.rule_table())
    values = apply_overrides(defaults, overrides, where)
    for key, problem in guarded.check_rule_table(values):
        raise ConfigError(f"{where}.{key}", problem)
    if values != defaults:
        guarded = Guarded(guarded.with_rule_table(values), rules.plugin, "rule system")
    return guarded, RuleTable(name, defaults, values)


def with_settings(source, settings: Iterable[tuple[str, Any]]):
    """The source with each ``(key, value)`` set, counted among the keys the file set."""
    settings = list(settings)
    if not settings:
        return source
    data = source.data
    for key, value in settings:
        data = apply_setting(data, key, value)
    shown = " ".join(f"--set {k}={show_value(v)}" for k, v in settings)
    return attrs.evolve(source, data=data, origin=f"{source.origin} {shown}",
                        file_keys=(*source.file_keys, *(k for k, _ in settings)))


def read_config(config_path: str | Path | None):
    """``read_source``, with a binary or deeply nested file as a one-line config error."""
    try:
        return read_source(config_path)
    except UnicodeDecodeError as exc:
        raise ConfigError("", f"cannot read {config_path}: not UTF-8 text (byte {exc.start}); "
                              "a config is a TOML or JSON text file") from None
    except RecursionError:
        raise ConfigError("", f"cannot read {config_path}: nested too deeply") from None


def config_relative(spec: str, base_dir: Path | None) -> str | Path:
    """A ``[plugins] load`` entry: paths are relative to the config file; module names stay names
    (``balance_d20.plugin`` must not become ``CONFIG_DIR/balance_d20.plugin``)."""
    path = Path(spec)
    if base_dir is None or path.is_absolute():
        return spec
    if spec.endswith(".py") or "/" in spec or (base_dir / path).exists():
        return (base_dir / path).resolve()
    return spec


def check_buff_fields(grid: Grid, fields: tuple[str, ...]) -> None:
    """A buff a plugin adds holds only bonuses the rule system declares: the kernel would never
    read another, and the cells would silently lack it."""
    for buff in grid.buffs:
        unknown = [name for name, _ in buff.bonuses if name not in fields]
        if unknown:
            raise UsageError(
                f'buff "{buff.name}" gives the bonus "{unknown[0]}", which the rule system does not declare '
                f"(buff fields: {', '.join(fields) or 'none'})"
            )


def build_grid(config: Config, plugins: Plugins) -> Grid:
    """The config's grid plus what scenario plugins add; names must stay unique."""
    parts = []
    for hook in ("balance_profiles", "balance_buffs", "balance_scenarios"):
        items, seen = [], {}
        for plugin, provided in plugins.call_each(hook, config=config):
            for item in provided:
                if item.name in seen:
                    raise UsageError(
                        f'{hook.removeprefix("balance_")[:-1]} "{item.name}" is provided by both {seen[item.name]} and {plugin}'
                    )
                seen[item.name] = plugin
                items.append(item)
        parts.append(tuple(items))
    return Grid(*parts)
