"""Every hook specification is documented in docs/hooks.md, with its docstring's first line."""

import inspect

from balance import hookspecs
from tests.conftest import REPO


def hookspec_functions():
    return [(n, f) for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("balance_")]


def test_there_are_hooks_for_every_family():
    names = {n for n, _ in hookspec_functions()}
    for family in ("rule_systems", "scenarios", "policies", "scorings", "stages", "stores", "reporters", "executors"):
        assert f"balance_{family}" in names


def test_every_hook_documented():
    doc = (REPO / "docs" / "hooks.md").read_text()
    for name, fn in hookspec_functions():
        assert fn.__doc__, f"{name} has no docstring"
        assert f"## `{name}(" in doc, f"{name} is missing from docs/hooks.md"
        assert inspect.cleandoc(fn.__doc__).splitlines()[0] in doc, f"docs/hooks.md has an old description of {name}"
