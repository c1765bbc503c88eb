"""Comparing two runs (``balance diff``): what the core knows about the pair, and the comparers' contract.

The core opens both runs (as ``balance report`` does, :func:`balance.runcheck.open_run_checked`),
lists the differences of the configs their manifests recorded (every key, flattened, so that any
new config section, such as rule overrides, shows without a change here) and hands both runs to
the comparers (hook ``balance_comparers``): plugins that read each run through the core's reader
API and say what moved. The command line only orchestrates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from balance.errors import PluginError, UsageError
from balance.reporting import ReportContext
from balance.runcheck import NEUTRAL_ON_REPORT, recorded_config


@attrs.frozen
class ConfigChange:
    """One flattened config key whose value differs (``"(absent)"`` where one run has no such key)."""

    key: str
    a: str
    b: str
    #: False for keys that do not shape the numbers (performance, executor, reports, plugins).
    shapes_numbers: bool


@attrs.frozen
class CompareContext:
    """What a comparer gets: both runs as report contexts (session, run, reader), A first, and the
    config changes from A to B (master seeds included)."""

    a: ReportContext
    b: ReportContext
    changes: tuple[ConfigChange, ...]


@attrs.frozen
class Comparison:
    """What a comparer found: a few lines for the console (most important first, plain text, no
    markup) and the markdown of its section of the diff page (starting at heading level 2)."""

    name: str
    console: tuple[str, ...]
    markdown: str


ABSENT = "(absent)"


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A config as ``{"stage1.runs": 20, "profiles[Evasive].stats": [...]}``. Lists of named tables
    are keyed by name (so that reordering is not a change), other lists are values."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        names = [x.get("name") for x in data]
        by_name = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        for i, item in enumerate(data):
            label = names[i] if by_name else str(i)
            out.update(flatten({k: v for k, v in item.items() if not (by_name and k == "name")} or {"name": label},
                               f"{prefix}[{label}]"))
    else:
        out[prefix] = data
    return out


def _text(value: Any) -> str:
    return ABSENT if value is attrs.NOTHING else json.dumps(value, ensure_ascii=False)


def _rules_as_table(data: dict[str, Any]) -> dict[str, Any]:
    """``rules = "NAME"`` as the table a config with rule changes writes (``[rules] name = "NAME"``),
    so that adding the first change lists that change, not the key's change of shape."""
    if isinstance(data.get("rules"), str):
        return {**data, "rules": {"name": data["rules"]}}
    return data


def config_changes(a: dict[str, Any] | None, b: dict[str, Any] | None, seeds: tuple[int, int]) -> list[ConfigChange]:
    """Every flattened key that differs between two recorded configs (A's key order, then B's new
    keys), and the master seeds when they differ."""
    fa, fb = flatten(_rules_as_table(a or {})), flatten(_rules_as_table(b or {}))
    out = []
    for key in [*fa, *(k for k in fb if k not in fa)]:
        va, vb = fa.get(key, attrs.NOTHING), fb.get(key, attrs.NOTHING)
        if va != vb:
            top = key.split(".")[0].split("[")[0]
            out.append(ConfigChange(key, _text(va), _text(vb), top not in NEUTRAL_ON_REPORT))
    if seeds[0] != seeds[1] and not any(c.key == "seed" for c in out):
        out.insert(0, ConfigChange("master seed", str(seeds[0]), str(seeds[1]), True))
    return out


def changes_between(a: ReportContext, b: ReportContext) -> list[ConfigChange]:
    """Config changes, then the project's and each plugin's version where they differ (a rule
    system's version changes when its legality, costs or combat results do)."""
    ia, ib = a.run.summary().info, b.run.summary().info
    out = config_changes(recorded_config(a.run, a.run_dir), recorded_config(b.run, b.run_dir),
                         (ia.master_seed, ib.master_seed))
    versions_a = {"project balance": ia.project_version, **{f"plugin {k}": v for k, v in ia.plugins.items()}}
    versions_b = {"project balance": ib.project_version, **{f"plugin {k}": v for k, v in ib.plugins.items()}}
    for key in [*versions_a, *(k for k in versions_b if k not in versions_a)]:
        va, vb = versions_a.get(key, ABSENT), versions_b.get(key, ABSENT)
        if va != vb:
            out.append(ConfigChange(f"{key} version", va, vb, shapes_numbers(key.removeprefix("plugin "), a, b)))
    return out


#: Hooks whose components only read finished runs: a version change there leaves the numbers alone.
READ_ONLY_HOOKS = {"balance_reporters", "balance_comparers"}


def shapes_numbers(plugin: str, *contexts: ReportContext) -> bool:
    """Whether a plugin may shape a run's numbers: unless a session knows it provides only
    reporters or comparers (unknown plugins may)."""
    for ctx in contexts:
        info = ctx.session.plugins.info.get(plugin)
        if info is not None:
            return not set(info.hooks) <= READ_ONLY_HOOKS
    return True


def compare(a: ReportContext, b: ReportContext, only: list[str] | None = None) -> tuple[list[ConfigChange],
                                                                                       list[Comparison]]:
    """The config changes and every comparer's result (comparers of A's session, by name; ``only``
    selects some)."""
    found = a.session.plugins.components("balance_comparers")
    wanted = list(only or sorted(found))
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise UsageError(f'unknown comparer "{unknown[0]}" (comparers: {", ".join(sorted(found)) or "none"})')
    changes = changes_between(a, b)
    ctx = CompareContext(a, b, tuple(changes))
    results = []
    for name in wanted:
        result = a.session.plugins.component("balance_comparers", name).compare(ctx)
        if not isinstance(result, Comparison):
            raise PluginError(found[name].plugin, f"comparer {name}.compare",
                              f"returned {type(result).__name__}, not a balance.comparing.Comparison")
        results.append(attrs.evolve(result, console=tuple(str(x) for x in result.console),
                                    markdown=str(result.markdown)))
    return changes, results


def default_out(a_dir: Path, b_dir: Path) -> Path:
    """``diff-A-vs-B.md`` in the current folder, named from the run folders' names (letters,
    digits, ``.``, ``_`` and ``-`` kept)."""
    def clean(p: Path) -> str:
        name = Path(p).resolve().name
        return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name).strip(".") or "run"
    return Path(f"diff-{clean(a_dir)}-vs-{clean(b_dir)}.md")
