"""The Vitality System catalog as data: attack types, upgrades, limits, exclusions, budgets.

Numbers follow the project's rulebook (docs/vitality-rules.md). Modifiers are split into a part
multiplied by the attacker's tier (``*_t``) and a flat part, so that one table serves every tier.
"""

from __future__ import annotations

import attrs

STAT_NAMES = ("focus", "power", "mobility", "endurance", "tier")
#: The bonuses a buff configuration may give: the attacker's accuracy and damage, the defenders'
#: avoidance and durability.
BUFF_FIELDS = ("accuracy", "damage", "avoidance", "durability")


@attrs.frozen
class AttackType:
    name: str
    accuracy_t: int = 0
    damage_t: int = 0
    area: bool = False
    direct: bool = False
    #: Direct types roll a flat value: ``direct_flat + direct_flat_t * T``.
    direct_flat: int = 0
    direct_flat_t: int = 0

    @property
    def cost_factor(self) -> int:
        """Every upgrade and limit costs double on the two area types."""
        return 2 if self.area else 1


@attrs.frozen
class Upgrade:
    name: str
    cost: int
    accuracy_t: int = 0
    accuracy_flat: int = 0
    damage_t: int = 0
    damage_flat: int = 0
    #: Gives crit range 15-20.
    crit_range: bool = False


@attrs.frozen
class Limit:
    name: str
    cost: int
    #: Added ×T to both accuracy and damage when the condition holds.
    bonus_t: int


ATTACK_TYPES: dict[str, AttackType] = {
    t.name: t
    for t in [
        AttackType("melee_ac", accuracy_t=1),
        AttackType("melee_dg", damage_t=1),
        AttackType("ranged"),
        AttackType("area", accuracy_t=-1, damage_t=-1, area=True),
        AttackType("direct_damage", direct=True, direct_flat=15, direct_flat_t=-1),
        AttackType("direct_area_damage", area=True, direct=True, direct_flat=15, direct_flat_t=-2),
    ]
}

UPGRADES: dict[str, Upgrade] = {
    u.name: u
    for u in [
        Upgrade("power_attack", 1, accuracy_t=-1, damage_t=1),
        Upgrade("accurate_attack", 1, accuracy_t=1, damage_t=-1),
        Upgrade("reliable_accuracy", 2, accuracy_flat=-3),
        Upgrade("overhit", 3),
        Upgrade("high_impact", 3),
        Upgrade("critical_effect", 2, damage_flat=-3),
        Upgrade("armor_piercing", 3, accuracy_flat=-1),
        Upgrade("brutal", 2),
        Upgrade("barrage", 2, accuracy_t=-2, damage_t=-2),
        Upgrade("extra_attack", 2, accuracy_t=-1, damage_t=-1),
        Upgrade("powerful_critical", 2, crit_range=True),
        Upgrade("ricochet", 2, crit_range=True),
        Upgrade("double_tap", 3, crit_range=True),
        Upgrade("explosive_critical", 1, accuracy_t=-2, damage_t=-2, crit_range=True),
        Upgrade("bleed", 3, damage_t=-1),
        Upgrade("finishing_blow_1", 2),
        Upgrade("culling_strike", 3),
        Upgrade("splinter", 3, accuracy_t=-2, damage_t=-2),
        # Slayers: +T/+T only against enemies of the matching max HP (see SLAYER_HP).
        Upgrade("minion_slayer", 2),
        Upgrade("captain_slayer", 2),
        Upgrade("elite_slayer", 2),
        Upgrade("boss_slayer", 2),
        # channeled: (n - 3)×T, capped at +5T; computed by the kernel.
        Upgrade("channeled", 3),
    ]
}

#: Slayer upgrade -> the max HP of the enemies it applies to (+T accuracy and damage).
SLAYER_HP: dict[str, int] = {"minion_slayer": 10, "captain_slayer": 25, "elite_slayer": 50, "boss_slayer": 100}

LIMITS: dict[str, Limit] = {
    lim.name: lim
    for lim in [
        Limit("unreliable_1", 2, 1),
        Limit("unreliable_2", 3, 3),
        Limit("unreliable_3", 2, 6),
        Limit("quickdraw", 3, 4),
        Limit("patient", 2, 1),
        Limit("finale", 2, 2),
        Limit("charge_up", 3, 3),
        Limit("charge_up_2", 2, 4),
        Limit("cooldown", 1, 3),
        Limit("charges_1", 1, 6),
        Limit("charges_2", 1, 3),
        Limit("near_death", 1, 6),
        Limit("bloodied", 2, 3),
        Limit("timid", 1, 4),
        Limit("vengeful", 2, 1),
        Limit("revenge", 3, 2),
        Limit("unbreakable", 1, 6),
        Limit("untouchable", 1, 2),
        Limit("passive", 1, 1),
        Limit("careful", 1, 2),
        Limit("combo_move", 2, 1),
        Limit("relentless", 3, 1),
        Limit("slaughter", 2, 3),
    ]
}

#: Unreliable limit -> the d20 result needed for the action to succeed.
UNRELIABLE_DC: dict[str, int] = {"unreliable_1": 5, "unreliable_2": 10, "unreliable_3": 15}

MAX_UPGRADES = 3
MAX_LIMITS = 2

#: At most one member of each group in one build (upgrades and limits together).
EXCLUSIVE_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(g)
    for g in [
        ("double_tap", "explosive_critical", "ricochet"),
        ("powerful_critical", "explosive_critical"),
        ("unreliable_1", "unreliable_2", "unreliable_3"),
        ("quickdraw", "patient", "finale", "cooldown"),
        ("charge_up", "charge_up_2"),
        ("charges_1", "charges_2"),
        ("minion_slayer", "captain_slayer", "elite_slayer", "boss_slayer"),
        ("near_death", "bloodied", "timid"),
        ("slaughter", "relentless", "combo_move"),
        ("revenge", "vengeful", "untouchable", "unbreakable", "careful"),
        ("careful", "timid"),
        ("quickdraw", "timid", "careful"),
        ("quickdraw", "passive"),
        ("quickdraw", "charges_1", "charges_2"),
        ("cooldown", "charges_1", "charges_2"),
        ("timid", "charges_1", "charges_2"),
        ("culling_strike", "splinter", "explosive_critical"),
        ("channeled", "charge_up", "charge_up_2", "charges_1", "charges_2"),
        ("quickdraw", "combo_move", "relentless", "slaughter"),
    ]
)

NOT_ON_DIRECT = frozenset(
    {
        "power_attack", "accurate_attack", "reliable_accuracy", "overhit", "minion_slayer",
        "captain_slayer", "elite_slayer", "boss_slayer", "high_impact", "critical_effect",
        "powerful_critical", "armor_piercing", "extra_attack", "combo_move", "explosive_critical",
        "double_tap", "ricochet", "splinter",
    }
)
NOT_ON_AREA = frozenset({"double_tap", "explosive_critical", "ricochet", "splinter", "culling_strike"})

#: Points per attack by (tier, archetype).
BUDGETS: dict[tuple[int, str], int] = {
    (3, "focused"): 6, (3, "dual_natured"): 4, (3, "versatile_master"): 2,
    (4, "focused"): 8, (4, "dual_natured"): 6, (4, "versatile_master"): 4,
    (5, "focused"): 10, (5, "dual_natured"): 8, (5, "versatile_master"): 6,
}
