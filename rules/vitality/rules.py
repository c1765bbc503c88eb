"""``VitalityRules``: the Vitality System as a :class:`~balance.components.RuleSystem`.

The legality, cost and enumeration logic is the generic :mod:`balance.legality`; this module only feeds it
the Vitality catalog (rulebook section 7) and adds the Vitality-specific pieces: budgets by tier and
archetype, the rule table a config overrides, extensions, parsing with helpful name errors, and the
combat kernel. Every number comes from one :class:`~balance_rules.vitality.ruleset.Ruleset`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from balance.builds import Build
from balance.legality import Catalog, PointBuyRuleSystem, TypeRestriction
from balance.ruletable import BudgetKey

from . import catalog as cat
from .ruleset import DEFAULT, Ruleset, table_problems


def vitality_catalog(rs: Ruleset = DEFAULT) -> Catalog:
    """The Vitality catalog in the generic form the legality code works on."""
    direct = frozenset(t.name for t in rs.attack_types.values() if t.direct)
    area = frozenset(t.name for t in rs.attack_types.values() if t.area)
    return Catalog(
        attack_types={t: rs.cost_factor(t) for t in rs.attack_types},
        upgrades={u.name: u.cost for u in rs.upgrades.values()},
        limits={lim.name: lim.cost for lim in rs.limits.values()},
        exclusive_groups=rs.exclusive_groups,
        restrictions=(
            TypeRestriction("direct", direct, rs.restricted("direct")),
            TypeRestriction("area", area, rs.restricted("area")),
        ),
        max_upgrades=rs.max_upgrades,
        max_limits=rs.max_limits,
    )


class VitalityRules(PointBuyRuleSystem):
    """The Vitality System rules: catalog, budgets, build legality, enumeration and kernel.

    ``VitalityRules(ruleset)`` plays by another :class:`Ruleset` (a config's overrides, a plugin's
    extra upgrades); the session makes these through :meth:`with_rule_table` and :meth:`extended`."""

    name = "vitality"
    #: Bumped whenever legality, costs or combat results change, so stored runs can tell.
    version = "1.0"
    stat_names = cat.STAT_NAMES
    buff_fields = cat.BUFF_FIELDS

    def __init__(self, ruleset: Ruleset = DEFAULT) -> None:
        super().__init__(vitality_catalog(ruleset))
        self.ruleset = ruleset
        tiers = tuple(sorted({t for t, _ in ruleset.budgets}))
        archetypes = tuple(sorted({a for _, a in ruleset.budgets}))
        self.budget_keys = (
            # Any tier may run with an explicit points_per_attack; budgets exist for some.
            BudgetKey("tier", 4, low=1, high=1_000, help=f"the characters' tier (budgets for {', '.join(map(str, tiers))})"),
            BudgetKey("archetype", "dual_natured", archetypes, help="the character archetype (rulebook section 7)"),
        )

    def budget(self, tier: int = 4, archetype: str = "dual_natured") -> int:
        """Points per attack (rulebook section 7)."""
        budgets = self.ruleset.budgets
        archetypes = sorted({a for _, a in budgets})
        tiers = sorted({t for t, _ in budgets})
        if archetype not in archetypes:
            raise ValueError(f'unknown archetype "{archetype}" (known: {", ".join(archetypes)})')
        if (tier, archetype) not in budgets:
            raise ValueError(f"no point budget for tier {tier} (tiers with budgets: {', '.join(map(str, tiers))})")
        return budgets[(tier, archetype)]

    # -- rules as data -----------------------------------------------------------------------------

    def rule_table(self) -> dict[str, Any]:
        """Every number and decision by dotted name, with this system's values as defaults."""
        return self.ruleset.table()

    def check_rule_table(self, values: dict[str, Any]) -> Iterable[tuple[str, str]]:
        return table_problems(values)

    def legality_only(self, name: str) -> bool:
        """Costs, the area cost factor, the budgets and the upgrade and limit counts decide which
        builds exist; the kernel never reads them (a legal build fights the same)."""
        return (name.endswith(".cost") or name.startswith("budgets.")
                or name in ("area_cost_factor", "max_upgrades", "max_limits"))

    def with_rule_table(self, values: dict[str, Any]) -> "VitalityRules":
        return VitalityRules(self.ruleset.with_table(values))

    def extended(self, additions) -> "VitalityRules":
        """The rules with a plugin's upgrades and limits (``catalog.Upgrade`` / ``catalog.Limit``)."""
        return VitalityRules(self.ruleset.with_entries(additions))

    def describe(self, build: Build, budget: int | None = None) -> dict[str, Any]:
        """A plain dict for JSON output: the build, its parts, its cost and its problems."""
        problems = self.check_build(build, budget)
        try:
            cost = self.build_cost(build)
        except ValueError:
            cost = None
        return {
            "build": build.id,
            "attack_type": build.attack_type,
            "upgrades": list(build.upgrades),
            "limits": list(build.limits),
            "cost": cost,
            "legal": not problems,
            "problems": problems,
        }

    def kernel(self, options: dict[str, Any] | None = None) -> Any:
        """The combat kernel, compiled (imported lazily: not needed for legality)."""
        from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel

        return CompiledVitalityKernel(options, self.ruleset)
