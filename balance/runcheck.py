"""A run directory is untrusted input: what ``report`` and ``run --resume`` check before using one.

* Plugins a run's ``config.toml`` asks to load are code: they run only with ``--trust-run-plugins``.
* The manifest records the effective config (its TOML and a SHA-256 of its canonical form) and the
  plugin versions; a resume with a different config, or a report under a config with another grid
  or other settings, stops and names the first key that differs, instead of mixing two runs.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from balance.config.convert import CONVERTER
from balance.errors import ConfigError, UsageError
from balance.session import read_config

#: Keys that do not shape a run's numbers: they may differ on resume and report.
NEUTRAL_ON_RESUME = ("performance", "executor", "reports")
#: A report also may run with other plugin options (plugins decide names, not the recorded numbers).
NEUTRAL_ON_REPORT = (*NEUTRAL_ON_RESUME, "plugins")


def canonical(data: Any) -> Any:
    """Plain JSON data (tuples become lists), so that parsed TOML and a structured config compare;
    key order is kept, so that the first differing key is the first in the config."""
    return json.loads(json.dumps(data))


def config_digest(data: dict[str, Any]) -> str:
    """SHA-256 of a config's canonical JSON form."""
    return hashlib.sha256(json.dumps(canonical(data), sort_keys=True).encode()).hexdigest()


def config_data(config) -> dict[str, Any]:
    return canonical(CONVERTER.unstructure(config))


def run_plugins(config_path: Path) -> tuple[str, ...]:
    """The ``[plugins] load`` entries of a run's config, read without loading anything."""
    return tuple(read_config(config_path).plugins().load)


def require_trust(run_dir: Path, config_path: Path, trusted: bool) -> None:
    """Stop (exit 2) if the run's config names plugins to load and the user did not say to trust them."""
    wanted = run_plugins(config_path)
    if wanted and not trusted:
        raise UsageError(
            f"{config_path} asks to load plugins, which would run their code: {', '.join(wanted)}; "
            f"if you trust {run_dir}, pass --trust-run-plugins"
        )


def first_difference(old: Any, new: Any, path: str = "") -> str | None:
    """The first key (``stage1.runs``, ``profiles[1].stats``) where two plain configs differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in old or key not in new:
                return sub
            found = first_difference(old[key], new[key], sub)
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list) and old and new and isinstance(old[0], dict):
        for i, (a, b) in enumerate(zip(old, new)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None if len(old) == len(new) else f"{path}[{min(len(old), len(new))}]"
    return None if old == new else path


def _show(data: dict[str, Any], key: str) -> str:
    value: Any = data
    for part in key.replace("[", ".[").split("."):
        try:
            value = value[int(part[1:-1])] if part.startswith("[") else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return "(absent)"
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def recorded_config(run: Any, run_dir: Path) -> dict[str, Any] | None:
    """The effective config the run's manifest recorded, or None for a run that recorded none."""
    info = run.summary().info.config
    if not isinstance(info, dict) or "toml" not in info:
        return None
    where = f"{run_dir}: the recorded config"
    try:
        data = canonical(tomllib.loads(str(info["toml"])))
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError("", f"{where}: the recorded config is not valid TOML: {exc}") from None
    digest = info.get("sha256")
    if digest is not None and digest != config_digest(data):
        raise ConfigError("", f"{where}: the recorded config does not match its sha256; the manifest was edited")
    return data


def check_same_config(run: Any, run_dir: Path, config, action: str) -> None:
    """Stop (config error, exit 2) if ``config`` differs from the run's recorded config in a key
    that shapes its numbers. ``action`` is ``resume`` or ``report``."""
    old = recorded_config(run, run_dir)
    if old is None:
        return
    neutral = NEUTRAL_ON_RESUME if action == "resume" else NEUTRAL_ON_REPORT
    new = config_data(config)
    old = {k: v for k, v in old.items() if k not in neutral}
    new = {k: v for k, v in new.items() if k not in neutral}
    key = first_difference(old, new)
    if key is not None:
        raise ConfigError(
            key, f"differs from the config {run_dir} was run with ({_show(old, key)} then, {_show(new, key)} now); "
            f"cannot {action} it with another config: start a new run directory"
            if action == "resume" else
            f"differs from the config {run_dir} was run with ({_show(old, key)} then, {_show(new, key)} now); "
            "its numbers would be labelled with the wrong settings"
        )


def check_same_rule_table(run: Any, run_dir: Path, table) -> None:
    """Stop (config error) if the rule table the run was made with differs from the one this
    session plays by: an override, a plugin's extension or a rule system's new default would mix
    two sets of rules in one run. The first differing rule is named."""
    recorded = ((getattr(run, "manifest", None) or {}).get("config") or {}).get("rule_table")
    if not isinstance(recorded, dict):
        return
    old = recorded.get("values")
    if not isinstance(old, dict):
        raise ConfigError("", f"{run_dir / 'manifest.json'}: rule_table: expected a table of values")
    if old == table.values and recorded.get("rules") == table.rules:
        return
    names = [*old, *(k for k in table.values if k not in old)]
    name = next((k for k in names if old.get(k, "(absent)") != table.values.get(k, "(absent)")), "rules")
    then, now = old.get(name, "(absent)"), table.values.get(name, "(absent)")
    raise ConfigError(
        f"rules.{table.rules}.{name}",
        f"differs from the rule table {run_dir} was run with ({json.dumps(then)} then, {json.dumps(now)} now); "
        "cannot resume it with other rules: start a new run directory",
    )


def check_same_plugins(run: Any, run_dir: Path, plugins) -> None:
    """Stop if a plugin the run was started with is now missing or at another version (resume)."""
    recorded = (getattr(run, "manifest", None) or {}).get("plugins")
    if not isinstance(recorded, list):
        return
    now = {name: info.version for name, info in plugins.info.items()}
    for item in recorded:
        if not isinstance(item, dict):
            continue
        name, version = str(item.get("name")), str(item.get("version"))
        if name not in now:
            raise UsageError(f"{run_dir} was run with plugin {name} {version}, which is not loaded now; "
                             "cannot resume without it")
        if now[name] != version:
            raise UsageError(f"{run_dir} was run with plugin {name} {version}, now {now[name]} is loaded; "
                             "resuming would mix results of two versions: start a new run directory")


def open_run_checked(run_dir: Path, trusted: bool, disable=(), load=(), config: Path | str | None = None):
    """Open a run directory for reading, as ``balance report`` does: with ``config`` if given, else
    with the run's own (whose plugins load only when ``trusted``); the store the config names must
    find a run there, and the config must match the one the run recorded (and its digest).
    Returns ``(session, run)``."""
    from balance.runner import CONFIG_FILE
    from balance.session import open_session

    run_dir = Path(run_dir)
    if config is None:
        config = run_dir / CONFIG_FILE
        if not config.is_file():
            raise UsageError(f"{run_dir} is not a run directory (no {CONFIG_FILE})")
        require_trust(run_dir, config, trusted)
    session = open_session(config, disable=disable, load=load)
    store = session.plugins.component("balance_stores", session.config.store)
    if not store.has_run(run_dir):
        raise UsageError(f"{run_dir} is not a run directory (the {session.config.store} store finds no run there)")
    run = store.open(run_dir)
    check_same_config(run, run_dir, session.config, "report")
    return session, run
