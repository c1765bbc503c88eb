"""The d20 attack table compiled to numbers: one row per build, plus one plain row per attack type
(the basic attacks the engine falls back to when none of a lane's attacks is usable)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from balance.builds import Build
from balance_d20.catalog import DEFAULT, STAT_NAMES, Ruleset, proficiency


@attrs.define(eq=False)
class Table:
    """Numeric columns over rows (all numpy arrays of the same length)."""

    area: np.ndarray  # bool: burst (saving throws, several targets)
    targets: np.ndarray  # enemies an area attack reaches
    to_hit: np.ndarray  # attack-roll bonus, or save DC for area rows
    dice: np.ndarray  # number of damage dice
    die: np.ndarray  # sides of each damage die
    dmg: np.ndarray  # flat damage bonus
    crit_lo: np.ndarray  # lowest natural d20 that crits (21 = never)
    cleave: np.ndarray  # bool
    last_turn: np.ndarray  # usable on turns 1..last_turn only (0 = always)
    fail_on: np.ndarray  # a d20 at or below this wastes the action (0 = never)
    basic: np.ndarray  # the row of the plain attack of the same type

    def __len__(self) -> int:
        return len(self.area)


def stat(block: Sequence[int], name: str) -> int:
    return int(block[STAT_NAMES.index(name)])


def compile_table(builds: Sequence[Build], attacker: Sequence[int], rs: Ruleset = DEFAULT) -> Table:
    level = stat(attacker, "level")
    prof = proficiency(level)
    rows = list(builds) + [Build(t) for t in rs.attack_types]
    basic_row = {t: len(builds) + i for i, t in enumerate(rs.attack_types)}
    cols: dict[str, list] = {f.name: [] for f in attrs.fields(Table)}
    for b in rows:
        t = rs.attack_types[b.attack_type]
        mods = [rs.upgrades[u] for u in b.upgrades] + [rs.limits[x] for x in b.limits]
        ability = stat(attacker, t.ability)
        base_hit = (8 if t.area else 0) + prof + ability  # area: the save DC
        cols["area"].append(t.area)
        cols["targets"].append(t.targets + sum(getattr(m, "targets", 0) for m in mods))
        cols["to_hit"].append(base_hit + sum(m.to_hit for m in mods))
        cols["dice"].append(t.dice + sum(m.dice for m in mods))
        cols["die"].append(t.die)
        cols["dmg"].append(ability + sum(m.damage for m in mods))
        cols["crit_lo"].append(21 if t.area else min([20] + [getattr(m, "crit_lo", 20) for m in mods]))
        cols["cleave"].append(any(getattr(m, "cleave", False) for m in mods))
        cols["last_turn"].append(max([0] + [getattr(m, "last_turn", 0) for m in mods]))
        cols["fail_on"].append(max([0] + [getattr(m, "fail_on", 0) for m in mods]))
        cols["basic"].append(basic_row[b.attack_type])
    return Table(**{name: np.asarray(v, dtype=bool if isinstance(v[0], bool) else np.int64) for name, v in cols.items()})
