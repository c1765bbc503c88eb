"""docs/cli.md documents every subcommand and every option the parser has."""

from __future__ import annotations

import argparse
import re

from balance.cli.main import build_parser
from tests.conftest import REPO


def leaf_commands(parser, prefix=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from leaf_commands(child, prefix + (name,))


def sections(text: str) -> dict[str, str]:
    """`## \\`balance X ...\\`` heading -> that section's text."""
    out = {}
    for m in re.finditer(r"^## `balance ([a-z ]+?)(?: [A-Z\[][^`\n]*)?`\n(.*?)(?=^## |\Z)", text, re.S | re.M):
        out[m[1].strip()] = m[2]
    return out


def test_every_command_and_option_is_documented():
    text = (REPO / "docs" / "cli.md").read_text()
    found = sections(text)
    global_opts = {o for a in build_parser()._actions for o in a.option_strings}
    for names, parser in leaf_commands(build_parser()):
        command = " ".join(names)
        assert command in found, f"docs/cli.md has no section for `balance {command}`"
        for action in parser._actions:
            for opt in action.option_strings:
                if opt in global_opts or opt in ("-h", "--help"):
                    assert f"`{opt}" in text, f"{opt} is not documented"
                    continue
                assert f"`{opt}" in found[command], f"`balance {command}` option {opt} is not in its section"
