"""``D20Rules``: the d20 game as a :class:`balance.components.RuleSystem`.

Legality, cost and enumeration reuse the generic point-buy engine that ships with balance
(``balance.legality``: it knows only names, costs, exclusive groups and per-type
restrictions, nothing of the Vitality System). This module feeds it the d20 catalog and adds the
budgets and the combat kernel.
"""

from __future__ import annotations

from typing import Any
from balance.legality import Catalog, PointBuyRuleSystem, TypeRestriction
from balance.ruletable import BudgetKey

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

    @property
    def budget_keys(self):
        """``tier`` (the character's level) and ``archetype``: the config keys of the budget."""
        return (
            BudgetKey("tier", 5, tuple(cat.LEVELS), help="the character's level"),
            BudgetKey("archetype", "champion", tuple(self.ruleset.archetypes), help="skirmisher or champion"),
        )

    def budget(self, tier: int = 5, archetype: str = "champion") -> int:
        """Points per attack: ``level // 2`` plus the archetype's bonus (1 skirmisher, 3 champion)."""
        if archetype not in self.ruleset.archetypes:
            raise ValueError(f'unknown archetype "{archetype}" (known: {", ".join(sorted(self.ruleset.archetypes))})')
        if tier not in cat.LEVELS:
            raise ValueError(f"no point budget for level {tier} (levels 1-20)")
        return tier // 2 + self.ruleset.archetypes[archetype]

    # -- rules as data: the same declaration Vitality makes (balance.ruletable) -----------------

    def rule_table(self) -> dict[str, Any]:
        return self.ruleset.table()

    def check_rule_table(self, values: dict[str, Any]):
        for name, value in values.items():
            field = name.rsplit(".", 1)[-1]
            if field in ("cost", "dice", "die", "targets", "fail_on", "last_turn", "max_upgrades", "max_limits") \
                    or name.startswith("archetypes."):
                if value < 0:
                    yield name, f"expected at least 0, got {value}"
            if field == "crit_lo" and not 2 <= value <= 20:
                yield name, f"expected a d20 result from 2 to 20, got {value}"
            if abs(value) > 1_000:
                yield name, f"{value:,} is beyond the limit of 1,000 (either way)"

    def with_rule_table(self, values: dict[str, Any]) -> "D20Rules":
        return D20Rules(self.ruleset.with_table(values), self.name)

    def kernel(self, options: dict[str, Any] | None = None) -> Any:
        from balance_d20.kernel import D20Kernel

        return D20Kernel(options, self.ruleset)
