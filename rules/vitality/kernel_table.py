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
#: Behaviours that make follow-up strikes (the ``followups`` column).
FOLLOWUP_NAMES = ("barrage", "extra_attack", "double_tap", "ricochet", "explosive_critical", "splinter")
#: The names of behaviours, limits and conditions the table reads, as bits of one int64 per row.
NAME_BIT = {name: i for i, name in enumerate((*COND_BIT, *FOLLOWUP_NAMES, *(
    "high_impact powerful_critical critical_effect armor_piercing overhit brutal bleed finishing_blow_1 "
    "culling_strike channeled reliable_accuracy cooldown charges_1 charges_2 charge_up charge_up_2").split()))}
#: The columns compiled from each row's entries (the derived ones follow), in this order.
COLUMNS = (
    "area direct roll_flat acc dmg crit_lo crit_bonus explode5 high_impact armor_piercing overhit brutal "
    "barrage extra follow bleed finishing culling splinter slayer_hp channeled reliable req cooldown "
    "charges charge_need unreliable basic limit_bonus followups"
).split()


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


def _combinations(rows: Sequence[Build], key, position: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each row's combination of entries (its ``key``: upgrades or limits) as an index into the
    distinct combinations, and those as positions in ``position``, padded with one position past
    the end (an entry that adds nothing). Builds share a few thousand combinations at most."""
    ids: dict = {}
    row_ids = np.fromiter((ids.setdefault(key(b), len(ids)) for b in rows), dtype=np.intp, count=len(rows))
    width = max(map(len, ids), default=0)
    pad = (len(position),) * width
    combos = np.array([(*(position[e] for e in combo), *pad)[:width] for combo in ids], dtype=np.intp)
    return row_ids, combos.reshape(len(ids), width)


def _per(entries: dict, value, pad=0) -> np.ndarray:
    """``value(name, entry)`` for each entry of a ruleset dict, then ``pad`` for the padding position."""
    return np.array([value(k, e) for k, e in entries.items()] + [pad], dtype=np.int64)


def _first_nonzero(values: np.ndarray) -> np.ndarray:
    """Per row, the first non-zero value (0 when there is none)."""
    if values.shape[1] == 0:
        return np.zeros(len(values), dtype=values.dtype)
    return values[np.arange(len(values)), np.argmax(values != 0, axis=1)]


def compile_table(builds: Sequence[Build], attacker: Sequence[int], rules: Ruleset = DEFAULT) -> Table:
    """The rows of ``builds`` under ``rules``. Behaviours are read from each upgrade's ``effects``
    and conditions from each limit's ``condition`` (a plugin's upgrade is made of these), and the
    thresholds of ``rules.thresholds`` are columns too (the same on every row), so that the
    compiled loop reads them as data.

    Column by column: each entry's numbers gathered over the builds' distinct combinations of
    upgrades and of limits (numpy), then over the rows. A loop over the rows, reading each build's
    entries, cost each stage-1 worker about 0.9 s for the default run's 53,113 builds."""
    T = stat(attacker, "tier")
    th = rules.thresholds
    types, upgrades, limits = rules.attack_types, rules.upgrades, rules.limits
    rows = list(builds) + [Build(t) for t in types]
    nb = len(builds)
    tpos = {t: i for i, t in enumerate(types)}
    t = np.fromiter((tpos[b.attack_type] for b in rows), dtype=np.intp, count=len(rows))
    u_row, u_combo = _combinations(rows, lambda b: b.upgrades, {k: i for i, k in enumerate(upgrades)})
    l_row, l_combo = _combinations(rows, lambda b: b.limits, {k: i for i, k in enumerate(limits)})

    def of_type(value):
        return _per(types, value)[t]

    def over_upgrades(value, reduce):  # ``reduce`` of the build's upgrades' values, in their order
        return reduce(_per(upgrades, value)[u_combo])[u_row]

    def over_limits(value, reduce):
        return reduce(_per(limits, value)[l_combo])[l_row]

    def total(v):
        return v.sum(axis=1)

    def either(v):
        return np.bitwise_or.reduce(v, axis=1)

    # What the kernel reads, as bits of NAME_BIT: the upgrades' behaviours, the limits' names and conditions.
    def bits(names):
        return sum(1 << NAME_BIT[n] for n in names if n in NAME_BIT)

    names = (over_upgrades(lambda k, e: bits(e.behaviours), either)
             | over_limits(lambda k, e: bits({k} | e.conditions), either))

    def has(name: str) -> np.ndarray:
        return (names >> NAME_BIT[name]) & 1 == 1

    lim_bonus = over_limits(lambda k, e: e.bonus_t, total) * T
    direct = of_type(lambda k, e: e.direct) != 0
    c: dict[str, np.ndarray] = {}
    c["area"] = of_type(lambda k, e: e.area) != 0
    c["direct"] = direct
    c["roll_flat"] = np.where(direct, of_type(lambda k, e: e.direct_flat + e.direct_flat_t * T),
                              np.where(has("high_impact"), th.high_impact_roll, 0))
    for col, t_field, flat_field in (("acc", "accuracy_t", "accuracy_flat"), ("dmg", "damage_t", "damage_flat")):
        c[col] = (of_type(lambda k, e: getattr(e, t_field) * T)
                  + over_upgrades(lambda k, e: getattr(e, t_field) * T + getattr(e, flat_field), total) + lim_bonus)
    c["limit_bonus"] = lim_bonus
    crit_range = over_upgrades(lambda k, e: bool(e.crit_range), total) > 0
    c["crit_lo"] = np.where(direct, 99, np.where(crit_range, th.crit_range_lo, 20))
    c["crit_bonus"] = np.where(has("powerful_critical"), th.powerful_critical_bonus_t * T, T)
    for col, name in (("explode5", "critical_effect"), ("high_impact", "high_impact"),
                      ("armor_piercing", "armor_piercing"), ("overhit", "overhit"), ("brutal", "brutal"),
                      ("barrage", "barrage"), ("extra", "extra_attack"), ("bleed", "bleed"),
                      ("finishing", "finishing_blow_1"), ("culling", "culling_strike"), ("splinter", "splinter"),
                      ("channeled", "channeled"), ("reliable", "reliable_accuracy"), ("cooldown", "cooldown")):
        c[col] = has(name)
    c["follow"] = np.select([has("double_tap"), has("ricochet"), has("explosive_critical")],
                            [FOLLOW_DOUBLE_TAP, FOLLOW_RICOCHET, FOLLOW_EXPLOSIVE], FOLLOW_NONE)
    c["slayer_hp"] = over_upgrades(lambda k, e: e.slayer_hp, _first_nonzero)
    c["req"] = sum((has(name) * (1 << bit) for name, bit in COND_BIT.items()), np.zeros(len(rows), dtype=np.int64))
    c["charges"] = np.select([has("charges_2"), has("charges_1")], [2, 1], 0)
    c["charge_need"] = np.select([has("charge_up_2"), has("charge_up")], [2, 1], 0)
    c["unreliable"] = over_limits(lambda k, e: e.dc, _first_nonzero)
    c["basic"] = nb + t
    c["followups"] = np.logical_or.reduce([has(n) for n in FOLLOWUP_NAMES])
    cols = {name: c[name] if c[name].dtype == bool else c[name].astype(np.int32) for name in COLUMNS}
    return table_of(rows, cols, attacker, rules)


def table_of(rows: list[Build], cols: dict[str, np.ndarray], attacker: Sequence[int], rules: Ruleset) -> Table:
    """The table of ``rows`` from their :data:`COLUMNS` (compiled from their entries): the columns
    derived from those, the rule table's thresholds and the attacker's numbers added."""
    T = stat(attacker, "tier")
    th = rules.thresholds
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
                        ("chan_start", th.channeled_start), ("chan_cap", th.channeled_cap_t),
                        ("quickdraw_t", th.quickdraw_last_turn), ("patient_t", th.patient_first_turn),
                        ("finale_t", th.finale_first_turn), ("near_death_hp", th.near_death_hp),
                        ("bloodied_hp", th.bloodied_hp), ("cooldown_t", th.cooldown_turns)):
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
