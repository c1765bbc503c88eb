"""``D20Rules``: the d20 game as a :class:`balance.components.RuleSystem`.

Legality, cost and enumeration reuse the generic point-buy engine that ships with balance
(``balance.legality``: it knows only names, costs, exclusive groups and per-type
restrictions, nothing of the Vitality System). This module feeds it the d20 catalog and adds the
budgets and the combat kernel.
"""

from __future__ import annotations

from typing import Any
from balance.legality import Catalog, PointBuyRuleSystem, TypeRestriction

from balance_d20 import catalog as cat

def d20_catalog(rs: cat.Ruleset = cat.DEFAULT) -> Catalog:
    """The ruleset in the generic form the legality engine works on."""
    area = frozenset(t.name for t in rs.attack_types.values() if t.area)
    single = frozenset(rs.attack_types) - area
    return Catalog(
        attack_types={t.name: t.cost_factor for t in rs.attack_types.values()},
        upgrades={u.name: u.cost for u in rs.upgrades.values()},
        limits={lim.name: lim.cost for lim in rs.limits.values()},
        exclusive_groups=rs.exclusive_groups,
        restrictions=(
            TypeRestriction("area", area, rs.not_on_area & set(rs.upgrades)),
            TypeRestriction("single-target", single, rs.not_on_single & set(rs.upgrades)),
        ),
        max_upgrades=rs.max_upgrades,
        max_limits=rs.max_limits,
    )


class D20Rules(PointBuyRuleSystem):
    """Catalog, budgets, legality, enumeration and kernel of the d20 game.

    ``D20Rules(ruleset, name)`` makes a variant: a plugin can provide
    ``D20Rules(DEFAULT.with_upgrades(...), "d20_plus")`` as a rule system of its own."""

    version = "0.1.0"
    stat_names = cat.STAT_NAMES
    buff_fields = cat.BUFF_FIELDS

    def __init__(self, ruleset: cat.Ruleset = cat.DEFAULT, name: str = "d20") -> None:
        # Reporters read upgrade and limit costs from ``catalog.upgrades`` / ``catalog.limits``.
        super().__init__(d20_catalog(ruleset))
        self.name = name
        self.ruleset = ruleset

    def budget(self, tier: int, archetype: str) -> int:
        """Points per attack: ``level // 2`` plus 1 (skirmisher) or 3 (champion); ``tier`` is the level."""
        if archetype not in cat.ARCHETYPES:
            raise ValueError(f'unknown archetype "{archetype}" (known: {", ".join(sorted(cat.ARCHETYPES))})')
        if tier not in cat.LEVELS:
            raise ValueError(f"no point budget for level {tier} (levels 1-20)")
        return tier // 2 + cat.ARCHETYPES[archetype]

    def kernel(self, options: dict[str, Any] | None = None) -> Any:
        from balance_d20.kernel import D20Kernel

        return D20Kernel(options, self.ruleset)
