"""The older tool's ``config.json`` shape, translated into the native model's keys.

Accepted shape (keys the older tool wrote)::

    {"tier": 4, "archetype": "dual_natured", "points_per_attack": 6,
     "character_config": {"attacker": [2, 2, 2, 2, 4]},
     "defensive_profiles": [{"name": "Evasive", "stats": [2, 2, 4, 0, 4]}],
     "buff_configurations": [{"name": "No Buffs", "accuracy_bonus": 0, "damage_bonus": 0,
                              "avoidance_bonus": 0, "durability_bonus": 0}],
     "scenarios": [{"name": "Boss", "num_enemies": 1, "enemy_hp": 100},
                   {"name": "Mixed", "enemy_hp_list": [50, 25, 25]}],
     "stage1": {...}, "stage2": {...}, "performance": {...}}

``stage1``, ``stage2`` and ``performance`` use the native keys. Errors name the keys as the user
wrote them (``scenarios[2].enemy_hp_list[1]``), through the returned ``rename`` function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from balance.config.convert import show
from balance.errors import ConfigError

#: Keys only the older shape has; any of them marks a JSON file as the older shape.
MARKERS = ("character_config", "defensive_profiles", "buff_configurations")

_TOP_RENAMES = {"defensive_profiles": "profiles", "buff_configurations": "buffs"}
_BUFF_ALIASES = {f"{k}_bonus": k for k in ("accuracy", "damage", "avoidance", "durability")}


def is_legacy(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in MARKERS)


def translate(data: dict) -> tuple[dict, Callable[[str], str]]:
    """Return the native form of ``data`` and a function mapping native key paths back to the user's."""
    renames: dict[str, str] = {}  # native path prefix -> user's path prefix
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "character_config":
            if not isinstance(value, dict):
                raise ConfigError("character_config", f"expected a table, got {show(value)}")
            for sub, subvalue in value.items():
                if sub != "attacker":
                    raise ConfigError(f"character_config.{sub}", "unknown key (known keys: attacker)")
                out["attacker"] = subvalue
            renames["attacker"] = "character_config.attacker"
        elif key in _TOP_RENAMES:
            out[_TOP_RENAMES[key]] = value
            renames[_TOP_RENAMES[key]] = key
        else:
            out[key] = value
    if isinstance(out.get("buffs"), list):
        out["buffs"] = [_buff(i, b, renames) for i, b in enumerate(out["buffs"])]
    if isinstance(out.get("scenarios"), list):
        out["scenarios"] = [_scenario(i, s, renames) for i, s in enumerate(out["scenarios"])]

    def rename(path: str) -> str:
        for native in sorted(renames, key=len, reverse=True):
            if path == native or path.startswith((native + ".", native + "[")):
                return renames[native] + path[len(native):]
        return path

    return out, rename


def _buff(i: int, buff: Any, renames: dict[str, str]) -> Any:
    if not isinstance(buff, dict):
        return buff
    out = {}
    for key, value in buff.items():
        native = _BUFF_ALIASES.get(key, key)
        if native != key:
            renames[f"buffs[{i}].{native}"] = f"buff_configurations[{i}].{key}"
        out[native] = value
    return out


def _scenario(i: int, scenario: Any, renames: dict[str, str]) -> Any:
    if not isinstance(scenario, dict):
        return scenario
    where = f"scenarios[{i}]"
    out = {k: v for k, v in scenario.items() if k not in ("num_enemies", "enemy_hp", "enemy_hp_list")}
    if "enemy_hp_list" in scenario:
        if "enemy_hp" in scenario or "num_enemies" in scenario:
            raise ConfigError(where, "give either enemy_hp_list or num_enemies + enemy_hp, not both")
        out["enemy_hp"] = scenario["enemy_hp_list"]
        renames[f"{where}.enemy_hp"] = f"{where}.enemy_hp_list"
    elif "num_enemies" in scenario or "enemy_hp" in scenario:
        count, hp = scenario.get("num_enemies"), scenario.get("enemy_hp")
        if count is None:
            raise ConfigError(f"{where}.num_enemies", "missing (needed with enemy_hp)")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError(f"{where}.num_enemies", f"expected a positive integer, got {show(count)}")
        if hp is None:
            raise ConfigError(f"{where}.enemy_hp", "missing (needed with num_enemies)")
        if isinstance(hp, list):
            out["enemy_hp"] = hp
        else:
            out["enemy_hp"] = [hp] * count
            renames[f"{where}.enemy_hp"] = f"{where}.enemy_hp"
    return out
