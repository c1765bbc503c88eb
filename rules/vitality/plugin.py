"""Registers the Vitality System rule system."""

from balance.hookspecs import hookimpl


@hookimpl
def balance_rule_systems():
    from balance_rules.vitality.rules import VitalityRules

    return [VitalityRules()]
