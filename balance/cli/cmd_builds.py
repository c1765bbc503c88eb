"""`balance builds`: list or count every legal build within a budget.

Text lists one build per line as ``CANONICAL_TEXT  (cost N)``, in the rule system's canonical
order; ``--count`` prints the number instead (``--by-type`` per attack type, which implies
``--count``). ``--count --by-type --format json`` prints exactly
``{"total": N, "by_type": {"melee_ac": n, ...}}``.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterable, Iterator

from balance.cli.cmd_build import budget_from
from balance.cli.common import add_config_argument, session_from
from balance.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "builds",
        help="list or count every legal build within a budget",
        description="List every legal build within the budget, one per line with its cost, or count them.",
    )
    p.add_argument("--budget", type=int, help="points per attack (default: the config's budget)")
    p.add_argument("--type", dest="attack_type", metavar="T", help="only builds of this attack type")
    p.add_argument("--count", action="store_true", help="print the number of builds instead of the builds")
    p.add_argument("--by-type", action="store_true", help="count per attack type (implies --count)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    add_config_argument(p)
    p.set_defaults(func=run)


def attack_types_of(rules, builds: Iterable | None = None) -> list[str]:
    """The rule system's attack types in its order (``attack_types`` if it offers it)."""
    types = getattr(rules, "attack_types", None)
    if types is not None:
        return list(types)
    # A rule system without the attribute: the order in which its enumeration first shows each type.
    return list(dict.fromkeys(b.attack_type for b in builds or ()))


def builds_of(rules, budget: int, attack_type: str | None) -> Iterator:
    if attack_type is None:
        return iter(rules.enumerate_builds(budget))
    try:
        return iter(rules.enumerate_builds(budget, attack_type))
    except TypeError:  # a rule system whose enumerate_builds takes only the budget
        return (b for b in rules.enumerate_builds(budget) if b.attack_type == attack_type)


def run(args) -> int:
    session = session_from(args)
    rules = session.rules
    budget = budget_from(args, session)
    known = attack_types_of(rules) or attack_types_of(rules, rules.enumerate_builds(budget))
    if args.attack_type is not None and args.attack_type not in known:
        near = difflib.get_close_matches(args.attack_type, known, n=1)
        hint = f" (did you mean {near[0]}?)" if near else f" (attack types: {', '.join(known)})"
        raise UsageError(f'unknown attack type "{args.attack_type}"{hint}')
    try:
        if args.count or args.by_type:
            print_counts(args, counts_of(rules, budget, args.attack_type, known))
        else:
            print_builds(args, builds_of(rules, budget, args.attack_type), rules.build_cost)
    except BrokenPipeError:
        # `balance builds | head`: the reader is gone. Point stdout at devnull so that the flush at
        # interpreter exit does not print a second BrokenPipeError, and stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def counts_of(rules, budget: int, attack_type: str | None, known: list[str]) -> dict[str, int]:
    """Builds per attack type: the rule system's fast ``count_builds`` if it has one, else counted."""
    types = [attack_type] if attack_type else known
    if hasattr(rules, "count_builds"):
        counts = rules.count_builds(budget)
        return {t: counts.get(t, 0) for t in types}
    by_type = dict.fromkeys(types, 0)
    for b in builds_of(rules, budget, attack_type):
        by_type[b.attack_type] = by_type.get(b.attack_type, 0) + 1
    return by_type


def print_counts(args, by_type: dict[str, int]) -> None:
    total = sum(by_type.values())
    if args.format == "json":
        out = {"total": total, "by_type": by_type} if args.by_type else {"total": total}
        print(json.dumps(out))
    elif args.by_type:
        width = max(len(t) for t in [*by_type, "total"])
        for t, n in by_type.items():
            print(f"{t:<{width}}  {n}")
        print(f"{'total':<{width}}  {total}")
    else:
        print(total)


def print_builds(args, builds, cost) -> None:
    write = sys.stdout.write
    if args.format == "json":
        # One JSON array, one build object per line, streamed rather than built in memory.
        write("[")
        sep = "\n"
        for b in builds:
            obj = {"build": b.id, "attack_type": b.attack_type, "upgrades": list(b.upgrades),
                   "limits": list(b.limits), "cost": cost(b)}
            write(sep + json.dumps(obj))
            sep = ",\n"
        write("\n]\n")
    else:
        for b in builds:
            write(f"{b.id}  (cost {cost(b)})\n")
    sys.stdout.flush()
