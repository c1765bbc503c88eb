"""Arguments and setup shared by subcommands."""

from __future__ import annotations

import argparse
import sys

from balance.session import Session, open_session


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", dest="config", metavar="FILE", help="TOML or JSON config (default: embedded)")


def session_from(args: argparse.Namespace, settings=()) -> Session:
    """Open the session an invocation asks for: its config plus ``--plugin`` / ``--disable-plugin``
    and ``settings`` (``--set``: key path, value)."""
    session = open_session(getattr(args, "config", None), disable=args.disable_plugin, load=args.plugin,
                           settings=settings)
    for line in session.warnings:  # here, not in open_session: workers reopen the session too
        print(f"config warning: {line}", file=sys.stderr)
    return session


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust-run-plugins", action="store_true",
        help="load the plugins the run directory's config.toml names (they run code; off by default)",
    )
