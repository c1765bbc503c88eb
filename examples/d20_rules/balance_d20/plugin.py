"""Registers the d20 rule system in the ``balance`` entry-point group (see pyproject.toml)."""

from balance.hookspecs import hookimpl


@hookimpl
def balance_rule_systems():
    from balance_d20.rules import D20Rules

    return [D20Rules()]
