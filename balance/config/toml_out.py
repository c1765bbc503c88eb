"""Writes the effective config as TOML (the standard library reads TOML but does not write it)."""

from __future__ import annotations

import json
from typing import Any

from balance.config.convert import CONVERTER
from balance.config.model import Config


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _is_table_list(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and bool(v) and all(isinstance(x, dict) for x in v)


def _table(data: dict, prefix: str, lines: list[str]) -> None:
    for k, v in data.items():
        if not isinstance(v, dict) and not _is_table_list(v):
            lines.append(f"{k} = {_value(v)}")
    for k, v in data.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            lines.extend(["", f"[{name}]"])
            _table(v, name, lines)
        elif _is_table_list(v):
            for item in v:
                lines.extend(["", f"[[{name}]]"])
                _table(item, name, lines)


def config_to_toml(config: Config) -> str:
    lines: list[str] = []
    _table(CONVERTER.unstructure(config), "", lines)
    return "\n".join(lines) + "\n"
