"""`balance plugins`: every plugin with its distribution, version and the hooks it implements."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from balance.cli.common import add_config_argument, session_from


def register(subparsers) -> None:
    p = subparsers.add_parser("plugins", help="list plugins, their versions and hooks")
    add_config_argument(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args) -> int:
    session = session_from(args)
    plugins = session.plugins
    if args.format == "json":
        rows = [
            {"name": i.name, "distribution": i.distribution, "version": i.version, "hooks": list(i.hooks), "source": i.source}
            for i in plugins.info.values()
        ]
        print(json.dumps({"plugins": rows, "disabled": plugins.disabled}, indent=2))
        return 0
    table = Table("plugin", "distribution", "version", "hooks", "source", title="balance plugins")
    for i in plugins.info.values():
        table.add_row(i.name, i.distribution, i.version, ", ".join(h.removeprefix("balance_") for h in i.hooks), i.source)
    for name in plugins.disabled:
        table.add_row(name, "", "", "(disabled)", "")
    Console(width=160).print(table)
    return 0
