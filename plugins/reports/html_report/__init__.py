"""``report.html``: the whole run in one file a designer can open offline and pass around.

Findings first, then the run's summary, the top pairs and single attacks as tables that sort by
any column and filter by attack type, upgrade or limit, the value of every upgrade and limit with
its interval, and every plot the markdown reports draw (interactive ones where hovering helps).
It renders what the markdown reporters compute (see :mod:`.content`); it computes no numbers.

Libraries, each for what it saves: Jinja2 (the page template, with HTML escaping of every name
by default), markdown-it-py (findings.md's own text and tables, rendered to HTML rather than
written twice), Plotly (charts with hover and zoom whose script embeds offline, one copy per
page). Sorting and filtering are a small plain script (``page.js``): a table library would
weigh more than the rows.
"""

from __future__ import annotations

from pathlib import Path

from balance import outfiles
from balance.hookspecs import hookimpl

HERE = Path(__file__).parent
FILE = "report.html"


def _env():
    # imported when a page is written: every balance command loads the reporters
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _chart(cid: str, made) -> dict:
    from markupsafe import Markup

    from balance_plugins.reports.html_report import charts

    fig, height, caption = made
    return {"id": cid, "height": height, "caption": caption, "json": Markup(charts.to_json(fig))}


class HtmlReport:
    name = "html"
    stage = "stage1"
    cost = 1.8  # CPU seconds on the default run (balance.report_lanes spreads reporters by it)
    #: run after these and render what they wrote (or, when they do not run in the same call,
    #: run them into a scratch folder)
    uses = ("findings", "fair_costs", "stage1_cost_analysis", "pair_cost_analysis", "synergy_analysis",
            "enhancement_ranking")

    def write(self, ctx):
        import plotly.offline
        from markupsafe import Markup

        from balance_plugins.reports.html_report import charts, content

        stages = ["stage1"] + (["stage2"] if ctx.run.stage_complete("stage2") else [])
        tables, plots, counts = [], [], {}
        if "stage2" in stages:
            pairs, pair_points, n2, skip2 = content.pairs_table(ctx)
            tables.append(pairs)
            if pair_points:
                plots.append(_chart("chart-pairs", charts.pairs_chart(pair_points)))
        singles, single_points, n1, skip1 = content.singles_table(ctx)
        tables.append(singles)
        counts["stage1"] = (n1, skip1)
        if "stage2" in stages:
            counts["stage2"] = (n2, skip2)
        if single_points:
            plots.append(_chart("chart-singles", charts.singles_chart(single_points)))
        values = content.values_for_chart(ctx)
        value_charts = [_chart("chart-values", charts.values_chart(values))] if values.values else []
        # last: the files of reporters another lane is writing are waited for here (report_lanes)
        with content.scratch_folder() as tmp:
            files = content.reporter_files(ctx, self.uses, Path(tmp))
            findings, values_html, policy = content.findings_parts(ctx, files)
            images = content.images(files)
            fair_costs = content.other_page(files, content.FAIR_COSTS)

        summary = ctx.run.summary()
        page = _env().get_template("page.html.j2").render(
            title=f"Balance report: {Path(ctx.run_dir).resolve().name}",
            subtitle=(f"Run {ctx.run_dir}, created {summary.created or '–'}; seed {summary.info.master_seed}; "
                      f"balance {summary.info.project_version}. One file: opens offline in any current browser."),
            nav=[("findings", "Findings"), ("summary", "Run summary"),
                 *((t.id, t.title.split(" (")[0]) for t in tables), ("values", "Upgrade & limit values"),
                 ("plots", "Plots")],
            findings=Markup(findings), settings=Markup(content.markdown(content.settings_markdown(ctx, stages))),
            config_toml=str((summary.info.config or {}).get("toml", "")),
            population=content.population(ctx, counts), policy=Markup(policy), tables=tables,
            values=Markup(values_html), fair_costs=Markup(fair_costs), value_charts=value_charts, charts=plots, images=images,
            css=Markup((HERE / "page.css").read_text(encoding="utf-8")),
            js=Markup((HERE / "page.js").read_text(encoding="utf-8")),
            # held as text inside a <script> element, which only "</script" could end early
            plotly=Markup(plotly.offline.get_plotlyjs().replace("</script", "<\\/script")),
        )
        return [outfiles.write_text(Path(ctx.out_dir) / FILE, page)]


@hookimpl
def balance_reporters():
    return [HtmlReport()]
