"""Writes configs as TOML with tomli-w (the standard library reads TOML but does not write it):
keys and strings from a hostile file are quoted and escaped correctly, which a hand-written writer
had to get right case by case."""

from __future__ import annotations

from typing import Any

import tomli_w

from balance.config.convert import CONVERTER
from balance.config.model import Config
from balance.errors import ConfigError


def data_to_toml(data: dict[str, Any]) -> str:
    """Plain config data (native keys) as TOML."""
    try:
        return tomli_w.dumps(data)
    except TypeError as exc:  # e.g. a null inside rule_options: TOML has no null
        raise ConfigError("", f"cannot be written as TOML: {exc}") from exc


def config_to_toml(config: Config) -> str:
    return data_to_toml(CONVERTER.unstructure(config))
