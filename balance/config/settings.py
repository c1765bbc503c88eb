"""``--set KEY=VALUE``: one config key changed on the command line, for one run or a sweep.

A key is the dotted path a file would give (``stage1.runs``, ``seed``, ``tier``,
``rules.vitality.limits.charges_1.cost``); a value is written as in TOML (``2``, ``true``,
``"text"``, ``[2, 2, 2, 2, 4]``), and a bare word is a string. Values separated by commas
(``cost=1,2,3``) are a sweep: one run per value. The setting is layered over the file like one
more key of it, so the config's own checks name an unknown key or a bad value, and the run records
it like any other key.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import attrs

from balance.errors import ConfigError, UsageError

#: A key part: what a TOML bare key may hold.
_PART = re.compile(r"[A-Za-z0-9_-]+")


@attrs.frozen
class Setting:
    """``--set KEY=VALUE``: the key's parts and its value(s); more than one value is a sweep."""

    key: str
    values: tuple[Any, ...]
    #: Each value as the user wrote it (for folder names and headings).
    texts: tuple[str, ...]

    @property
    def sweep(self) -> bool:
        return len(self.values) > 1


def _value(text: str) -> Any:
    """A TOML value, else the text as a string (``--set executor=dask``)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_setting(text: str) -> Setting:
    """``KEY=VALUE`` or ``KEY=V1,V2,...``; a malformed one is a usage error naming it."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise UsageError(f"--set {text}: expected KEY=VALUE (e.g. --set stage1.runs=10)")
    bad = next((p for p in key.split(".") if not _PART.fullmatch(p)), None)
    if bad is not None:
        raise UsageError(f"--set {text}: {key!r} is not a config key (dotted names of letters, digits, _ and -)")
    if not raw:
        raise UsageError(f"--set {text}: no value for {key}")
    try:  # one TOML value, commas included (a list, a quoted string)
        return Setting(key, (tomllib.loads(f"v = {raw}")["v"],), (raw,))
    except tomllib.TOMLDecodeError:
        pass
    texts = tuple(t.strip() for t in raw.split(","))
    if len(texts) > 1:
        if "" in texts:
            raise UsageError(f"--set {text}: an empty value in the list {raw!r}")
        values = tuple(_value(t) for t in texts)
        if len(set(map(repr, values))) < len(values):
            raise UsageError(f"--set {text}: a value is listed twice")
        return Setting(key, values, texts)
    return Setting(key, (raw,), (raw,))


def apply_setting(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``data`` (the layered config, native keys) with ``key`` set to ``value``; tables on the way
    are created. ``rules = "NAME"`` becomes the table ``{name = "NAME"}`` for ``rules.NAME.*``."""
    out = dict(data)
    node = out
    parts = key.split(".")
    for i, part in enumerate(parts[:-1]):
        child = node.get(part, {})
        if i == 0 and part == "rules" and isinstance(child, str):
            child = {"name": child}
        if not isinstance(child, dict):
            where = ".".join(parts[: i + 1])
            raise ConfigError(where, f"is a value, not a table: --set {key} cannot set a key inside it")
        node[part] = dict(child)
        node = node[part]
    node[parts[-1]] = value
    return out
