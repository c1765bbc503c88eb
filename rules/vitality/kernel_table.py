"""The Vitality attack table compiled to numbers: one row per build, plus one plain row per attack
type (the basic attacks used when nothing is usable)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from balance.builds import Build
from balance_rules.vitality.catalog import STAT_NAMES
from balance_rules.vitality.ruleset import DEFAULT, Ruleset

# Conditions that hold or fail for the whole lane this turn (bit positions of ``req``).
QUICKDRAW, PATIENT, FINALE, NEAR_DEATH, BLOODIED, TIMID = 0, 1, 2, 3, 4, 5
VENGEFUL, REVENGE, UNBREAKABLE, UNTOUCHABLE, PASSIVE, CAREFUL = 6, 7, 8, 9, 10, 11
COMBO, RELENTLESS, SLAUGHTER = 12, 13, 14
COND_BIT = {
    "quickdraw": QUICKDRAW, "patient": PATIENT, "finale": FINALE, "near_death": NEAR_DEATH,
    "bloodied": BLOODIED, "timid": TIMID, "vengeful": VENGEFUL, "revenge": REVENGE,
    "unbreakable": UNBREAKABLE, "untouchable": UNTOUCHABLE, "passive": PASSIVE, "careful": CAREFUL,
    "combo_move": COMBO, "relentless": RELENTLESS, "slaughter": SLAUGHTER,
}
#: Conditions that read the attacker's HP or the enemies' retaliation.
RETALIATION_BITS = sum(1 << b for b in (NEAR_DEATH, BLOODIED, TIMID, VENGEFUL, REVENGE, UNBREAKABLE, UNTOUCHABLE, CAREFUL))
#: Conditions that need the retaliation's damage, not only whether it hit.
DAMAGE_BITS = sum(1 << b for b in (NEAR_DEATH, BLOODIED, TIMID, REVENGE, UNBREAKABLE, CAREFUL))
#: Action-based conditions, checked on the first charging turn only (6a.2).
ACTION_BITS = (1 << COMBO) | (1 << RELENTLESS) | (1 << SLAUGHTER)

FOLLOW_NONE, FOLLOW_DOUBLE_TAP, FOLLOW_RICOCHET, FOLLOW_EXPLOSIVE = 0, 1, 2, 3
#: Bits of ``trigger``: what makes a main attack go through the follow-up strike stack (barrage or
#: splinter always; double_tap, ricochet or explosive_critical on a critical; extra_attack on damage).
TRIGGER_ALWAYS, TRIGGER_CRIT, TRIGGER_DAMAGE = 1, 2, 4


@attrs.define(eq=False, slots=False)
class Table:
    """Numeric columns over rows; ``basic[row]`` is the row of that build's plain attack type."""

    builds: list
    tier: int
    #: The rules the rows were compiled under (their thresholds: ``rules.thresholds``).
    rules: Ruleset
    acc_bonus: int  # attacker tier + focus
    dmg_bonus: int  # attacker tier + power
    attacker_avoidance: int
    attacker_durability: int
    cols: dict  # name -> np.ndarray over rows
    any: dict  # name -> bool: does any row use the feature

    def __getattr__(self, name):
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None


def stat(block: Sequence[int], name: str) -> int:
    return int(block[STAT_NAMES.index(name)])


