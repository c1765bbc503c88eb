"""The architecture, checked on the import graph: the core imports no plugin and no rule system,
and reporters read results only through the core (never the store's or a stage's modules).

Every module is parsed (ast), so imports inside functions, relative imports and
``importlib.import_module("...")`` with a literal name count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

#: Installed names of the folders (see setup.py) and the folder names themselves.
PACKAGES = {"balance": REPO / "balance", "balance_plugins": REPO / "plugins", "balance_rules": REPO / "rules"}
PLUGIN_ROOTS = ("balance_plugins", "balance_rules", "plugins", "rules")


def module_name(path: Path) -> str:
    for package, root in PACKAGES.items():
        if path.is_relative_to(root):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    raise ValueError(path)


def imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module name ``source`` (the code of ``module``) imports, anywhere in the file."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    return {
        module_name(path): imports(path.read_text(), module_name(path), path.name == "__init__.py")
        for path in sorted(root.rglob("*.py"))
    }


def offending(edges: dict[str, set[str]], allowed, forbidden) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in edges.items()
        for target in targets
        if target.split(".")[0] in forbidden and not allowed(target)
    )


def test_the_checker_sees_every_kind_of_import():
    source = (
        "import os\nfrom . import sibling\nfrom ..store import reader\n"
        "def f():\n    from balance_plugins.store.store import Run\n"
        "    importlib.import_module('balance_rules.vitality')\n"
    )
    found = imports(source, "balance.cli.main")
    assert {"os", "balance.cli.sibling", "balance.store.reader", "balance_plugins.store.store",
            "balance_rules.vitality"} <= found
    assert offending({"balance.cli.main": found}, lambda t: False, PLUGIN_ROOTS) == [
        "balance.cli.main imports balance_plugins.store.store",
        "balance.cli.main imports balance_plugins.store.store.Run",
        "balance.cli.main imports balance_rules.vitality",
    ]


def test_the_core_imports_no_plugin_and_no_rule_system():
    edges = graph(REPO / "balance")
    assert len(edges) > 30  # every core module was read
    assert offending(edges, lambda t: False, PLUGIN_ROOTS) == []


def test_reporters_read_results_only_through_the_core():
    edges = graph(REPO / "plugins" / "reports")
    assert "balance_plugins.reports.top_1000_pairs" in edges
    assert offending(edges, lambda t: t.startswith("balance_plugins.reports"), PLUGIN_ROOTS) == []
