"""The reference docs say what the code does: each hook's parameters (names and order) in
docs/hooks.md and in every example in docs/, and each CLI option's choices and default in docs/cli.md,
compared with balance/hookspecs.py and the argparse parsers."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

from balance import hookspecs
from balance.cli.main import build_parser
from balance.session import open_session
from tests.conftest import REPO
from tests.docs.test_cli_doc import leaf_commands, sections

DOCS = REPO / "docs"


def specs() -> dict[str, list[str]]:
    return {
        name: list(inspect.signature(fn).parameters)
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("balance_")
    }


def params(text: str) -> list[str]:
    return [p.strip().split(":")[0].split("=")[0].strip() for p in text.split(",") if p.strip()]


def test_hook_headings_have_the_specs_parameters_in_order():
    text = (DOCS / "hooks.md").read_text()
    documented = {m[1]: params(m[2]) for m in re.finditer(r"^## `(balance_\w+)\(([^)]*)\)`", text, re.M)}
    assert documented == specs()


def test_hook_sections_carry_the_whole_docstring():
    text = (DOCS / "hooks.md").read_text()
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("balance_"):
            section = text.split(f"## `{name}(", 1)[1].split("\n## ", 1)[0]
            for line in inspect.cleandoc(fn.__doc__).splitlines():
                assert line.strip() in section, f"docs/hooks.md: {name} lacks {line.strip()!r}"


def test_hook_implementations_in_the_docs_take_spec_parameters_in_order():
    # pluggy lets an implementation take any subset of the spec's arguments, in the spec's order
    spec = specs()
    seen = 0
    for path in sorted(DOCS.glob("*.md")):
        for m in re.finditer(r"def (balance_\w+)\(([^)]*)\)", path.read_text()):
            name, got = m[1], params(m[2])
            assert name in spec, f"{path.name}: {name} is not a hook"
            assert got == [p for p in spec[name] if p in got], f"{path.name}: {name}({', '.join(got)}) vs {spec[name]}"
            seen += 1
    assert seen >= 3


# -- CLI options ---------------------------------------------------------------------------------

ROW = re.compile(r"^\| `(--[a-z-]+)(?: ([^`]*))?`(?:, `[^`]*`)? \| (.*) \|$", re.M)
#: "a table (default)" names the text format in words
WORDS = {"table": "text"}
#: literal defaults the command computes when the option is not given (the parser's default is None)
COMPUTED = {("run", "--out"): "runs/run-YYYYmmdd-HHMMSS", ("report", "--output-dir"): "DIR/reports",
            ("diff", "--out"): "diff-A-vs-B.md"}
#: literal defaults the config supplies (the parser's default is None or 0): option -> config key
FROM_CONFIG = {("run", "--executor"): "executor", ("run", "--workers"): "performance.workers"}


def documented_default(meaning: str):
    """('literal', value), ('described', text) or None when the row names no default."""
    for pattern in (r"\(default:? `([^`]+)`", r"`([^`]+)` \(default\)"):
        if m := re.search(pattern, meaning):
            return "literal", m[1]
    if m := re.search(r"(\w+) \(default\)", meaning):
        return "literal", WORDS.get(m[1], m[1])
    if m := re.search(r"\(default:? ([^)]*)\)", meaning):
        return "described", m[1]
    return None


def option_rows():
    found = sections((DOCS / "cli.md").read_text())
    global_opts = {o for a in build_parser()._actions for o in a.option_strings}
    for names, parser in leaf_commands(build_parser()):
        command = " ".join(names)
        rows = {m[1]: (m[2], m[3]) for m in ROW.finditer(found[command])}
        for action in parser._actions:
            opt = next((o for o in action.option_strings if o.startswith("--")), None)
            if opt and opt not in global_opts and opt != "--help":
                yield command, opt, action, rows.get(opt)


def config_value(key: str):
    obj = open_session(None).config
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("command,opt,action,row", [pytest.param(*r, id=f"{r[0]} {r[1]}") for r in option_rows()])
def test_cli_option_choices_and_default_match_the_parser(command, opt, action, row):
    assert row is not None, f"docs/cli.md: `balance {command}` has no table row for {opt}"
    metavar, meaning = row
    where = f"docs/cli.md `balance {command}` {opt}"
    choices = re.fullmatch(r"\{([^}]*)\}", metavar or "")
    if action.choices is None:
        assert choices is None, f"{where} shows choices the parser does not have"
    else:
        assert choices is not None and choices[1].split(",") == [str(c) for c in action.choices], where
    doc = documented_default(meaning)
    if isinstance(action, argparse._StoreTrueAction):
        assert action.default is False and doc is None, where
    elif (command, opt) in COMPUTED:
        assert action.default is None and doc == ("literal", COMPUTED[command, opt]), where
    elif (command, opt) in FROM_CONFIG:
        key = FROM_CONFIG[command, opt]
        assert not action.default, f"{where}: the parser's default would override the config's"
        assert doc is not None and doc[0] == "literal", where
        assert doc[1] in (key, str(config_value(key))), f"{where} says the default is {doc[1]!r}"
    elif action.default is None:
        assert doc is None or doc[0] == "described", f"{where} names a default {doc} the parser does not have"
    else:
        assert doc == ("literal", str(action.default)), f"{where} documents {doc}, the parser's default is {action.default!r}"
