"""``VitalityRules``: the Vitality System as a :class:`~balance.components.RuleSystem`.

The legality, cost and enumeration logic is the generic :mod:`balance.legality`; this module only feeds it
the Vitality catalog (rulebook section 7) and adds the Vitality-specific pieces: budgets by tier and
archetype, parsing with helpful name errors, and the combat kernel.
"""

from __future__ import annotations

from typing import Any

from balance.builds import Build
from balance.legality import Catalog, PointBuyRuleSystem, TypeRestriction

from . import catalog as cat

DIRECT_TYPES = frozenset(t.name for t in cat.ATTACK_TYPES.values() if t.direct)
AREA_TYPES = frozenset(t.name for t in cat.ATTACK_TYPES.values() if t.area)


def vitality_catalog() -> Catalog:
    """The Vitality catalog in the generic form the legality code works on."""
    return Catalog(
        attack_types={t.name: t.cost_factor for t in cat.ATTACK_TYPES.values()},
        upgrades={u.name: u.cost for u in cat.UPGRADES.values()},
        limits={lim.name: lim.cost for lim in cat.LIMITS.values()},
        exclusive_groups=cat.EXCLUSIVE_GROUPS,
        restrictions=(
            TypeRestriction("direct", DIRECT_TYPES, cat.NOT_ON_DIRECT),
            TypeRestriction("area", AREA_TYPES, cat.NOT_ON_AREA),
        ),
        max_upgrades=cat.MAX_UPGRADES,
        max_limits=cat.MAX_LIMITS,
    )


class VitalityRules(PointBuyRuleSystem):
    """The Vitality System rules: catalog, budgets, build legality, enumeration and kernel."""

    name = "vitality"
    #: Bumped whenever legality, costs or combat results change, so stored runs can tell.
    version = "1.0"
    stat_names = cat.STAT_NAMES
    buff_fields = cat.BUFF_FIELDS

    def __init__(self) -> None:
        super().__init__(vitality_catalog())

    def budget(self, tier: int, archetype: str) -> int:
        """Points per attack (rulebook section 7)."""
        archetypes = sorted({a for _, a in cat.BUDGETS})
        tiers = sorted({t for t, _ in cat.BUDGETS})
        if archetype not in archetypes:
            raise ValueError(f'unknown archetype "{archetype}" (known: {", ".join(archetypes)})')
        if (tier, archetype) not in cat.BUDGETS:
            raise ValueError(f"no point budget for tier {tier} (tiers with budgets: {', '.join(map(str, tiers))})")
        return cat.BUDGETS[(tier, archetype)]

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

        return CompiledVitalityKernel(options)
