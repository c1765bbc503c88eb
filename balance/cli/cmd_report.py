"""`balance report`: not built yet."""

from __future__ import annotations

from balance.errors import NotBuiltError


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="(not built yet)")
    p.add_argument("rest", nargs="*")
    p.set_defaults(func=run)


def run(args) -> int:
    raise NotBuiltError("`balance report` is not built yet")
