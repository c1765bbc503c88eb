"""PNG figures next to the markdown (matplotlib, Agg backend: no display needed, works in workers).

Each function takes already-aggregated numbers (never records) and returns the path it wrote.
matplotlib is imported on the first figure, not with the module: every ``balance`` command loads
the report plugins, and only writing reports draws (importing pyplot costs about half a second).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from balance import outfiles


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: reports run headless
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, and savefig draws the whole figure
    # once more before the real draw for any engine: a sixth of a chart's time, the same pixels
    fig.set_layout_engine(None)
    try:
        # a temp file renamed when complete: a failure leaves no truncated PNG behind
        with outfiles.atomic_file(path) as f:
            fig.savefig(f, dpi=100, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        _pyplot().close(fig)
    return path


def histogram(path: Path, edges: np.ndarray, counts: np.ndarray, title: str, xlabel: str,
              marks: Sequence[float] = ()) -> Path:
    """Bars of a pre-binned distribution; ``marks`` draws dashed vertical lines (band limits)."""
    fig, ax = _pyplot().subplots(figsize=(8, 4))
    widths = np.diff(edges)
    ax.bar(edges[:-1], counts, width=widths, align="edge", color="#4477aa", edgecolor="none")
    for m in marks:
        ax.axvline(m, color="#999999", linestyle="--", linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pairs")
    return _save(fig, path)


def turns_by_cost(path: Path, costs: Sequence[int], best: Sequence[float], median: Sequence[float],
                  mean: Sequence[float], mean_se: Sequence[float], title: str) -> Path:
    """Best, median and mean (± standard error) turns per total cost."""
    fig, ax = _pyplot().subplots(figsize=(8, 4))
    ax.plot(costs, best, "o-", label="best pair", color="#228833")
    ax.plot(costs, median, "s-", label="median pair", color="#4477aa")
    ax.errorbar(costs, mean, yerr=mean_se, fmt="^--", label="mean pair (± SE)", color="#aa3377", capsize=3)
    ax.set_xticks(list(costs))
    ax.set_xlabel("total cost (points)")
    ax.set_ylabel("turns (lower is better)")
    ax.set_title(title)
    ax.legend()
    return _save(fig, path)


def efficiency_bars(path: Path, names: Sequence[str], values: Sequence[float], title: str,
                    xlabel: str = "efficiency: (avg turns − mean) per point (negative = better)") -> Path:
    """Horizontal bars, one per enhancement, in the order given (best at the top)."""
    names = list(names)
    vals = np.asarray(values, dtype=float)
    fig, ax = _pyplot().subplots(figsize=(8, max(3.0, 0.22 * len(names) + 1)))
    y = np.arange(len(names))[::-1]
    colors = np.where(vals < 0, "#228833", "#cc3311")
    ax.barh(y, np.nan_to_num(vals), color=colors)
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=7)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _save(fig, path)
