"""`balance rules show [--config FILE]`: the rule system's effective table.

Every number and decision the rule system declares (``upgrades.power_attack.cost = 1``), with the
config's ``[rules.NAME]`` overrides applied and marked, then its budget keys and the points per
attack they give. ``--format json`` prints ``{"rules", "values", "defaults", "overrides",
"budget_keys", "points_per_attack"}``.
"""

from __future__ import annotations

import json

from balance.cli.common import add_config_argument, session_from
from balance.ruletable import show_value


def register(subparsers) -> None:
    p = subparsers.add_parser("rules", help="show the rule system's rule table (with the config's overrides)")
    sub = p.add_subparsers(dest="rules_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser("show", help="print every number and decision of the rules, overrides marked")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.add_argument("--changed", action="store_true", help="only the values the config changes")
    add_config_argument(show)
    show.set_defaults(func=run_show)


def run_show(args) -> int:
    session = session_from(args)
    table, config = session.rule_table, session.config
    overrides = table.overrides
    if args.format == "json":
        print(json.dumps({
            "rules": config.rules,
            "values": table.values,
            "defaults": table.defaults,
            "overrides": {k: v for k, (_, v) in overrides.items()},
            "budget_keys": config.budget_keys,
            "points_per_attack": session.budget,
        }, indent=2))
        return 0
    print(f"# rule table of {config.rules} ({len(table.values)} rules, {len(overrides)} changed by the config; "
          f"change one in the config's [rules.{config.rules}] table)")
    if not table.values:
        print(f"# rule system {config.rules} declares no rule table")
    width = max((len(k) for k in table.values), default=0)
    for name, value in table.values.items():
        if args.changed and name not in overrides:
            continue
        note = f"  # changed (default {show_value(overrides[name][0])})" if name in overrides else ""
        print(f"{name:<{width}} = {show_value(value)}{note}")
    keys = ", ".join(f"{k} = {show_value(v)}" for k, v in config.budget_keys.items())
    source = "set in the config" if config.points_per_attack else "from the budget keys"
    print(f"# budget keys: {keys or 'none'}; {session.budget} points per attack ({source})")
    return 0
