"""`balance config show [CONFIG]`: the effective config as TOML."""

from __future__ import annotations

from balance.cli.common import session_from
from balance.config import config_to_toml


def register(subparsers) -> None:
    p = subparsers.add_parser("config", help="show the effective config")
    sub = p.add_subparsers(dest="config_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser("show", help="print the effective config as TOML (the embedded default if none given)")
    show.add_argument("config", nargs="?", help="TOML or JSON config file")
    show.set_defaults(func=run)


def run(args) -> int:
    session = session_from(args)
    print(f"# effective config from {session.origin}")
    print(config_to_toml(session.config), end="")
    return 0
