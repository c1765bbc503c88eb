"""The attack table compiled column by column (numpy gathers over the catalog's entries) equals
the row-by-row loop it replaced, on every column and row: every build of the default run's
enumeration, under the rulebook, under changed thresholds, decisions and numbers, with plugin
entries, and for attackers of other tiers. The loop below is the previous ``compile_table``,
kept verbatim as the oracle (it read each build's entries one at a time) for the columns compiled
from the entries; the columns derived from those, which the rewrite did not touch, both take from
``table_of``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from balance.builds import Build
from balance_rules.vitality.catalog import Limit, Upgrade
from balance_rules.vitality.kernel_table import (
    COND_BIT, FOLLOW_DOUBLE_TAP, FOLLOW_EXPLOSIVE, FOLLOW_NONE, FOLLOW_RICOCHET, Table, compile_table, stat,
    table_of,
)
from balance_rules.vitality.rules import VitalityRules
from balance_rules.vitality.ruleset import DEFAULT, Ruleset

ATTACKER = (2, 2, 2, 2, 4)  # the default config's attacker (tier 4)


def loop_table(builds: Sequence[Build], attacker: Sequence[int], rules: Ruleset = DEFAULT) -> Table:
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
    return table_of(rows, cols, attacker, rules)


def assert_same(new: Table, old: Table) -> None:
    assert list(new.cols) == list(old.cols)
    for name in old.cols:
        a, b = new.cols[name], old.cols[name]
        assert a.dtype == b.dtype, name
        assert a.shape == b.shape, name
        assert np.array_equal(a, b), (name, np.flatnonzero(a != b)[:5])
    assert new.any == old.any
    assert new.builds == old.builds
    for k in ("tier", "acc_bonus", "dmg_bonus", "attacker_avoidance", "attacker_durability"):
        assert getattr(new, k) == getattr(old, k), k


def builds_of(ruleset: Ruleset) -> list[Build]:
    rules = VitalityRules(ruleset)
    return list(rules.enumerate_builds(rules.budget()))


@pytest.fixture(scope="module")
def default_builds():
    return builds_of(DEFAULT)


def test_every_build_of_the_default_run_compiles_to_the_loops_rows(default_builds):
    assert len(default_builds) == 53_113  # the default run's stage 1
    assert_same(compile_table(default_builds, ATTACKER), loop_table(default_builds, ATTACKER))


@pytest.mark.parametrize("attacker", [(0, 0, 0, 0, 1), (5, 1, 3, 0, 6)])
def test_other_attackers(default_builds, attacker):
    some = default_builds[::7]
    assert_same(compile_table(some, attacker), loop_table(some, attacker))


@pytest.mark.parametrize("values", [
    {"thresholds.high_impact_roll": 12, "thresholds.crit_range_lo": 17, "thresholds.powerful_critical_bonus_t": 3,
     "thresholds.brutal_excess_t": 4, "thresholds.cooldown_turns": 2},
    {"decisions.followups_carry_limit_bonus": False},
    {"upgrades.power_attack.damage_t": 2, "upgrades.accurate_attack.accuracy_flat": 3,
     "limits.unreliable_2.dc": 11, "limits.quickdraw.bonus_t": 2, "upgrades.minion_slayer.slayer_hp": 12,
     "attack_types.direct_damage.direct_flat": 9},
])
def test_changed_rules(default_builds, values):
    rules = DEFAULT.with_table(values)
    some = default_builds[::5]
    assert_same(compile_table(some, ATTACKER, rules), loop_table(some, ATTACKER, rules))


def test_plugin_entries_and_builds_without_enhancements():
    rules = DEFAULT.with_entries([
        Upgrade("keen_edge", cost=2, accuracy_flat=1, crit_range=True, slayer_hp=30, not_on={"direct"}),
        Upgrade("twin", 2, effects={"bleed", "double_tap"}),
        Limit("last_stand", cost=2, bonus_t=8, condition="near_death", dc=7),
        Limit("plain", 1, 1),
    ])
    builds = builds_of(rules)
    assert any("keen_edge" in b.upgrades and "twin" in b.upgrades for b in builds)
    assert any("last_stand" in b.limits for b in builds)
    for some in (builds[::3], [Build(t) for t in rules.attack_types], []):
        assert_same(compile_table(some, ATTACKER, rules), loop_table(some, ATTACKER, rules))
