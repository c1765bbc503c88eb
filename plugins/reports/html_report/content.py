"""What the page shows, gathered from the markdown reporters and the functions they use.

The page computes no numbers of its own:

- the findings, the enhancement value table and the policy check are ``findings.md`` itself,
  as the ``findings`` reporter wrote it in the same call (or, run alone, into a scratch folder),
  turned into HTML; so is ``fair_costs.md``;
- the plots are the PNGs the plotting reporters draw, found the same way;
- the top pairs come from :func:`top_1000_pairs.screening_top` (stage 2's screening pass, read
  once per process: :mod:`..pair_screening`) and :func:`top_1000_pairs.ranked_rows`
  (the list ``top_1000_pairs.md`` prints), the top single attacks from the same top-N pass
  ``stage1_pruning_report.md`` makes (more rows: the page can sort and filter them), both
  formatted with :mod:`..common`;
- the interactive charts plot those tables' numbers and :func:`point_values.measure` (what
  ``findings.md`` prints).
"""

from __future__ import annotations

import base64
import re
import tempfile
from datetime import datetime
from pathlib import Path

import attrs
import numpy as np
from markdown_it import MarkdownIt

from balance_plugins.reports import stage1_pruning_report, top_1000_pairs
from balance_plugins.reports.common import fint, fturns, settings_lines
from balance_plugins.reports.data import Attacks, column_labels, load_confirmed
from balance_plugins.reports.point_values import PointValues, run_values
from balance_plugins.reports.stream import TopBy, column_key

#: The reporter whose markdown the page shows first, and the one shown after the value table.
FINDINGS = "findings"
FAIR_COSTS = "fair_costs"
#: Rows of the single-attack table (the pruning report prints the first 50).
TOP_SINGLES = 1000
#: Sections of findings.md the page shows elsewhere: the value table, the policy check, the run.
VALUES_HEADINGS = ("All upgrades and limits", "How values in points are measured")
POLICY_HEADING = "Policy check"
RUN_HEADING = "Run"

# raw HTML in markdown is shown as text: names come from configs and plugins (untrusted)
_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown(text: str) -> str:
    return _md.render(text)


def split_h2(text: str) -> list[tuple[str, str]]:
    """``[(heading, markdown)]`` per ``## `` section (the part before the first has heading "")."""
    parts: list[tuple[str, str]] = [("", "")]
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            parts.append((line[3:].strip(), line))
        else:
            parts[-1] = (parts[-1][0], parts[-1][1] + line)
    return parts


@attrs.define
class Cell:
    text: str
    sort: float | str | None = None
    num: bool = False


@attrs.define
class Row:
    cells: list[Cell]
    #: data-* attributes the filters read: "|a|b|" lists
    data: dict[str, str]


@attrs.define
class Table:
    id: str
    title: str
    notes: list[str]
    headers: list[str]
    rows: list[Row]
    filters: list[dict]
    empty: str = ""


def reporter_files(ctx, names: tuple[str, ...], folder: Path) -> dict[str, list[Path]]:
    """The files of the reporters ``names`` (those registered, not skipped in the config, whose
    stage is complete): what they wrote earlier in this call (``ctx.written``), else written now
    into the scratch ``folder``, so that ``--only html`` needs nothing written before."""
    found = ctx.session.plugins.components("balance_reporters")
    skip = set(ctx.config.reports.skip)
    scratch = attrs.evolve(ctx, out_dir=folder)
    out: dict[str, list[Path]] = {}
    for name in names:
        if name not in found or name in skip:
            continue
        if name in ctx.written:
            out[name] = list(ctx.written[name])
            continue
        reporter = ctx.session.plugins.component("balance_reporters", name)
        if not ctx.run.stage_complete(reporter.stage):
            continue
        (folder / reporter.stage).mkdir(parents=True, exist_ok=True)
        out[name] = [Path(p) for p in reporter.write(scratch) or ()]
    return out


def images(files: dict[str, list[Path]]) -> list[dict]:
    """Each plot (PNG) as a data: URI with the caption its markdown gives it (its alt text)."""
    alts: dict[str, str] = {}
    for paths in files.values():
        for p in paths:
            if p.suffix == ".md":
                for alt, target in re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", p.read_text(encoding="utf-8")):
                    alts[Path(target).name] = alt
    out = []
    for name, paths in files.items():
        if name in (FINDINGS, FAIR_COSTS):
            continue  # its pictures sit inside the findings, where its text refers to them
        for p in paths:
            if p.suffix == ".png":
                out.append({"src": data_uri(p), "caption": alts.get(p.name, p.stem.replace("_", " ")), "file": p.name})
    return out


def _bars(items) -> str:
    return "|" + "|".join(items) + "|"


