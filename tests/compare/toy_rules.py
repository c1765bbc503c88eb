"""A toy rule system for comparing runs: Vitality's legality with one rule option, ``nick_damage``
(the damage the toy upgrade ``nick`` adds). Its runs are written by :mod:`tests.compare.toy_runs`
from that option, so a config change (``[rule_options] nick_damage = 2``) changes the records the
way the rule says. Loaded with ``--plugin``, so the toy runs name no plugin file (no trust needed)."""

from __future__ import annotations

from typing import Any

from balance.hookspecs import hookimpl
from balance_rules.vitality.rules import VitalityRules

OPTIONS = {"nick_damage": 1}


class ToyRules(VitalityRules):
    name = "toy"

    def kernel(self, options: dict[str, Any] | None = None) -> Any:
        """Checks the options like a kernel does; the toy's records are computed by the test, not simulated."""
        merged = {**OPTIONS, **(options or {})}
        unknown = sorted(set(merged) - set(OPTIONS))
        if unknown:
            raise ValueError(f'unknown option "{unknown[0]}" (options: {", ".join(OPTIONS)})')
        if not isinstance(merged["nick_damage"], int):
            raise ValueError(f"option nick_damage: expected int, got {merged['nick_damage']!r}")
        return merged


@hookimpl
def balance_rule_systems():
    return [ToyRules()]
