"""`balance build check BUILD`: the cost of one build and every rule it breaks.

Exit codes: 0 legal, 1 illegal (every broken rule printed, one per line), 2 unreadable build text or
an unknown name (with a "did you mean" suggestion).
"""

from __future__ import annotations

import json

from balance.builds import BuildSyntaxError, parse_build
from balance.cli.common import add_config_argument, session_from
from balance.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser("build", help="check one build")
    sub = p.add_subparsers(dest="build_command", metavar="ACTION")
    sub.required = True
    check = sub.add_parser(
        "check",
        help="print a build's cost and whether it is legal",
        description='Print the cost of a build such as "melee_dg + power_attack, brutal [unreliable_1]" and '
        "either `legal` or every rule it breaks, one per line. Exit code 1 when illegal, 2 for unknown names.",
    )
    check.add_argument("build", help='build text: "TYPE + UPGRADE, ... [LIMIT, ...]"')
    check.add_argument("--budget", type=int, help="points per attack (default: the config's budget)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    add_config_argument(check)
    check.set_defaults(func=run_check)


def parse_with(rules, text: str):
    """Parse build text with the rule system's own parser when it has one (for name errors)."""
    if hasattr(rules, "parse"):
        return rules.parse(text)
    try:
        return parse_build(text)
    except BuildSyntaxError as exc:
        raise UsageError(str(exc)) from exc


def budget_from(args, session) -> int:
    """``--budget`` if given, else the session's points per attack."""
    budget = session.budget if args.budget is None else args.budget
    if budget < 0:
        raise UsageError(f"budget must not be negative (got {budget})")
    return budget


def run_check(args) -> int:
    session = session_from(args)
    rules = session.rules
    build = parse_with(rules, args.build)
    budget = budget_from(args, session)
    problems = rules.check_build(build, budget)
    cost = rules.build_cost(build)
    if args.format == "json":
        out = {"build": build.id, "cost": cost, "budget": budget, "legal": not problems, "problems": problems}
        print(json.dumps(out))
    else:
        print(build.id)
        print(f"cost {cost} (budget {budget})")
        print("\n".join(problems) if problems else "legal")
    return 1 if problems else 0
