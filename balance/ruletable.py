"""What a rule system declares as data, and how a config overrides it.

Two declarations, both optional on a :class:`~balance.components.RuleSystem`:

* ``budget_keys``: the top-level config keys that choose the points per attack (Vitality: ``tier``
  and ``archetype``), each a :class:`BudgetKey` with its default and allowed values. The config
  checks them against the declaration and the session calls ``rules.budget(**keys)``.
* ``rule_table()``: every number and decision a designer may change, as a flat mapping of dotted
  names (``upgrades.power_attack.cost``) to default values. The config's ``[rules.NAME]`` table
  overrides them (``upgrades.power_attack.cost = 2``); ``rules.with_rule_table(values)`` returns
  the rule system that plays by the effective values, and ``check_rule_table(values)`` yields
  ``(name, problem)`` for values it cannot take (a negative cost).

Nothing here knows a game: names, defaults and meanings are the rule system's.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import attrs

from balance.errors import ConfigError


@attrs.frozen
class BudgetKey:
    """A top-level config key the rule system's ``budget`` takes as a keyword argument."""

    name: str
    default: Any
    #: The values the key may take (empty: any value of the default's type within ``low``-``high``).
    allowed: tuple = attrs.field(default=(), converter=tuple)
    low: int | None = None
    high: int | None = None
    #: One line for ``balance rules show`` and the docs.
    help: str = ""


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "a list"
    return repr(value)


def _type_problem(value: Any, default: Any) -> str | None:
    """Why ``value`` cannot stand where ``default`` does (same type; an integer may stand for a float)."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"expected true or false, got {_show(value)}"
    if isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"expected an integer, got {_show(value)}"
    if isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {_show(value)}"
    if isinstance(default, str):
        return None if isinstance(value, str) else f"expected a string, got {_show(value)}"
    return f"cannot be set (its default {default!r} is not a number, true/false or a string)"


def _ranges(values: tuple) -> str:
    """``3, 4, 5`` or ``1-20`` for consecutive integers."""
    if len(values) > 3 and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if list(values) == list(range(values[0], values[0] + len(values))):
            return f"{values[0]}-{values[-1]}"
    return ", ".join(str(v) for v in values)


def budget_key_values(declared: tuple[BudgetKey, ...], data: dict[str, Any], rename=lambda p: p) -> dict[str, Any]:
    """Take the declared keys out of ``data`` (removed from it), checked, with defaults filled in."""
    out: dict[str, Any] = {}
    for key in declared:
        value = data.pop(key.name, key.default)
        problem = _type_problem(value, key.default)
        if problem is None and key.allowed and value not in key.allowed:
            problem = f"unknown {key.name} {_show(value)} (known: {_ranges(key.allowed)})"
        if problem is None and key.low is not None and value < key.low:
            problem = f"expected at least {key.low}, got {value}"
        if problem is None and key.high is not None and value > key.high:
            problem = f"{value:,} is above the limit of {key.high:,}"
        if problem:
            raise ConfigError(rename(key.name), problem)
        out[key.name] = value
    return out


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (dotted keys written in TOML arrive as nested tables)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if not value:
                out[name] = value  # an empty table is a name, to be reported as unknown
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`flatten`: dotted names as nested tables (for TOML)."""
    out: dict[str, Any] = {}
    for name, value in flat.items():
        *path, last = name.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def apply_overrides(defaults: Mapping[str, Any], overrides: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The effective table: ``defaults`` with ``overrides`` (flat) applied; an unknown name or a
    value of the wrong type is a config error at ``where.NAME``."""
    values = dict(defaults)
    for name, value in overrides.items():
        if name not in defaults:
            raise ConfigError(f"{where}.{name}", f"unknown rule{_hint(name, defaults)}")
        problem = _type_problem(value, defaults[name])
        if problem:
            raise ConfigError(f"{where}.{name}", problem)
        values[name] = float(value) if isinstance(defaults[name], float) else value
    return values


def _hint(name: str, known: Mapping[str, Any]) -> str:
    guess = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    if guess:
        return f" (did you mean {guess[0]}?)"
    # A misspelt entry name: say which entries exist at that level.
    head = name.rsplit(".", 1)[0]
    siblings = sorted({k[len(head) + 1:].split(".")[0] for k in known if k.startswith(head + ".")})
    if siblings:
        return f" ({head} has: {', '.join(siblings)})"
    tops = sorted({k.split(".")[0] for k in known})
    return f" (sections: {', '.join(tops)}; `balance rules show` lists every rule)"


@attrs.frozen
class RuleTable:
    """A rule system's effective table: its declared defaults and the values a run plays by."""

    rules: str
    defaults: dict[str, Any] = attrs.field(factory=dict)
    values: dict[str, Any] = attrs.field(factory=dict)

    @property
    def overrides(self) -> dict[str, tuple[Any, Any]]:
        """``name -> (default, value)`` for each value that differs from its default."""
        return {k: (self.defaults.get(k), v) for k, v in self.values.items() if self.defaults.get(k) != v}

    @property
    def digest(self) -> str:
        """SHA-256 of the effective values (canonical JSON, sorted names)."""
        return hashlib.sha256(json.dumps(self.values, sort_keys=True).encode()).hexdigest()

    def record(self) -> dict[str, Any]:
        """What a run directory keeps: the rule system, every effective value and their digest."""
        return {"rules": self.rules, "values": dict(self.values), "sha256": self.digest}

    def override_lines(self) -> list[str]:
        """``upgrades.power_attack.cost = 2 (default 1)``, one per override, in table order."""
        return [f"{k} = {_value(v)} (default {_value(d)})" for k, (d, v) in self.overrides.items()]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else str(value)


def show_value(value: Any) -> str:
    """A value as TOML writes it."""
    return _value(value)
