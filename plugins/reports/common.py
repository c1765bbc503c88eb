"""What every report shares: markdown building, number formats, the run header and the population.

Every report starts with :func:`start_report`: a title, the run's seed and settings (runs, max
turns, policy, the grid by name) and then the report's own population block
(:func:`population_block`), so that a designer always sees what the numbers describe: how many
records were tested, how many the table covers, and how many records of corrupt shards were
skipped, if any.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from balance import outfiles

#: Report tiers: percentages of ALL records of the stage (pairs tested / attacks tested).
TIERS: tuple[float, ...] = (50, 20, 5, 1, 0.1)


def tier_tag(percent: float) -> str:
    """``50`` -> "50", ``0.1`` -> "0.1": the X of ``..._top_X.md``."""
    return f"{percent:g}"


# -- number formats ------------------------------------------------------------------------------


def is_num(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def fint(n: Any) -> str:
    """Integer with thousands separators."""
    return f"{int(n):,}"


def fnum(x: Any, digits: int = 2, signed: bool = False) -> str:
    if not is_num(x):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def fturns(mean: Any, err: Any = None, digits: int = 2) -> str:
    """``12.34 ± 0.05`` (the ± is a standard error unless the report says otherwise)."""
    if err is None or not is_num(err):
        return fnum(mean, digits)
    return f"{fnum(mean, digits)} ± {fnum(err, digits)}"


def fpct(x: Any, digits: int = 1, signed: bool = False) -> str:
    """A value already in percent."""
    return "–" if not is_num(x) else f"{fnum(x, digits, signed)}%"


def share(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else math.nan


def timeouts_line(ctx, stage: str, timeouts: float, records: int, what: str) -> str:
    """Timeouts of a population as a count and a rate of its combats (records × cells × runs)."""
    runs = ctx.config.stage1.runs if stage == "stage1" else ctx.config.stage2.runs
    combats = records * len(ctx.grid.cells) * runs
    return (f"**Timeouts, {what}**: {fint(round(float(timeouts)))} of {fint(combats)} combats "
            f"({fpct(share(timeouts, combats), 2)}) reached the turn limit")


def fcost(c: Any) -> str:
    return "?" if c is None or not is_num(c) else f"{int(c)}p"


# -- markdown ------------------------------------------------------------------------------------


def md_escape(text: Any) -> str:
    # pipes would split a table cell; build labels never contain them, plugin names might
    return str(text).replace("|", "\\|")


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured markdown table (numbers right-aligned by the renderer's default is fine)."""
    out = ["| " + " | ".join(md_escape(h) for h in headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(md_escape(c) for c in row) + " |")
    return out


class Doc:
    """Lines of a markdown document, with small helpers; ``write`` ends it with a newline."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def h(self, level: int, text: str) -> Doc:
        self.lines += [f"{'#' * level} {text}", ""]
        return self

    def p(self, *text: str) -> Doc:
        self.lines += [*text, ""]
        return self

    def bullets(self, items: Iterable[str]) -> Doc:
        # items already written as nested bullets ("  - ...") are kept as they are
        self.lines += [i if i.startswith("  - ") else f"- {i}" for i in items]
        self.lines.append("")
        return self

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Doc:
        self.lines += md_table(headers, rows)
        self.lines.append("")
        return self

    def image(self, path: Path, alt: str) -> Doc:
        # relative link: the PNG sits next to the markdown
        self.lines += [f"![{alt}]({Path(path).name})", ""]
        return self

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def write(self, path: Path) -> Path:
        return outfiles.write_text(path, self.text())


# -- header and population -----------------------------------------------------------------------


def _grid_lines(ctx) -> list[str]:
    grid = ctx.grid
    profiles = ", ".join(f"{p.name} {list(p.stats)}" for p in grid.profiles)
    buffs = ", ".join(b.name for b in grid.buffs)
    scenarios = ", ".join(f"{s.name} {list(s.enemy_hp)}" for s in grid.scenarios)
    return [
        f"**Grid**: {len(grid.profiles)} profiles × {len(grid.buffs)} buffs × {len(grid.scenarios)} scenarios "
        f"= {len(grid.cells)} cells",
        f"  - Profiles: {profiles}",
        f"  - Buffs: {buffs}",
        f"  - Scenarios (enemy HP): {scenarios}",
    ]


def settings_lines(ctx, stage: str) -> list[str]:
    """The run's seed and the settings that shaped this stage's numbers."""
    c = ctx.config
    run = ctx.run
    summary = run.summary()
    seed = summary.info.master_seed
    lines = [f"**Master seed**: {seed}"]
    if seed != c.seed:
        lines.append(f"**Note**: the config used for this report has seed {c.seed}; the run was made with {seed}")
    keys = ", ".join(f"{k} {v}" for k, v in c.budget_keys.items())
    lines.append(f"**Rules**: {c.rules}, {keys + ', ' if keys else ''}{ctx.session.budget} points per attack"
                 + (" (set in the config)" if c.points_per_attack else "") + f"; attacker {list(c.attacker)}")
    changed = ctx.session.rule_table.override_lines()
    if changed:
        lines.append(f"**Rule changes** (`[rules.{c.rules}]`): {'; '.join(changed)}")
    turns = c.stage2.max_turns or c.max_turns if stage == "stage2" else c.max_turns
    lines.append(f"**Max turns per combat**: {turns} (a combat reaching it counts as a timeout)")
    if stage == "stage1":
        p = c.stage1.prune
        if c.stage1.rounds:
            rounds = "; ".join(f"{r.runs if r.runs > 0 else c.stage1.runs} runs, keep {r.keep_percent:g}%"
                               for r in c.stage1.rounds)
            lines.append(f"**Screening rounds**: {rounds} (this report's figures are the first round's, over "
                         "every attack; pruning chose among the last round's survivors, by that round's scores)")
        else:
            lines.append(f"**Runs per cell**: {c.stage1.runs}; single attacks use their one attack every turn")
        lines.append(f"**Pruning**: strategy {p.strategy}; overall {p.overall_percent:g}%, "
                     f"specialists {p.specialist_percent:g}%, per enhancement {p.enhancement_percent:g}%")
    else:
        s = c.stage2
        info = run.stage_info("stage2")
        lines.append(f"**Runs per cell**: {s.runs} (screening); confirmation: top {s.confirm_top} "
                     f"with {s.confirm_runs} runs and fresh dice")
        lines.append(f"**Policy** (attack choice each turn): {s.policy}")
        if info:
            frac = info.get("sample_fraction", 1.0)
            lines.append(f"**Pairs possible**: {fint(info.get('pairs_total', 0))}; sample fraction {frac:.6g}"
                         + (f", max pairs {fint(s.max_pairs)}" if s.max_pairs else ""))
    lines.append(f"**Scoring**: {c.scoring} (lower is better; every cell weighs the same)")
    lines += _grid_lines(ctx)
    if summary.created:
        lines.append(f"**Run created**: {summary.created}; project version {summary.info.project_version}")
    return lines


def population_block(tested: int, skipped: int, unit: str, extra: Iterable[str] = ()) -> list[str]:
    """The honest population statement: records tested (read), records skipped from corrupt shards."""
    lines = [f"**{unit.capitalize()} tested (records read)**: {fint(tested)}"]
    if skipped:
        lines.append(f"**Records skipped (corrupt shards)**: {fint(skipped)} — every figure below excludes them; "
                     f"{fint(tested + skipped)} records were written")
    else:
        lines.append("**Records skipped (corrupt shards)**: 0")
    lines += list(extra)
    return lines


def rule_change_lines(ctx) -> list[str]:
    """The config's changes to the rule table, one line each (empty for the rules as shipped):
    a report of changed rules says so before any figure."""
    table = ctx.session.rule_table
    return [f"`{line}`" for line in table.override_lines()]


def start_report(title: str, ctx, stage: str, population: list[str]) -> Doc:
    doc = Doc().h(1, title)
    changes = rule_change_lines(ctx)
    if changes:
        doc.p(f"**These results use changed rules** ({ctx.config.rules}, `[rules.{ctx.config.rules}]` of the config):")
        doc.bullets(changes)
    doc.h(2, "Run")
    doc.bullets(settings_lines(ctx, stage))
    doc.h(2, "Population")
    doc.bullets(population)
    return doc


def out_path(ctx, stage: str, name: str) -> Path:
    folder = Path(ctx.out_dir) / stage
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