def compile_table(builds: Sequence[Build], attacker: Sequence[int], rules: Ruleset = DEFAULT) -> Table:
    """The rows of ``builds`` under ``rules``. Behaviours are read from each upgrade's ``effects``
    and conditions from each limit's ``condition`` (a plugin's upgrade is made of these), and the
    thresholds of ``rules.thresholds`` are columns too (the same on every row), so that the
    compiled loop reads them as data."""
    T = stat(attacker, "tier")
    th = rules.thresholds
    types, upgrades, limits = rules.attack_types, rules.upgrades, rules.limits
    rows = list(builds) + [Build(t) for t in types]
    nb = len(builds)
    type_row = {t: nb + i for i, t in enumerate(types)}
    c: dict[str, list] = {name: [] for name in (
        "area direct roll_flat acc dmg crit_lo crit_bonus explode5 high_impact armor_piercing overhit brutal "
        "barrage extra follow bleed finishing culling splinter slayer_hp channeled reliable req cooldown "
        "charges charge_need unreliable basic limit_bonus followups"
    ).split()}
    for b in rows:
        at = types[b.attack_type]
        ups = [upgrades[u] for u in b.upgrades]
        lims = [limits[x] for x in b.limits]
        # What the kernel reads: the upgrades' behaviours, the limits' conditions and names.
        names = set(b.limits).union(*(u.behaviours for u in ups), *(x.conditions for x in lims))
        lim_bonus = sum(x.bonus_t for x in lims) * T
        c["area"].append(at.area)
        c["direct"].append(at.direct)
        c["roll_flat"].append(at.direct_flat + at.direct_flat_t * T if at.direct
                              else (th.high_impact_roll if "high_impact" in names else 0))
        c["acc"].append(at.accuracy_t * T + sum(u.accuracy_t * T + u.accuracy_flat for u in ups) + lim_bonus)
        c["dmg"].append(at.damage_t * T + sum(u.damage_t * T + u.damage_flat for u in ups) + lim_bonus)
        c["limit_bonus"].append(lim_bonus)
        crit_range = any(u.crit_range for u in ups)
        c["crit_lo"].append(99 if at.direct else (th.crit_range_lo if crit_range else 20))
        c["crit_bonus"].append(th.powerful_critical_bonus_t * T if "powerful_critical" in names else T)
        c["explode5"].append("critical_effect" in names)
        c["high_impact"].append("high_impact" in names)
        c["armor_piercing"].append("armor_piercing" in names)
        c["overhit"].append("overhit" in names)
        c["brutal"].append("brutal" in names)
        c["barrage"].append("barrage" in names)
        c["extra"].append("extra_attack" in names)
        follow = (FOLLOW_DOUBLE_TAP if "double_tap" in names else FOLLOW_RICOCHET if "ricochet" in names
                  else FOLLOW_EXPLOSIVE if "explosive_critical" in names else FOLLOW_NONE)
        c["follow"].append(follow)
        c["bleed"].append("bleed" in names)
        c["finishing"].append("finishing_blow_1" in names)
        c["culling"].append("culling_strike" in names)
        c["splinter"].append("splinter" in names)
        c["slayer_hp"].append(next((u.slayer_hp for u in ups if u.slayer_hp), 0))
        c["channeled"].append("channeled" in names)
        c["reliable"].append("reliable_accuracy" in names)
        c["req"].append(sum(1 << COND_BIT[x] for x in sorted(names) if x in COND_BIT))
        c["cooldown"].append("cooldown" in names)
        c["charges"].append(2 if "charges_2" in names else 1 if "charges_1" in names else 0)
        c["charge_need"].append(2 if "charge_up_2" in names else 1 if "charge_up" in names else 0)
        c["unreliable"].append(next((x.dc for x in lims if x.dc), 0))
        c["basic"].append(type_row[b.attack_type])
        c["followups"].append(bool(names & {"barrage", "extra_attack", "double_tap", "ricochet", "explosive_critical", "splinter"}))
    cols = {}
    for name, values in c.items():
        dtype = bool if isinstance(values[0], bool) else np.int32
        cols[name] = np.asarray(values, dtype=dtype)
    cols["limited"] = (cols["req"] != 0) | cols["cooldown"] | (cols["charges"] > 0) | (cols["charge_need"] > 0)
    cols["trigger"] = ((cols["barrage"] | cols["splinter"]) * TRIGGER_ALWAYS + (cols["follow"] > 0) * TRIGGER_CRIT
                       + cols["extra"] * TRIGGER_DAMAGE).astype(np.int32)
    # The chance that the attack is not wasted by its unreliable roll (the policy view's weight).
    cols["success_chance"] = np.where(cols["unreliable"] > 0, (21 - cols["unreliable"]) / 20.0, 1.0)
    cols["retaliation"] = (cols["req"] & RETALIATION_BITS) != 0
    cols["retaliation_damage"] = (cols["req"] & DAMAGE_BITS) != 0
    # The behaviours' thresholds (rule table ``thresholds.*``), one value on every row.
    for name, value in (("brutal_t", th.brutal_excess_t), ("overhit_t", th.overhit_margin_t),
                        ("finish_hp", th.finishing_blow_hp), ("cull_div", th.culling_divisor),
                        ("chan_start", th.channeled_start), ("chan_cap", th.channeled_cap_t)):
        cols[name] = np.full(len(rows), value, dtype=np.int32)
    keep = rules.decisions.followups_carry_limit_bonus
    cols["followup_drop"] = (cols["limit_bonus"] * (not keep)).astype(np.int32)
    return Table(
        builds=rows,
        tier=T,
        rules=rules,
        acc_bonus=T + stat(attacker, "focus"),
        dmg_bonus=T + stat(attacker, "power"),
        attacker_avoidance=10 + T + stat(attacker, "mobility"),
        attacker_durability=5 + T + stat(attacker, "endurance"),
        cols=cols,
        any={k: bool(np.any(v)) for k, v in cols.items()},
    )
