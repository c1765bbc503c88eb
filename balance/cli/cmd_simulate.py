"""`balance simulate BUILD [PARTNER]`: turns of one attack, or of a pair, over the grid (or chosen cells).

Profiles, buffs and scenarios default to the config's grid; ``--profile``/``--scenario`` take a
name from the grid or an inline value (``--profile 2,2,2,2,4``, ``--scenario 25,25,10``) and may be
repeated. The overall mean is the mean of the cell means (every cell weighs the same) and its
standard error ``sqrt(sum(se_c**2)) / C``. Beside the mean: the 10th, 50th and 90th percentile of
turns, the share of one-turn kills and of timeouts (the combats are run in the engine's own turn
loop, which counts them by turn; same dice as a compiled kernel). A pair chooses its attack each
turn with ``--policy`` (default: the policy of the config's pairing stage).
"""

from __future__ import annotations

import json
import math

import attrs

import numpy as np

from balance.cli.cmd_build import parse_with
from balance.cli.common import add_config_argument, session_from
from balance.config.model import MAX_ENEMIES, MAX_HP, MAX_RUNS, MAX_STAT, MAX_TURNS, SEED_LIMIT
from balance.engine import Simulator
from balance.engine.distribution import share_half_width, summarize
from balance.engine.trace import trace
from balance.errors import UsageError
from balance.precision import decimals
from balance.grid import Grid, Profile, Scenario


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="simulate one build, or a pair, over the grid",
        description="Simulate one attack (for example \"melee_dg + power_attack [unreliable_1]\"), or a pair of "
        "attacks, in every cell of the grid, or in the profiles, buffs and scenarios given, and print mean turns ± "
        "standard error, the 10th/50th/90th percentile of turns, one-turn kills and timeouts per cell and overall.",
    )
    p.add_argument("build", help='build text: "TYPE + UPGRADE, ... [LIMIT, ...]"')
    p.add_argument("partner", nargs="?", help="a second build: simulate the pair (the policy picks the attack each turn)")
    p.add_argument("--policy", help="attack-choice policy of a pair (default: the config's pairing-stage policy)")
    p.add_argument("--profile", action="append", metavar="NAME|STATS", help="profile name or stat block such as 2,2,2,2,4 (repeatable)")
    p.add_argument("--buff", action="append", metavar="NAME", help="buff name from the config (repeatable)")
    p.add_argument("--scenario", action="append", metavar="NAME|HP,...", help="scenario name or enemy HP list such as 25,25,10 (repeatable)")
    p.add_argument("--runs", type=int, help="combats per cell (default: the runs of the config's first stage, stage1)")
    p.add_argument("--seed", type=int, help="master seed (default: the config's)")
    p.add_argument("--max-turns", type=int, dest="max_turns", help="turn limit per combat (default: the config's)")
    p.add_argument("--trace", type=int, default=0, metavar="N",
                   help="also show N combats per cell turn by turn: attack chosen and why, dice, enemy HP, conditions")
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


#: Combats per cell a trace may show (each prints every turn).
MAX_TRACE = 100


def default_policy(config) -> str:
    """The ``policy`` of the first stage (by name) whose settings have one: the pairing stage's."""
    for _, settings in sorted(config.stage_settings.items()):
        if isinstance(getattr(settings, "policy", None), str):
            return settings.policy
    return "default"


def _build(session, text: str):
    build = parse_with(session.rules, text)
    problems = session.rules.check_build(build, session.budget)
    if problems:
        raise UsageError(f"illegal build {build.id}: " + "; ".join(problems))
    return build


def _distribution(hist, timeouts) -> dict:
    d = summarize(hist[None], timeouts[None])
    return {"p10": int(d["turns_p10"][0]), "p50": int(d["turns_p50"][0]), "p90": int(d["turns_p90"][0]),
            "one_turn_share": float(d["one_turn_share"][0]), "timeout_share": float(d["timeout_share"][0])}


def simulate(session, build_text: str, args) -> dict:
    rules, config = session.rules, session.config
    builds = [_build(session, build_text)] + ([_build(session, args.partner)] if getattr(args, "partner", None) else [])
    runs = default_runs(config) if args.runs is None else args.runs
    max_turns = config.max_turns if args.max_turns is None else args.max_turns
    seed = config.seed if args.seed is None else args.seed
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"--runs must be from 1 to {MAX_RUNS:,} (got {runs:,})")
    if not 1 <= max_turns <= MAX_TURNS:
        raise UsageError(f"--max-turns must be from 1 to {MAX_TURNS:,} (got {max_turns:,})")
    if not 0 <= seed < SEED_LIMIT:
        raise UsageError(f"--seed must be from 0 to 2**64 - 1 (got {seed})")
    n_trace = getattr(args, "trace", 0) or 0
    if not 0 <= n_trace <= MAX_TRACE:
        raise UsageError(f"--trace must be from 0 to {MAX_TRACE} combats (got {n_trace:,})")
    grid = select_grid(session.grid, args, tuple(rules.stat_names))
    policy_name = None
    policy = None
    if len(builds) > 1:
        policy_name = getattr(args, "policy", None) or default_policy(config)
        policy = session.plugins.component("balance_policies", policy_name)
    sim = Simulator(session.kernel(), builds, grid, tuple(config.attacker), max_turns, policy=policy)
    res = sim.run(np.arange(len(builds), dtype=np.int64)[None, :], runs, seed, histogram=True)
    means, ses = res.means()[0], res.ses()[0]
    cells = []
    for c in grid.cells:
        se = float(ses[c.index]) if runs > 1 else None
        cells.append({
            "profile": c.profile.name, "buff": c.buff.name, "scenario": c.scenario.name,
            "mean": float(means[c.index]), "se": se, "timeouts": int(res.timeouts[0, c.index]), "runs": runs,
            **_distribution(res.turn_hist[0, c.index : c.index + 1], res.timeouts[0, c.index : c.index + 1]),
        })
    C = len(cells)
    overall_se = math.sqrt(sum(x["se"] ** 2 for x in cells)) / C if runs > 1 else None
    overall = {
        "mean": float(means.mean()), "se": overall_se, "timeouts": int(res.timeouts[0].sum()),
        "runs": runs * C, "timeout_rate": float(res.timeouts[0].sum()) / (runs * C),
        **_distribution(res.turn_hist[0], res.timeouts[0]),
    }
    out = {"build": builds[0].id, "seed": seed, "max_turns": max_turns, "attacker": list(config.attacker),
           "cells": cells, "overall": overall}
    if n_trace:
        names = [b.id for b in builds]
        out["trace"] = [{"profile": c.profile.name, "buff": c.buff.name, "scenario": c.scenario.name,
                         "combats": [_combat_dict(x, names)
                                     for x in trace(sim, np.arange(len(builds)), c, n_trace, seed, runs=runs)]}
                        for c in grid.cells]
    if len(builds) > 1:
        out |= {"partner": builds[1].id, "policy": policy_name,
                "usage": [float(x) for x in res.uses[0].sum(axis=0) / max(res.uses[0].sum(), 1)]}
    return out


