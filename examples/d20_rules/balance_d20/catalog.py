"""The d20 game as data: stats, attack types, upgrades, limits, budgets.

A classic d20 game, kept small:

- An attack roll is ``d20 + proficiency + ability`` against the target's armour class (``ac``); a
  natural 20 always hits and is a critical hit (damage dice rolled twice), a natural 1 always misses.
- ``burst`` is an area spell: the first 3 standing enemies each roll a saving throw
  ``d20 + dex + level // 2`` against ``DC = 8 + proficiency + int``; a failed save takes the full
  damage, a successful one half (rounded down). The damage is rolled once for all targets.
- Damage is ``NdM + bonus - dr`` (never below 0); proficiency is ``2 + (level - 1) // 4``.
"""

from __future__ import annotations

import attrs

#: One stat block describes the attacker and every defensive profile. The attacker's ``ac`` and
#: ``dr`` are unused (enemies do not strike back in this small game).
STAT_NAMES = ("level", "str", "dex", "int", "ac", "dr")
#: The bonuses a buff configuration may give: the attacker's accuracy and damage, the defenders'
#: avoidance and durability.
BUFF_FIELDS = ("accuracy", "damage", "avoidance", "durability")


@attrs.frozen
class AttackType:
    name: str
    #: The attacker's stat added to the attack roll (or the save DC) and to the damage.
    ability: str
    dice: int
    die: int
    #: Area attacks hit several enemies and use a saving throw instead of an attack roll.
    area: bool = False
    targets: int = 1

    @property
    def cost_factor(self) -> int:
        """Upgrades and limits cost double on the area type (it hits several enemies)."""
        return 2 if self.area else 1


@attrs.frozen
class Upgrade:
    name: str
    cost: int
    to_hit: int = 0  # attack roll, or save DC for area attacks
    damage: int = 0
    dice: int = 0
    #: Lowest natural roll that is a critical hit (20 = only a natural 20).
    crit_lo: int = 20
    cleave: bool = False
    targets: int = 0


@attrs.frozen
class Limit:
    name: str
    cost: int
    to_hit: int = 0
    damage: int = 0
    dice: int = 0
    #: Usable only on turns 1..last_turn (0 = any turn).
    last_turn: int = 0
    #: Before acting, a d20 at or below this wastes the action (0 = never).
    fail_on: int = 0


ATTACK_TYPES: dict[str, AttackType] = {
    t.name: t
    for t in [
        AttackType("melee", "str", dice=2, die=6),
        AttackType("ranged", "dex", dice=1, die=10),
        AttackType("burst", "int", dice=1, die=6, area=True, targets=3),
    ]
}

UPGRADES: dict[str, Upgrade] = {
    u.name: u
    for u in [
        Upgrade("weapon_focus", 1, to_hit=1),
        Upgrade("keen", 1, crit_lo=19),
        Upgrade("power_strike", 1, to_hit=-2, damage=4),
        Upgrade("extra_die", 2, dice=1),
        # A single-target attack that drops its target attacks the next standing enemy once.
        Upgrade("cleave", 2, cleave=True),
        # The area attack reaches 5 enemies instead of 3.
        Upgrade("wide_burst", 1, targets=2),
    ]
}

LIMITS: dict[str, Limit] = {
    lim.name: lim
    for lim in [
        Limit("opening_strike", 1, to_hit=2, dice=1, last_turn=2),
        Limit("unreliable", 1, to_hit=2, damage=2, fail_on=5),
    ]
}


#: Points per attack: ``level // 2 + ARCHETYPES[archetype]``, for levels 1-20.
ARCHETYPES = {"skirmisher": 1, "champion": 3}


@attrs.frozen(eq=False)
class Ruleset:
    """Everything the rules, the legality engine and the kernel read: one object, so that another
    plugin can extend the game (see :meth:`with_upgrades`) without touching this package."""

    attack_types: dict[str, AttackType]
    upgrades: dict[str, Upgrade]
    limits: dict[str, Limit]
    max_upgrades: int = 2
    max_limits: int = 1
    #: At most one member of each group in one build.
    exclusive_groups: tuple[frozenset[str], ...] = (frozenset({"power_strike", "weapon_focus"}),)
    #: Upgrades that need an attack roll or a single target, and the area-only one.
    not_on_area: frozenset[str] = frozenset({"keen", "cleave"})
    not_on_single: frozenset[str] = frozenset({"wide_burst"})

    #: Points per attack: ``level // 2 + archetypes[archetype]``.
    archetypes: dict[str, int] = attrs.field(factory=lambda: dict(ARCHETYPES))

    # -- the rule table (``[rules.d20]`` in a config; see balance.ruletable) ------------------------

    def table(self) -> dict:
        """Every number by dotted name: each entry's numbers, the caps and the archetype bonuses."""
        out: dict = {}
        for kind in ("attack_types", "upgrades", "limits"):
            for entry in getattr(self, kind).values():
                for f in attrs.fields(type(entry)):
                    value = getattr(entry, f.name)
                    if f.name not in ("name", "area") and isinstance(value, int):
                        out[f"{kind}.{entry.name}.{f.name}"] = value
        out["max_upgrades"], out["max_limits"] = self.max_upgrades, self.max_limits
        out.update((f"archetypes.{name}", bonus) for name, bonus in self.archetypes.items())
        return out

    def with_table(self, values: dict) -> "Ruleset":
        kinds = {k: dict(getattr(self, k)) for k in ("attack_types", "upgrades", "limits")}
        archetypes, top = dict(self.archetypes), {}
        for name, value in values.items():
            head, _, rest = name.partition(".")
            if head in kinds:
                entry, _, field = rest.rpartition(".")
                kinds[head][entry] = attrs.evolve(kinds[head][entry], **{field: value})
            elif head == "archetypes":
                archetypes[rest] = value
            else:
                top[name] = value
        return attrs.evolve(self, **kinds, archetypes=archetypes, **top)

    def with_upgrades(self, *upgrades: Upgrade) -> "Ruleset":
        """A copy with more upgrades. The kernel reads every upgrade's numbers (``to_hit``,
        ``damage``, ``dice``, ``crit_lo``, ``targets``, ``cleave``), so a new upgrade made of these
        needs no code."""
        return attrs.evolve(self, upgrades={**self.upgrades, **{u.name: u for u in upgrades}})


#: The d20 game as shipped.
DEFAULT = Ruleset(ATTACK_TYPES, UPGRADES, LIMITS)

LEVELS = range(1, 21)


def proficiency(level: int) -> int:
    return 2 + (level - 1) // 4
