"""Test helpers: read a run's records with the plain store reader and parse markdown reports.

Nothing here uses the reporters' own helpers: expected values are computed from raw records."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from balance_plugins.store import MsgpackStore
from balance_rules.vitality import catalog as cat


def records(run_dir: Path, stage: str, skip_corrupt: bool = False) -> dict[str, np.ndarray]:
    blocks = list(MsgpackStore().open(run_dir).stage_reader(stage, skip_corrupt=skip_corrupt).blocks())
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def table(run_dir: Path, stage: str, name: str):
    return MsgpackStore().open(run_dir).read_table(stage, name)


def enh_costs() -> dict[str, int]:
    return {**{u.name: u.cost for u in cat.UPGRADES.values()}, **{x.name: x.cost for x in cat.LIMITS.values()}}


def carriers(attacks: dict, name: str) -> np.ndarray:
    """Bool per attack: carries the enhancement."""
    return np.array([name in u or name in lim for u, lim in zip(attacks["upgrades"], attacks["limits"])])


def tables(md: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every markdown table: (headers, rows of cell strings)."""
    out, lines, i = [], md.splitlines(), 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            head = _cells(lines[i])
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out.append((head, rows))
        else:
            i += 1
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def section(md: str, heading: str) -> str:
    """Text from a heading line (exact text after the #s) to the next heading of the same or higher level."""
    lines = md.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(#+) (.*)$", line)
        if m and m.group(2) == heading:
            level = len(m.group(1))
            j = i + 1
            while j < len(lines):
                n = re.match(r"^(#+) ", lines[j])
                if n and len(n.group(1)) <= level:
                    break
                j += 1
            return "\n".join(lines[i:j])
    raise AssertionError(f"no heading {heading!r}")


def first_table(md: str, heading: str):
    return tables(section(md, heading))[0]


def num(cell: str) -> float:
    """The first number of a cell ("12.34 ± 0.05", "+5.0%", "6p", "1,234"); NaN for "–"."""
    m = re.search(r"[-+]?\d[\d,]*(?:\.\d+)?", cell.replace("−", "-"))
    return float(m.group(0).replace(",", "")) if m else math.nan


def bullet(md: str, label: str) -> str:
    m = re.search(r"\*\*" + re.escape(label) + r"\*\*:? ?(.*)", md)
    assert m, f"no bullet {label!r}"
    return m.group(1)


def order(overall, *ties) -> np.ndarray:
    """Indices by score ascending, ties by the tie columns ascending."""
    return np.lexsort([*reversed(ties), overall])


def shown(cell: str, value: float, slack: float = 1e-6) -> bool:
    """Whether the first number of ``cell`` is ``value`` rounded to the decimals the cell shows
    (reports print each figure to the precision its interval allows, so the decimals vary)."""
    m = re.search(r"[-+]?\d[\d,]*(?:\.(\d+))?", cell.replace("−", "-"))
    d = len(m.group(1) or "") if m else 0
    return abs(num(cell) - value) <= 0.5 * 10.0**-d + slack


def attack_clusters(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """Per attack named in ``a`` or ``b``, the positions of the pair records it is in."""
    return [np.flatnonzero((a == k) | (b == k)) for k in np.unique(np.concatenate([a, b]))]


def clustered_se(y: np.ndarray, clusters: list[np.ndarray]) -> float:
    """Standard error of the mean of ``y`` clustered by attack, computed directly: ``clusters``
    lists, per attack, the positions (into y) of the records it is in (a record may be in two);
    CR1 small-sample factor G / (G - 1)."""
    m = y.mean()
    ss = sum(float((y[c] - m).sum()) ** 2 for c in clusters if len(c))
    g = sum(1 for c in clusters if len(c))
    return math.sqrt(ss * g / (g - 1)) / len(y) if g > 1 else math.nan
