"""Strict cattrs conversion of plain data into the config model, with user-facing key paths.

cattrs' default converter is lenient (``int("10")``, a string taken as a list of characters); a
config is user input, so every primitive is checked for its exact type and every error is reported
as ``key.path[i]: problem``.
"""

from __future__ import annotations

import difflib
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationError, IterableValidationNote

from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from balance.config.model import Config
from balance.errors import ConfigError
from balance.grid import Buff, HitPoints


def show(value: Any) -> str:
    """A value as the user wrote it: strings quoted, tables and lists named."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _int(value: Any, _t: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {show(value)}")
    return value


def _hp(value: Any, _t: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TypeError(f"expected a positive integer, got {show(value)}")
    return value


def _float(value: Any, _t: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {show(value)}")
    return float(value)


def _str(value: Any, _t: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {show(value)}")
    return value


def _bool(value: Any, _t: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {show(value)}")
    return value


def _is_var_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(HitPoints, _hp)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)

    def structure_tuple(value: Any, t: Any) -> tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected a list, got {show(value)}")
        elem = get_args(t)[0]
        out, errors = [], []
        for i, item in enumerate(value):
            try:
                out.append(conv.structure(item, elem))
            except Exception as exc:  # collected so the path names the index
                exc.__notes__ = [*getattr(exc, "__notes__", []), IterableValidationNote(f"@ index {i}", i, elem)]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {t!r}", errors, t)
        return tuple(out)

    conv.register_structure_hook_func(_is_var_tuple, structure_tuple)

    # A buff is written as the user writes it: its name and one key per bonus. Its fields are
    # checked against the rule system's declaration before conversion (``load._buffs``).
    conv.register_unstructure_hook(Buff, lambda b: {"name": b.name, **dict(b.bonuses)})
    conv.register_structure_hook(
        Buff, lambda d, _t: Buff(conv.structure(d.get("name"), str), {k: v for k, v in d.items() if k != "name"})
    )

    # A stage's settings are tables of the file's top level (``[stage1]``), converted with the
    # stage's own class by the loader: ``stage_settings`` is never a key in a file, and written
    # out, each stage's table takes its place.
    # Likewise the rule system's budget keys (``tier = 4``) sit at the top level, and its table's
    # overrides in ``[rules.NAME]`` (then ``rules`` is a table whose ``name`` picks the system).
    hidden = {k: override(omit=True) for k in ("stage_settings", "budget_keys", "rule_overrides")}
    conv.register_structure_hook(
        Config,
        make_dict_structure_fn(Config, conv, _cattrs_forbid_extra_keys=True, **hidden),
    )
    plain = make_dict_unstructure_fn(Config, conv, **hidden)

    def unstructure_config(config: Config) -> dict:
        from balance.ruletable import nest

        out = {}
        for key, value in plain(config).items():
            if key == "performance":
                out.update((name, conv.unstructure(s)) for name, s in config.stage_settings.items())
            if key == "rules" and config.rule_overrides:
                value = {"name": value, value: nest(config.rule_overrides)}
            out[key] = value
            if key == "rules":
                out.update(config.budget_keys)
        return out

    conv.register_unstructure_hook(Config, unstructure_config)
    return conv


CONVERTER = make_converter()


def _format(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, ForbiddenExtraKeysError):
        key = sorted(exc.extra_fields)[0]
        known = [f.name for f in attrs.fields(exc.cl)]
        guess = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else f" (known keys: {', '.join(known)})"
        return f"\x00{key}\x00unknown key{hint}"
    if isinstance(exc, KeyError):
        return f"missing required key {exc.args[0]}" if exc.args else "missing required key"
    if isinstance(exc, (TypeError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def structure(data: dict, cls: type, rename=lambda path: path) -> Any:
    """Convert ``data`` into ``cls``; the first problem becomes a :class:`ConfigError`.

    ``rename`` maps a path in the model's key names to the user's (for the older JSON shape).
    """
    if not isinstance(data, dict):
        raise ConfigError("", f"expected a table at the top level, got {show(data)}")
    try:
        return CONVERTER.structure(data, cls)
    except Exception as exc:
        first = cattrs.transform_error(exc, path="$", format_exception=_format)[0]
        message, _, path = first.rpartition(" @ ")
        path = path.removeprefix("$").removeprefix(".")
        if message.startswith("\x00"):
            _, key, message = message.split("\x00")
            path = f"{path}.{key}" if path else key
        raise ConfigError(rename(path), message) from exc