def _filters(attacks: Attacks) -> list[dict]:
    enh = attacks.enh
    return [
        {"label": "Attack type", "name": "type", "options": list(attacks.type_names)},
        {"label": "Upgrade", "name": "upgrade", "options": [n for n, k in zip(enh.names, enh.kinds) if k == "upgrade"]},
        {"label": "Limit", "name": "limit", "options": [n for n, k in zip(enh.names, enh.kinds) if k == "limit"]},
    ]


def _build_data(attacks: Attacks, idx: list[int]) -> dict[str, str]:
    return {"type": _bars(dict.fromkeys(attacks.types[i] for i in idx)),
            "upgrade": _bars(dict.fromkeys(u for i in idx for u in attacks.upgrades[i])),
            "limit": _bars(dict.fromkeys(x for i in idx for x in attacks.limits[i]))}


def _f(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


TEXT_COLUMNS = (1, 3, 7)  # the attacks' names and "Ranked by": left-aligned


def pairs_table(ctx) -> tuple[Table, list[dict], int, int]:
    """The top pairs as ``top_1000_pairs.md`` lists them; also their points for the chart, the
    stage-2 records read and skipped."""
    attacks = Attacks.load(ctx.run, "stage2", ctx.session.rules)
    n = top_1000_pairs.N
    top, count, _, skipped = top_1000_pairs.screening_top(ctx)
    confirmed = load_confirmed(ctx.run)
    combats = len(ctx.grid.cells) * ctx.config.stage2.confirm_runs
    rows, points = [], []
    for rank, (src, t, i) in enumerate(top_1000_pairs.ranked_rows(top, confirmed, n), 1):
        a, b = int(t["a"][i]), int(t["b"][i])
        turns, se = float(t["overall"][i]), float(t["se"][i])
        texts = top_1000_pairs.row_cells(attacks, rank, src, t, i, combats)
        keys = {0: rank, 6: turns, 9: _f(t["synergy"][i])}  # sortable by value, not by text
        rows.append(Row([Cell(str(text), keys.get(k), k not in TEXT_COLUMNS) for k, text in enumerate(texts)],
                        _build_data(attacks, [a, b])))
        points.append({"rank": rank, "a": attacks.short(a), "b": attacks.short(b), "cost": int(t["cost"][i]),
                       "turns": turns, "se": se, "source": src})
    table = Table(
        "pairs", f"Top {len(rows):,} pairs", [
            f"Of all {fint(count)} pairs tested. Ranks 1–{sum(r['source'] == 'confirmed' for r in points)}: the "
            f"confirmation ranking (the best screening pairs re-run with {ctx.config.stage2.confirm_runs} runs per "
            "cell and fresh dice); the rest in screening order. Turns: mean over all cells ± standard error, from "
            "the source the rank comes from. As in top_1000_pairs.md.",
            "Click a column's header to sort by it; the filters keep the pairs where either attack matches."],
        list(top_1000_pairs.HEADERS), rows, _filters(attacks),
        "No pairs were tested.")
    return table, points, count, skipped


def singles_table(ctx) -> tuple[Table, list[dict], int, int]:
    """The best single attacks of stage 1 by mean turns, with the columns of the pruning report."""
    reader = ctx.reader("stage1")
    attacks = Attacks.load(ctx.run, "stage1", ctx.session.rules)
    profiles = column_labels(reader, "by_profile")
    shape = stage1_pruning_report.grid_shape(reader)
    res = reader.aggregate({"top": TopBy(TOP_SINGLES, column_key("overall"), ("overall",),
                                         stage1_pruning_report.columns(reader), stage1_pruning_report.TIE)})
    top = res["top"]
    count = reader.count
    kept = ctx.run.read_table("stage1", "kept") if ctx.run.has_table("stage1", "kept") else {}
    why = stage1_pruning_report.kept_reasons(kept)
    rows, points = [], []
    for i in range(len(top["attack"])):
        a = int(top["attack"][i])
        turns, se = float(top["overall"][i]), float(top["se"][i])
        rows.append(Row([
            Cell(str(i + 1), i + 1, True), Cell(attacks.short(a)), Cell(f"{int(top['cost'][i])}p", None, True),
            Cell(fturns(turns, se), turns, True),
            *(Cell(stage1_pruning_report.part(top, i, "by_profile", k, shape),
                   float(top["by_profile"][i][k]), True) for k in range(len(profiles))),
            Cell(fint(top["timeouts"][i]), None, True), Cell(stage1_pruning_report.specialization(top, i, shape),
                 float(top["specialization"][i]), True),
            Cell(why.get(a, "no")),
        ], _build_data(attacks, [a])))
        points.append({"rank": i + 1, "attack": attacks.short(a), "cost": int(top["cost"][i]), "turns": turns, "se": se,
                       "kept": a in why})
    table = Table(
        "singles", f"Top {len(rows):,} single attacks (stage 1, screening)", [
            f"Of all {fint(count)} attacks tested, by mean turns over all cells (lower is better; ties by the rule "
            f"system's enumeration order), {ctx.config.stage1.runs} runs per cell; each attack is used every turn. "
            "One column per profile (mean turns against it ± its standard error, as in the pruning report); "
            f"{stage1_pruning_report.SPECIALIZATION}; "
            "Kept = why the pruning kept it for stage 2. The first 50 rows are stage1_pruning_report.md's list.",
            "Click a column's header to sort by it."],
        ["Rank", "Attack", "Cost", "Avg Turns", *(f"vs {p}" for p in profiles), "Timeouts", "Specialization", "Kept"],
        rows, _filters(attacks), "No attacks were tested.")
    return table, points, count, reader.skipped


def _duration(started: str | None, finished: str | None) -> tuple[str, float | None]:
    if not (started and finished):
        return "–", None
    try:
        s = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    except ValueError:
        return "–", None
    return (f"{s:,.1f} s" if s < 120 else f"{int(s // 60)} min {s % 60:02.0f} s"), s


def population(ctx, counts: dict[str, tuple[int, int]]) -> list[dict]:
    """Per stage: records read and skipped (from this page's readers), when it ran and how long."""
    summary = ctx.run.summary()
    out = []
    for stage, (records, skipped) in counts.items():
        st = summary.stages.get(stage)
        wall, seconds = _duration(st.started if st else None, st.finished if st else None)
        out.append({"stage": stage, "records": fint(records), "skipped": fint(skipped),
                    "started": (st.started if st else None) or "–", "finished": (st.finished if st else None) or "–",
                    "wall": wall, "seconds": "" if seconds is None else f"{seconds:.3f}"})
    return out


def settings_markdown(ctx, stages: list[str]) -> str:
    """The run's settings as every markdown report's header gives them: what the stages share,
    then what each stage sets its own way (runs per cell, pruning, policy)."""
    per_stage = {stage: settings_lines(ctx, stage) for stage in stages}
    shared = [line for line in per_stage[stages[0]] if all(line in lines for lines in per_stage.values())]

    def bullets(lines: list[str]) -> str:
        return "".join(f"{line}\n" if line.startswith("  - ") else f"- {line}\n" for line in lines)

    text = bullets(shared)
    for stage, title in (("stage1", "Stage 1: single attacks (screening)"), ("stage2", "Stage 2: pairs")):
        if stage in per_stage:
            text += f"\n#### {title}\n\n" + bullets([line for line in per_stage[stage] if line not in shared])
    return text


def data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def inline_images(text: str, files: list[Path]) -> str:
    """A markdown page's pictures put inside it (data: URIs): the page must not point at files
    that do not travel with it. A picture the reporter did not write is left as its alt text."""
    pngs = {p.name: p for p in files if p.suffix == ".png"}

    def inline(m: re.Match) -> str:
        found = pngs.get(Path(m[2]).name)
        return f"![{m[1]}]({data_uri(found)})" if found else f"*{m[1]}*"

    return re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", inline, text)


def findings_parts(ctx, files: dict[str, list[Path]]) -> tuple[str, str, str]:
    """findings.md split for the page: (findings, value table and method, policy check) as HTML."""
    md = next((p for p in files.get(FINDINGS, []) if p.suffix == ".md"), None)
    if md is None:
        return "<p>The findings reporter is not enabled.</p>", "", "<p>The findings reporter is not enabled.</p>"
    main, values, policy = [], [], []
    for heading, text in split_h2(inline_images(md.read_text(encoding="utf-8"), files[FINDINGS])):
        if heading.startswith(VALUES_HEADINGS):
            values.append(text)
        elif heading == POLICY_HEADING:
            policy.append(text.split("\n", 1)[1] if "\n" in text else "")
        elif heading == RUN_HEADING:
            continue  # the summary shows the run's settings once
        else:
            # the page has its own "Findings" heading
            main.append(re.sub(r"\A# Findings\n", "", text))
    return markdown("".join(main)), markdown("".join(values)), markdown("".join(policy)) or "<p>–</p>"


def other_page(files: dict[str, list[Path]], name: str) -> str:
    """Another reporter's markdown page as HTML for a section of this page: its title a level-3
    heading, its sections one level down, without its "Run" section (the summary has it)."""
    md = next((p for p in files.get(name, []) if p.suffix == ".md"), None)
    if md is None:
        return ""
    parts = split_h2(inline_images(md.read_text(encoding="utf-8"), files[name]))
    text = "".join(t for h, t in parts if h != RUN_HEADING)
    return markdown(re.sub(r"^(#{1,5}) ", lambda m: "#" * (len(m[1]) + 2) + " ", text, flags=re.M))


def values_for_chart(ctx) -> PointValues:
    """The values in points (or, when a point does not reliably buy turns, the change of turns)
    that findings.md prints, with their 95 % intervals."""
    return run_values(ctx)


def scratch_folder():
    return tempfile.TemporaryDirectory(prefix="balance-html-")
