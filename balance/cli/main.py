"""Entry point of the ``balance`` command: builds the parser and turns errors into one line."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from balance import __version__
from balance.errors import BalanceError

#: Subcommand modules of balance.cli, each with ``register(subparsers)`` setting ``func``.
COMMANDS = ["plugins", "config", "build", "builds", "simulate", "run", "report", "export"]


def add_global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Options every command takes, before or after the subcommand's name."""
    kw = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("--debug", action="store_true", help="show tracebacks", **kw)
    parser.add_argument(
        "--disable-plugin", action="append", metavar="NAME", help="disable a plugin by name (repeatable)",
        **(kw or {"default": []}),
    )
    parser.add_argument(
        "--plugin", action="append", metavar="MODULE_OR_PATH",
        help="load a plugin module, .py file or folder (repeatable); with --disable-plugin it replaces one",
        **(kw or {"default": []}),
    )


def _leaf_parsers(parser: argparse.ArgumentParser):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
    for action in subs:
        for child in action.choices.values():
            yield from _leaf_parsers(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="balance", description="Game balance by Monte Carlo combat simulation.")
    parser.add_argument("--version", action="version", version=f"balance {__version__}")
    add_global_options(parser, defaults=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        importlib.import_module(f"balance.cli.cmd_{name}").register(subparsers)
    for leaf in _leaf_parsers(parser):
        if leaf is not parser:
            add_global_options(leaf, defaults=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except BalanceError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}" if not str(exc).startswith(("config error", "plugin ")) else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
