"""A local plugin that adds one upgrade to the d20 game, without touching the d20 package.

``sharpened`` (1 point): +1 damage. It is pure data: the d20 kernel reads every upgrade's numbers,
so the new rule system ``d20_sharpened`` (the d20 game plus this upgrade) simulates it with no new
code. Load it with ``[plugins] load = ["sharpened.py"]`` (see d20_sharpened.toml) or ``--plugin``.
"""

from balance.hookspecs import hookimpl

__version__ = "0.1.0"


@hookimpl
def balance_rule_systems():
    from balance_d20.catalog import DEFAULT, Upgrade
    from balance_d20.rules import D20Rules

    return [D20Rules(DEFAULT.with_upgrades(Upgrade("sharpened", 1, damage=1)), name="d20_sharpened")]
