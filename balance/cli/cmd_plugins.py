"""`balance plugins`: every plugin (where it was loaded from, its hooks, what it provides) and the
components the config selects."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from balance.cli.common import add_config_argument, session_from
from balance.components import selected_by
from balance.plugin_manager import FAMILIES
from balance.reporting import select_reporters


def register(subparsers) -> None:
    p = subparsers.add_parser("plugins", help="list plugins, where they come from, their hooks and what the config selects")
    add_config_argument(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


GRID_HOOKS = {"balance_profiles": "profile", "balance_buffs": "buff", "balance_scenarios": "scenario"}


def provided_by_plugin(session) -> dict[str, list[str]]:
    """What each plugin provides, as ``family name`` strings (this calls every providing hook)."""
    out: dict[str, list[str]] = {name: [] for name in session.plugins.info}
    for hook, family in {**FAMILIES, **GRID_HOOKS}.items():
        kwargs = {"config": session.config} if hook in GRID_HOOKS else {}
        for plugin, item in session.plugins.call(hook, **kwargs):
            out.setdefault(plugin, []).append(f"{family} {item.name}")
    return out


def selected(session) -> list[dict[str, str]]:
    """The components a ``balance run`` with this config uses, each with its plugin."""
    config, plugins = session.config, session.plugins
    wanted = [
        ("balance_rule_systems", config.rules),
        ("balance_stores", config.store),
        ("balance_executors", config.executor),
        ("balance_scorings", config.scoring),
        *((hook, name) for stage in plugins.components("balance_stages").values()
          for _, hook, name in selected_by(stage.obj, config)),
        *(("balance_stages", name) for name in plugins.components("balance_stages")),
        *(("balance_reporters", r.name) for r in select_reporters(session, None)),
    ]
    rows = []
    for hook, name in wanted:
        provided = plugins.components(hook).get(name)
        rows.append({"family": FAMILIES[hook], "name": name, "plugin": provided.plugin if provided else "(none)"})
    return rows


def _table(title: str, *headers: str) -> Table:
    table = Table(title=title)
    for header in headers:
        table.add_column(header, overflow="fold")  # wrap long names and paths, never cut them
    return table


def run(args) -> int:
    session = session_from(args)
    plugins = session.plugins
    provided = provided_by_plugin(session)
    chosen = selected(session)
    if args.format == "json":
        rows = [
            {"name": i.name, "distribution": i.distribution, "version": i.version, "hooks": list(i.hooks),
             "source": i.source, "loaded_by": i.loaded_by, "provides": provided[i.name]}
            for i in plugins.info.values()
        ]
        print(json.dumps({"plugins": rows, "disabled": plugins.disabled, "selected": chosen}, indent=2))
        return 0
    console = Console(width=max(Console().width, 160))
    table = _table("balance plugins", "plugin", "distribution", "version", "hooks", "provides")
    for i in plugins.info.values():
        hooks = ", ".join(h.removeprefix("balance_") for h in i.hooks)
        table.add_row(i.name, i.distribution, i.version, hooks, ", ".join(provided[i.name]))
    for name in plugins.disabled:
        table.add_row(name, "", "", "(disabled)", "")
    console.print(table)
    sources = _table("where plugins come from", "plugin", "source", "loaded by")
    for i in plugins.info.values():
        sources.add_row(i.name, i.source, i.loaded_by)
    console.print(sources)
    used = _table("selected by this config", "component", "name", "plugin")
    for row in chosen:
        used.add_row(row["family"], row["name"], row["plugin"])
    console.print(used)
    return 0
