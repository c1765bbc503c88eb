"""The Vitality System catalog as data: attack types, upgrades, limits, exclusions, budgets,
thresholds and decisions.

Numbers follow the project's rulebook (docs/vitality-rules.md). Modifiers are split into a part
multiplied by the attacker's tier (``*_t``) and a flat part, so that one table serves every tier.
Every number here is the default of one entry of the rule table (:mod:`.ruleset`), which a config
overrides in ``[rules.vitality]``; the legality code, the kernels and the policy view read the
effective :class:`~balance_rules.vitality.ruleset.Ruleset`, never these constants directly.
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
        """Every upgrade and limit costs double on the two area types (by default)."""
        return AREA_COST_FACTOR if self.area else 1


#: What upgrades and limits cost on the area types, as a multiple.
AREA_COST_FACTOR = 2

#: The behaviours the kernel implements, each named after the upgrade that has it. An upgrade's
#: ``effects`` lists the ones it has; a built-in upgrade has the behaviour of its own name.
BEHAVIOURS = frozenset({
    "reliable_accuracy", "overhit", "high_impact", "critical_effect", "armor_piercing", "brutal", "barrage",
    "extra_attack", "powerful_critical", "ricochet", "double_tap", "explosive_critical", "bleed",
    "finishing_blow_1", "culling_strike", "splinter", "channeled",
})


@attrs.frozen
class Upgrade:
    """An upgrade: a cost, accuracy and damage modifiers and the behaviours (``effects``) it has.

    A plugin may add one (hook ``balance_rule_extensions``) made of this vocabulary alone: the
    kernel reads nothing else about an upgrade."""

    name: str
    cost: int
    accuracy_t: int = 0
    accuracy_flat: int = 0
    damage_t: int = 0
    damage_flat: int = 0
    #: Gives the crit range (``thresholds.crit_range_lo``-20).
    crit_range: bool = False
    #: Slayers: +T accuracy and damage only against enemies of exactly this max HP (0: none).
    slayer_hp: int = 0
    #: Behaviours from :data:`BEHAVIOURS`; empty means the upgrade's own name, if it is one.
    effects: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)
    #: Attack kinds it may not be bought for: ``direct``, ``area`` (added to the catalog's lists).
    not_on: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)

    @property
    def behaviours(self) -> frozenset[str]:
        return self.effects or (frozenset({self.name}) & BEHAVIOURS)


#: The conditions a limit may have (the kernel's condition bits), each named after its limit.
CONDITIONS = (
    "quickdraw", "patient", "finale", "near_death", "bloodied", "timid", "vengeful", "revenge",
    "unbreakable", "untouchable", "passive", "careful", "combo_move", "relentless", "slaughter",
)


@attrs.frozen
class Limit:
    """A limit: a cost, a bonus ×T to accuracy and damage, and what makes it usable."""

    name: str
    cost: int
    #: Added ×T to both accuracy and damage when the condition holds.
    bonus_t: int
    #: One of :data:`CONDITIONS`; empty means the limit's own name, if it is one.
    condition: str = ""
    #: Unreliable: the d20 result needed for the action to succeed (0: always succeeds).
    dc: int = 0
    not_on: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)

    @property
    def conditions(self) -> frozenset[str]:
        return frozenset({self.condition or self.name}) & frozenset(CONDITIONS)


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
        # Slayers: +T/+T only against enemies of the matching max HP.
        Upgrade("minion_slayer", 2, slayer_hp=10),
        Upgrade("captain_slayer", 2, slayer_hp=25),
        Upgrade("elite_slayer", 2, slayer_hp=50),
        Upgrade("boss_slayer", 2, slayer_hp=100),
        # channeled: (n - 3)×T, capped at +5T; computed by the kernel.
        Upgrade("channeled", 3),
    ]
}

LIMITS: dict[str, Limit] = {
    lim.name: lim
    for lim in [
        Limit("unreliable_1", 2, 1, dc=5),
        Limit("unreliable_2", 3, 3, dc=10),
        Limit("unreliable_3", 2, 6, dc=15),
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


@attrs.frozen
class Thresholds:
    """The numbers inside the behaviours (rulebook section 4), one each."""

    #: brutal: damage before Durability beyond Durability + this ×T adds half the excess.
    brutal_excess_t: int = 5
    #: overhit: an accuracy total beating Avoidance by at least this ×T adds half the margin.
    overhit_margin_t: int = 3
    #: finishing_blow_1: a hit leaving the target at 1 to this many HP defeats it.
    finishing_blow_hp: int = 5
    #: culling_strike: a hit leaving the target below max HP / this defeats it.
    culling_divisor: int = 5
    #: channeled: +(n - this)×T after n consecutive uses ...
    channeled_start: int = 3
    #: ... at most this ×T.
    channeled_cap_t: int = 5
    #: high_impact: the damage roll is this flat value.
    high_impact_roll: int = 15
    #: The crit range upgrades crit from this d20 result (20 without them).
    crit_range_lo: int = 15
    #: A crit adds ×T damage: 1 normally, this with powerful_critical.
    powerful_critical_bonus_t: int = 2


@attrs.frozen
class Decisions:
    """Readings the rulebook leaves open (**[decision]** in docs/vitality-rules.md)."""

    #: armor_piercing ignores the target's endurance, not a buff: its Durability keeps the buff's
    #: durability bonus (false: the rulebook's bare 5 + tier).
    armor_piercing_keeps_buff: bool = True
    #: Follow-up strikes (barrage, extra_attack, double_tap, ricochet, the explosive splash of a
    #: follow-up, splinter) carry the attack's limit bonuses (false: only the main strike has them).
    followups_carry_limit_bonus: bool = True
