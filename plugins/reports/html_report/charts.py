"""Interactive charts (Plotly) of numbers the page's tables and findings already print.

Plotly draws them in the browser from a JSON figure; its script is embedded once in the page, so
the file opens offline. Hover shows a build's full name and its interval.
"""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from balance_plugins.reports.common import fturns
from balance_plugins.reports.point_values import PointValues, fmt_interval

COLORS = {"confirmed": "#228833", "screening": "#4477aa", "kept": "#228833", "not kept": "#999999"}


def to_json(fig: go.Figure) -> str:
    """The figure as JSON safe inside a <script> element (names may hold "</script>")."""
    text = pio.to_json(fig, validate=True, pretty=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _layout(fig: go.Figure, title: str, xtitle: str, ytitle: str, height: int) -> go.Figure:
    fig.update_layout(template="plotly_white", title=title, height=height, hovermode="closest",
                      margin={"l": 10, "r": 10, "t": 50, "b": 50}, legend={"orientation": "h", "y": -0.15})
    fig.update_xaxes(title=xtitle, automargin=True)
    fig.update_yaxes(title=ytitle, automargin=True)
    return fig


def values_chart(values: PointValues) -> tuple[go.Figure, int, str]:
    """Each upgrade and limit: its value in points with the 95 % interval, and its cost; in
    turns when a point does not reliably buy turns (the price's interval reaches 0), as
    findings.md then does."""
    in_points = values.in_points
    vs = sorted(values.values.values(),
                key=lambda v: ((v.points.est - v.cost) if in_points and np.isfinite(v.points.est) else
                               (v.turns.est if not in_points else np.inf), v.name))
    ivs = [v.points if in_points else v.turns for v in vs]
    names = [v.name for v in vs]
    est = [iv.est for iv in ivs]
    plus = [iv.hi - iv.est if np.isfinite(iv.hi) else 0 for iv in ivs]
    minus = [iv.est - iv.lo if np.isfinite(iv.lo) else 0 for iv in ivs]
    unit = "points" if in_points else "turns per combat (negative = faster)"
    text = []
    for v, iv in zip(vs, ivs):
        e, ci = fmt_interval(iv)
        text.append(f"<b>{escape(v.name)}</b> ({v.kind})<br>{'value' if in_points else 'change'} {e} {unit.split(' (')[0]}, "
                    f"{ci}<br>cost {v.base_cost:g} (paid on average {v.cost:.2f}); {v.pairs} builds paired")
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=est, y=names, mode="markers", name="value (95% CI)" if in_points else "Δ turns (95% CI)",
                             error_x={"type": "data", "array": plus, "arrayminus": minus, "visible": True},
                             marker={"color": "#4477aa", "size": 8}, hovertext=text, hoverinfo="text"))
    if in_points:
        fig.add_trace(go.Scatter(x=[v.cost for v in vs], y=names, mode="markers", name="cost paid",
                                 marker={"symbol": "line-ns-open", "size": 14, "color": "#cc3311",
                                         "line": {"width": 2}},
                                 hovertext=[f"<b>{escape(v.name)}</b><br>cost paid {v.cost:.2f}" for v in vs], hoverinfo="text"))
    height = max(300, 22 * len(vs) + 140)
    title = ("Value in points of each upgrade and limit (stage-1 screening), 95% bootstrap intervals; red: its cost"
             if in_points else "Change of turns per combat each upgrade or limit brings (stage-1 screening), 95% "
             "intervals")
    _layout(fig, title, unit, "", height)
    fig.update_layout(margin={"t": 110})
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", zeroline=True, zerolinecolor="#888")  # the scale stays in view on a tall chart
    caption = ("Hover a point for the full name, the estimate and its interval. The same numbers as the table below "
               "(findings.md).")
    return fig, height, caption


def pairs_chart(points: list[dict]) -> tuple[go.Figure, int, str]:
    """The listed pairs in rank order: mean turns ± standard error, by ranking source (where the
    error bars overlap, the ranks are not told apart)."""
    fig = go.Figure()
    for src in ("confirmed", "screening"):
        ps = [p for p in points if p["source"] == src]
        if not ps:
            continue
        fig.add_trace(go.Scatter(
            x=[p["rank"] for p in ps], y=[p["turns"] for p in ps], mode="markers", name=f"{src} ({len(ps):,})",
            error_y={"type": "data", "array": [p["se"] for p in ps], "visible": True, "thickness": 1},
            marker={"color": COLORS[src], "size": 6, "opacity": 0.7},
            hovertext=[f"#{p['rank']}: <b>{escape(p['a'])}</b> + <b>{escape(p['b'])}</b><br>{fturns(p['turns'], p['se'])} turns "
                       f"({src}); total cost {p['cost']}p" for p in ps], hoverinfo="text"))
    _layout(fig, "Top pairs: mean turns (± standard error) by rank", "rank", "turns (lower is better)", 460)
    return fig, 460, ("Each point is a pair of the pairs table, in its order; hover for both attacks' full names, "
                      "the turns with their standard error, and the total cost. Where error bars overlap, the "
                      "ranks are not told apart.")


def singles_chart(points: list[dict]) -> tuple[go.Figure, int, str]:
    """The listed single attacks in rank order: mean turns ± standard error, kept or not."""
    fig = go.Figure()
    for label, keep in (("kept", True), ("not kept", False)):
        ps = [p for p in points if p["kept"] == keep]
        if not ps:
            continue
        fig.add_trace(go.Scatter(
            x=[p["rank"] for p in ps], y=[p["turns"] for p in ps], mode="markers",
            name=f"{label} for stage 2 ({len(ps):,})",
            error_y={"type": "data", "array": [p["se"] for p in ps], "visible": True, "thickness": 1},
            marker={"color": COLORS[label], "size": 6, "opacity": 0.7},
            hovertext=[f"#{p['rank']}: <b>{escape(p['attack'])}</b><br>{fturns(p['turns'], p['se'])} turns (screening); cost {p['cost']}p"
                       for p in ps], hoverinfo="text"))
    _layout(fig, "Top single attacks (stage 1, screening): mean turns (± standard error) by rank", "rank",
            "turns (lower is better)", 460)
    return fig, 460, ("Each point is an attack of the single-attack table, in its order; hover for its full name, "
                      "its turns with their standard error, and its cost.")
