"""Extracting the commands that docs/*.md and README.md show, so that tests can run them.

Conventions (docs/README authors follow them; tests/docs/test_doc_commands.py enforces them):

- Commands live in fenced blocks opened with ```` ```sh ````; every line of such a block is one
  command starting with ``balance `` (blank lines and ``#`` comment lines are allowed).
- A trailing ``# exit N`` comment states the exit code the command must end with (default 0),
  e.g. ``balance build check "area + double_tap"   # exit 1``.
- A block preceded by ``<!-- not-run: REASON -->`` (the line just before the fence) is not run;
  the README's quick start, which creates a virtual environment, is the intended use.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->$")
EXIT = re.compile(r"#\s*exit\s+(?P<code>\d+)\s*$")


@attrs.frozen
class Command:
    doc: str
    line: int  # 1-based line in the doc
    text: str  # the shell command, without the exit comment
    exit_code: int


@attrs.frozen
class Block:
    doc: str
    line: int
    lines: tuple[tuple[int, str], ...]
    not_run: str | None  # the reason, for a skipped block


def sh_blocks(path: Path) -> list[Block]:
    """Every ```sh block of a markdown file, with its not-run marker if it has one."""
    lines = path.read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start = i
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append((i + 1, lines[i]))
                i += 1
            prev = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
            marker = NOT_RUN.match(prev)
            blocks.append(Block(path.name, start + 1, tuple(body), marker["reason"] if marker else None))
        i += 1
    return blocks


def commands(path: Path) -> list[Command]:
    """The commands of every ```sh block that is not marked not-run, in document order."""
    out = []
    for block in sh_blocks(path):
        if block.not_run:
            continue
        for n, raw in block.lines:
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            m = EXIT.search(text)
            code = int(m["code"]) if m else 0
            out.append(Command(path.name, n, text[: m.start()].strip() if m else text, code))
    return out
