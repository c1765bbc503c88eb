"""`balance plugins`: every plugin with its distribution, version and the hooks it implements."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from balance.cli.common import add_config_argument, session_from
from balance.plugin_manager import FAMILIES


def register(subparsers) -> None:
    p = subparsers.add_parser("plugins", help="list plugins, their versions and hooks")
    add_config_argument(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


GRID_HOOKS = {"balance_profiles": "profile", "balance_buffs": "buff", "balance_scenarios": "scenario"}


def provided_by_plugin(session) -> dict[str, list[str]]:
    """What each plugin provides, as ``family name`` strings (this calls every providing hook)."""
    out: dict[str, list[str]] = {name: [] for name in session.plugins.info}
    for hook, family in {**FAMILIES, **GRID_HOOKS}.items():
        kwargs = {"config": session.config} if hook in GRID_HOOKS else {}
        for plugin, items in session.plugins.call_each(hook, **kwargs):
            out[plugin].extend(f"{family} {item.name}" for item in items)
    return out


def run(args) -> int:
    session = session_from(args)
    plugins = session.plugins
    provided = provided_by_plugin(session)
    if args.format == "json":
        rows = [
            {"name": i.name, "distribution": i.distribution, "version": i.version, "hooks": list(i.hooks), "source": i.source,
             "provides": provided[i.name]}
            for i in plugins.info.values()
        ]
        print(json.dumps({"plugins": rows, "disabled": plugins.disabled}, indent=2))
        return 0
    table = Table("plugin", "distribution", "version", "hooks", "provides", title="balance plugins")
    for i in plugins.info.values():
        hooks = ", ".join(h.removeprefix("balance_") for h in i.hooks)
        table.add_row(i.name, i.distribution, i.version, hooks, ", ".join(provided[i.name]))
    for name in plugins.disabled:
        table.add_row(name, "", "", "(disabled)", "")
    Console(width=160).print(table)
    return 0
