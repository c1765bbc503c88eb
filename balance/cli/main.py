"""Entry point of the ``balance`` command: builds the parser and turns errors into one line."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from balance import __version__
from balance.errors import BalanceError

#: Subcommand modules of balance.cli, each with ``register(subparsers)`` setting ``func``.
COMMANDS = ["plugins", "config", "rules", "build", "builds", "simulate", "run", "report", "export", "diff"]


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


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line (``balance run: error: ...``) and exit code 2, without the usage
    block: the line names the argument and the problem; ``--help`` shows the usage."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


#: Options whose value may start with "-" (a negative number in a stat list, ``--profile -9,2,2,2,4``):
#: argparse would read such a value as an option. Written ``--profile=-9,...`` it is a value.
VALUE_OPTIONS = ("--profile", "--scenario", "--seed", "--runs", "--max-turns", "--budget", "--workers")


def join_negative_values(argv: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if arg in VALUE_OPTIONS and nxt is not None and len(nxt) > 1 and nxt[0] == "-" and nxt[1].isdigit():
            out.append(f"{arg}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def _leaf_parsers(parser: argparse.ArgumentParser):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
    for action in subs:
        for child in action.choices.values():
            yield from _leaf_parsers(child)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="balance", description="Game balance by Monte Carlo combat simulation.")
    parser.add_argument("--version", action="version", version=f"balance {__version__}")
    add_global_options(parser, defaults=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    subparsers.required = True
    for name in COMMANDS:
        importlib.import_module(f"balance.cli.cmd_{name}").register(subparsers)
    for leaf in _leaf_parsers(parser):
        if leaf is not parser:
            add_global_options(leaf, defaults=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(join_negative_values(sys.argv[1:] if argv is None else list(argv)))
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
