"""`balance simulate BUILD`: mean turns of one attack over the grid (or chosen cells).

Profiles, buffs and scenarios default to the config's grid; ``--profile``/``--scenario`` take a
name from the grid or an inline value (``--profile 2,2,2,2,4``, ``--scenario 25,25,10``) and may be
repeated. The overall mean is the mean of the cell means (every cell weighs the same) and its
standard error ``sqrt(sum(se_c**2)) / C``.
"""

from __future__ import annotations

import json
import math

import numpy as np

from balance.cli.cmd_build import parse_with
from balance.cli.common import add_config_argument, session_from
from balance.config.model import MAX_ENEMIES, MAX_HP, MAX_RUNS, MAX_STAT, MAX_TURNS, SEED_LIMIT
from balance.engine import Simulator
from balance.errors import UsageError
from balance.grid import Grid, Profile, Scenario


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="simulate one build over the grid",
        description="Simulate one attack (for example \"melee_dg + power_attack [unreliable_1]\") in every cell of "
        "the grid, or in the profiles, buffs and scenarios given, and print mean turns ± standard error and "
        "timeouts per cell and overall.",
    )
    p.add_argument("build", help='build text: "TYPE + UPGRADE, ... [LIMIT, ...]"')
    p.add_argument("--profile", action="append", metavar="NAME|STATS", help="profile name or stat block such as 2,2,2,2,4 (repeatable)")
    p.add_argument("--buff", action="append", metavar="NAME", help="buff name from the config (repeatable)")
    p.add_argument("--scenario", action="append", metavar="NAME|HP,...", help="scenario name or enemy HP list such as 25,25,10 (repeatable)")
    p.add_argument("--runs", type=int, help="combats per cell (default: the runs of the config's first stage, stage1)")
    p.add_argument("--seed", type=int, help="master seed (default: the config's)")
    p.add_argument("--max-turns", type=int, dest="max_turns", help="turn limit per combat (default: the config's)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    add_config_argument(p)
    p.set_defaults(func=run)


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise UsageError(f'{what} "{text}" is neither a known name nor a list of integers') from None
    return values


def _pick(known, wanted, inline, what):
    """Items of the grid by name, or inline ones made by ``inline(text)``."""
    if not wanted:
        return tuple(known)
    by_name = {x.name: x for x in known}
    out = []
    for text in wanted:
        if text in by_name:
            out.append(by_name[text])
        elif inline is not None and any(ch.isdigit() for ch in text):
            out.append(inline(text))
        else:
            names = ", ".join(by_name) or "none"
            raise UsageError(f'unknown {what} "{text}" (known: {names})')
    return tuple(out)


def select_grid(grid: Grid, args, stat_names) -> Grid:
    def profile(text):
        stats = _ints(text, "profile")
        if len(stats) != len(stat_names):
            raise UsageError(f'--profile "{text}" needs {len(stat_names)} numbers ({", ".join(stat_names)})')
        if not all(0 <= v <= MAX_STAT for v in stats):
            raise UsageError(f'--profile "{text}": stats must be from 0 to {MAX_STAT:,}')
        return Profile(text, stats)

    def scenario(text):
        hp = _ints(text, "scenario")
        if not hp or not all(0 < v <= MAX_HP for v in hp):
            raise UsageError(f'--scenario "{text}" needs enemy HP values from 1 to {MAX_HP:,}')
        if len(hp) > MAX_ENEMIES:
            raise UsageError(f'--scenario "{text}": {len(hp):,} enemies are above the limit of {MAX_ENEMIES:,}')
        return Scenario(text, hp)

    g = Grid(
        _pick(grid.profiles, args.profile, profile, "profile"),
        _pick(grid.buffs, args.buff, None, "buff"),
        _pick(grid.scenarios, args.scenario, scenario, "scenario"),
    )
    if not g.cells:
        raise UsageError("the grid has no cells (no profiles, buffs or scenarios)")
    return g


def default_runs(config) -> int:
    """The ``runs`` of the first stage (by name) whose settings have one: the screening stage's."""
    for _, settings in sorted(config.stage_settings.items()):
        if isinstance(getattr(settings, "runs", None), int):
            return settings.runs
    raise UsageError("no stage of this config sets runs; give --runs")


def simulate(session, build_text: str, args) -> dict:
    rules, config = session.rules, session.config
    build = parse_with(rules, build_text)
    problems = rules.check_build(build, session.budget)
    if problems:
        raise UsageError(f"illegal build {build.id}: " + "; ".join(problems))
    runs = default_runs(config) if args.runs is None else args.runs
    max_turns = config.max_turns if args.max_turns is None else args.max_turns
    seed = config.seed if args.seed is None else args.seed
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"--runs must be from 1 to {MAX_RUNS:,} (got {runs:,})")
    if not 1 <= max_turns <= MAX_TURNS:
        raise UsageError(f"--max-turns must be from 1 to {MAX_TURNS:,} (got {max_turns:,})")
    if not 0 <= seed < SEED_LIMIT:
        raise UsageError(f"--seed must be from 0 to 2**64 - 1 (got {seed})")
    grid = select_grid(session.grid, args, tuple(rules.stat_names))
    sim = Simulator(session.kernel(), [build], grid, tuple(config.attacker), max_turns, policy=None)
    res = sim.run(np.zeros((1, 1), dtype=np.int64), runs, seed)
    means, ses = res.means()[0], res.ses()[0]
    cells = []
    for c in grid.cells:
        se = float(ses[c.index]) if runs > 1 else None
        cells.append({
            "profile": c.profile.name, "buff": c.buff.name, "scenario": c.scenario.name,
            "mean": float(means[c.index]), "se": se, "timeouts": int(res.timeouts[0, c.index]), "runs": runs,
        })
    C = len(cells)
    overall_se = math.sqrt(sum(x["se"] ** 2 for x in cells)) / C if runs > 1 else None
    overall = {
        "mean": float(means.mean()), "se": overall_se, "timeouts": int(res.timeouts[0].sum()),
        "runs": runs * C, "timeout_rate": float(res.timeouts[0].sum()) / (runs * C),
    }
    return {"build": build.id, "seed": seed, "max_turns": max_turns, "attacker": list(config.attacker),
            "cells": cells, "overall": overall}


def _fmt_se(se):
    return "n/a" if se is None else f"{se:.2f}"


def run(args) -> int:
    session = session_from(args)
    out = simulate(session, args.build, args)
    if args.format == "json":
        print(json.dumps(out))
        return 0
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{escape(out['build'])}  (runs {out['cells'][0]['runs']} per cell, seed {out['seed']}, "
                        f"max turns {out['max_turns']})")
    for col in ("Profile", "Buff", "Scenario"):
        table.add_column(col)
    table.add_column("Mean turns", justify="right")
    table.add_column("± SE", justify="right")
    table.add_column("Timeouts", justify="right")
    for c in out["cells"]:
        table.add_row(c["profile"], c["buff"], c["scenario"], f"{c['mean']:.2f}", _fmt_se(c["se"]),
                      f"{c['timeouts']}/{c['runs']}")
    o = out["overall"]
    table.add_section()
    table.add_row("Overall", "", "", f"{o['mean']:.2f}", _fmt_se(o["se"]), f"{o['timeouts']}/{o['runs']}")
    Console(width=120).print(table)
    return 0
