"""The Vitality rules a run plays by: the catalog's entries, budgets, thresholds and decisions as
one :class:`Ruleset`, and its rule table (every number by dotted name) for ``[rules.vitality]``.

``DEFAULT`` is the rulebook. ``ruleset.with_entries(...)`` adds upgrades and limits (a plugin's
extension), ``ruleset.table()`` lists every number as ``upgrades.power_attack.cost = 1``, and
``ruleset.with_table(values)`` applies a table's values (a config's overrides).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from balance_rules.vitality import catalog as cat

#: The numbers of an entry the table lists, by kind (everything else about an entry is its shape).
_UPGRADE_FIELDS = ("cost", "accuracy_t", "accuracy_flat", "damage_t", "damage_flat", "crit_range")
_LIMIT_FIELDS = ("cost", "bonus_t")
_TYPE_FIELDS = ("accuracy_t", "damage_t", "direct_flat", "direct_flat_t")


@attrs.frozen(eq=False)
class Ruleset:
    """Everything the legality code, the kernels and the policy view read about the rules."""

    attack_types: dict[str, cat.AttackType] = cat.ATTACK_TYPES
    upgrades: dict[str, cat.Upgrade] = cat.UPGRADES
    limits: dict[str, cat.Limit] = cat.LIMITS
    area_cost_factor: int = cat.AREA_COST_FACTOR
    max_upgrades: int = cat.MAX_UPGRADES
    max_limits: int = cat.MAX_LIMITS
    exclusive_groups: tuple[frozenset[str], ...] = cat.EXCLUSIVE_GROUPS
    not_on_direct: frozenset[str] = cat.NOT_ON_DIRECT
    not_on_area: frozenset[str] = cat.NOT_ON_AREA
    budgets: dict[tuple[int, str], int] = cat.BUDGETS
    thresholds: cat.Thresholds = cat.Thresholds()
    decisions: cat.Decisions = cat.Decisions()

    def cost_factor(self, attack_type: str) -> int:
        return self.area_cost_factor if self.attack_types[attack_type].area else 1

    def restricted(self, kind: str) -> frozenset[str]:
        """The upgrades and limits not allowed on ``direct`` or ``area`` attacks."""
        base = self.not_on_direct if kind == "direct" else self.not_on_area
        extra = {e.name for e in [*self.upgrades.values(), *self.limits.values()] if kind in e.not_on}
        return frozenset(base | extra)

    def with_entries(self, entries) -> "Ruleset":
        """A copy with more upgrades and limits (``catalog.Upgrade`` / ``catalog.Limit``)."""
        ups, lims = dict(self.upgrades), dict(self.limits)
        for e in entries:
            if isinstance(e, cat.Upgrade):
                problem = sorted(e.effects - cat.BEHAVIOURS)
                if problem:
                    raise ValueError(f'upgrade {e.name}: unknown effect "{problem[0]}" '
                                     f"(effects: {', '.join(sorted(cat.BEHAVIOURS))})")
                ups[e.name] = e
            elif isinstance(e, cat.Limit):
                if e.condition and e.condition not in cat.CONDITIONS:
                    raise ValueError(f'limit {e.name}: unknown condition "{e.condition}" '
                                     f"(conditions: {', '.join(cat.CONDITIONS)})")
                lims[e.name] = e
            else:
                raise ValueError(f"a Vitality extension must be a catalog Upgrade or Limit, got {e!r}")
            if e.name in self.upgrades or e.name in self.limits or e.name in self.attack_types:
                raise ValueError(f"{e.name} is already in the Vitality catalog")
            bad = sorted(e.not_on - {"direct", "area"})
            if bad:
                raise ValueError(f'{e.name}: not_on "{bad[0]}" (expected direct or area)')
        return attrs.evolve(self, upgrades=ups, limits=lims)

    # -- the rule table ----------------------------------------------------------------------------

    def table(self) -> dict[str, Any]:
        """Every number and decision by dotted name, in rulebook order."""
        return dict(self._items())

    def _items(self) -> Iterator[tuple[str, Any]]:
        for t in self.attack_types.values():
            for f in _TYPE_FIELDS:
                if f.startswith("direct") and not t.direct:
                    continue
                yield f"attack_types.{t.name}.{f}", getattr(t, f)
        yield "area_cost_factor", self.area_cost_factor
        for u in self.upgrades.values():
            for f in _UPGRADE_FIELDS:
                yield f"upgrades.{u.name}.{f}", getattr(u, f)
            if u.slayer_hp:
                yield f"upgrades.{u.name}.slayer_hp", u.slayer_hp
        for lim in self.limits.values():
            for f in _LIMIT_FIELDS:
                yield f"limits.{lim.name}.{f}", getattr(lim, f)
            if lim.dc:
                yield f"limits.{lim.name}.dc", lim.dc
        yield "max_upgrades", self.max_upgrades
        yield "max_limits", self.max_limits
        for (tier, archetype), points in self.budgets.items():
            yield f"budgets.{archetype}.tier_{tier}", points
        for f in attrs.fields(cat.Thresholds):
            yield f"thresholds.{f.name}", getattr(self.thresholds, f.name)
        for f in attrs.fields(cat.Decisions):
            yield f"decisions.{f.name}", getattr(self.decisions, f.name)

    def with_table(self, values: dict[str, Any]) -> "Ruleset":
        """A copy playing by ``values`` (names of :meth:`table`; others are ignored)."""
        kinds = {"attack_types": dict(self.attack_types), "upgrades": dict(self.upgrades), "limits": dict(self.limits)}
        top: dict[str, Any] = {}
        budgets = dict(self.budgets)
        th, de = {}, {}
        for name, value in values.items():
            head, _, rest = name.partition(".")
            if head in kinds:
                entry, _, field = rest.rpartition(".")
                kinds[head][entry] = attrs.evolve(kinds[head][entry], **{field: value})
            elif head == "budgets":
                archetype, _, tier = rest.partition(".")
                budgets[(int(tier.removeprefix("tier_")), archetype)] = value
            elif head == "thresholds":
                th[rest] = value
            elif head == "decisions":
                de[rest] = value
            else:
                top[name] = value
        return attrs.evolve(
            self, **kinds, **top, budgets=budgets,
            thresholds=attrs.evolve(self.thresholds, **th), decisions=attrs.evolve(self.decisions, **de),
        )


#: No rule number is larger: beyond it a value is a typo, and the kernel's int32 columns could wrap.
LIMIT = 1_000


def table_problems(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(name, problem)`` for each value the rules cannot take."""
    for name, value in values.items():
        if isinstance(value, bool):
            continue
        if abs(value) > LIMIT:
            yield name, f"{value:,} is beyond the limit of {LIMIT:,} (either way)"
            continue
        last = name.rsplit(".", 1)[-1]
        if last == "cost" or name.startswith("budgets.") or name in ("max_upgrades", "max_limits"):
            low = 0
        elif last in ("slayer_hp", "culling_divisor", "area_cost_factor"):
            low = 1
        elif last == "dc":
            low, high = 1, 20
            if not low <= value <= high:
                yield name, f"expected a d20 result from 1 to 20, got {value}"
            continue
        elif last == "crit_range_lo":
            if not 2 <= value <= 20:
                yield name, f"expected a d20 result from 2 to 20, got {value}"
            continue
        elif name.startswith("thresholds."):
            low = 0
        else:
            continue  # a modifier: any integer
        if value < low:
            yield name, f"expected at least {low}, got {value}"


DEFAULT = Ruleset()