def _combat_dict(combat, names) -> dict:
    d = attrs.asdict(combat)
    for t in d["turns"]:
        t["attack"] = "fallback (no usable attack)" if t["fallback"] else names[t["choice"]]
    return d


def _number(x) -> str:
    return "–" if x != x else f"{x:.3g}"  # NaN: the attack was not usable


def _delta(before: dict, after: dict) -> list[str]:
    """``name: before -> after`` for what changed; unchanged values once, as ``name: value``."""
    out = []
    for name, now in after.items():
        was = before.get(name)
        out.append(f"{name}: {was} -> {now}" if was != now else f"{name}: {now}")
    return out


def print_trace(out: dict) -> None:
    """Plain lines (never read as markup: a build's ``[limits]`` prints as it is)."""
    names = [out["build"]] + ([out["partner"]] if "partner" in out else [])
    for cell in out["trace"]:
        for combat in cell["combats"]:
            turns = combat["turns"]
            end = f"won on turn {turns[-1]['turn']}" if combat["won"] else f"timed out after {len(turns)} turns"
            print(f"\nCombat {combat['run'] + 1} - {cell['profile']} / {cell['buff']} / {cell['scenario']}: {end}")
            if combat["plan"]:
                print(f"  plan: {combat['plan']}")
            for t in turns:
                usable = "" if t["usable"] is None else (
                    " usable: " + ", ".join(n for n, u in zip(names, t["usable"]) if u) if any(t["usable"]) else
                    " usable: none")
                print(f"  Turn {t['turn']}:{usable}")
                for why, values in t["reasons"].items():
                    print(f"    policy, {why}: " + "; ".join(f"{n} {_number(v)}" for n, v in zip(names, values)))
                print(f"    attack: {t['attack']}")
                for draw in t["draws"]:
                    print(f"    {draw}")
                for line in _delta(t["before"], t["after"]):
                    print(f"    {line}")


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

    name = out["build"] + (f"  +  {out['partner']}" if "partner" in out else "")
    extra = f", policy {out['policy']}" if "policy" in out else ""
    table = Table(title=f"{escape(name)}  (runs {out['cells'][0]['runs']} per cell, seed {out['seed']}, "
                        f"max turns {out['max_turns']}{escape(extra)})")
    for col in ("Profile", "Buff", "Scenario"):
        table.add_column(col)
    table.add_column("Mean turns", justify="right")
    table.add_column("± SE", justify="right")
    table.add_column("Timeouts", justify="right")
    table.add_column("p10/p50/p90", justify="right")
    table.add_column("1-turn kills", justify="right")
    for c in out["cells"]:
        table.add_row(escape(c["profile"]), escape(c["buff"]), escape(c["scenario"]), *_mean_se(c),
                      f"{c['timeouts']}/{c['runs']}", _quantiles(c), _share(c["one_turn_share"], c["runs"]))
    o = out["overall"]
    table.add_section()
    table.add_row("Overall", "", "", *_mean_se(o), f"{o['timeouts']}/{o['runs']}", _quantiles(o),
                  _share(o["one_turn_share"], o["runs"]))
    console = Console(width=140)
    console.print(table)
    if "usage" in out:
        u = out["usage"]
        console.print(escape(f"Share of turns: {out['build']} {100 * u[0]:.0f}%, {out['partner']} {100 * u[1]:.0f}%"
                             + (f", no usable attack {100 * u[2]:.0f}%" if len(u) > 2 and u[2] else "")))
    if "trace" in out:
        console.file.flush()
        print_trace(out)
    return 0


def _mean_se(c: dict) -> tuple[str, str]:
    """Mean and standard error to the precision the 95 % interval allows."""
    if c["se"] is None:
        return f"{c['mean']:.2f}", _fmt_se(None)
    if c["se"] == 0:
        return f"{c['mean']:.2f}", "0 (every run equal)"
    d = decimals(1.96 * c["se"])
    return f"{c['mean']:.{d}f}", f"{c['se']:.{d}f}"


def _quantiles(c: dict) -> str:
    return f"{c['p10']}/{c['p50']}/{c['p90']}"


def _share(share: float, combats: int) -> str:
    half = 100 * share_half_width(share, combats)
    return f"{100 * share:.{decimals(half, 1)}f}%"
