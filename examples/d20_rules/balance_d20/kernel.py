"""The d20 combat kernel: the engine's :class:`balance.engine.protocol.Kernel` for the d20 game.

A batch may hold lanes of several cells, so the enemies' armour class, damage reduction and save
bonus are per-lane arrays; the enemies' HP is a (lanes, enemies) array. Single-target attacks strike the first standing enemy
(the scenario's targeting order); ``burst`` hits the first ``targets`` standing enemies.

Dice: every die comes from the engine's counter-based source, ``dice.raw(slot, lanes)``, with a
slot naming the die's role (see :func:`slot`), so the same slot means the same die in every lane
and results do not depend on batching, candidates or workers.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from balance.engine.lanes import LaneState
from balance_d20.catalog import DEFAULT, Ruleset
from balance_d20.table import Table, compile_table, stat
from balance_d20.view import view_for

# Die roles (slot = role * 10_000 + a * 100 + b).
UNRELIABLE, ATTACK, DAMAGE, SAVE = 1, 2, 3, 4
_S32 = np.uint64(32)


def slot(role: int, a: int = 0, b: int = 0) -> int:
    return role * 10_000 + a * 100 + b


def roll(raw: np.ndarray, sides) -> np.ndarray:
    """A die with ``sides`` faces (int or per-lane array) from 64 raw bits: 1..sides.

    Multiply-shift on the top 32 bits: unbiased to within 2**-32 and no modulo."""
    return (((raw >> _S32) * np.asarray(sides, dtype=np.uint64)) >> _S32).astype(np.int64) + 1


class D20State(LaneState):
    """Per-lane state of one batch. Attributes starting with ``c_`` are per cell (never compacted)."""


class D20Kernel:
    """Vectorised d20 combat (see the module docstring) for a ruleset. No options."""

    name = "d20"

    def __init__(self, options: dict[str, Any] | None = None, ruleset: Ruleset = DEFAULT):
        self.options = dict(options or {})
        self.ruleset = ruleset
        self._views: dict = {}

    def compile(self, builds, attacker) -> Table:
        return compile_table(builds, attacker, self.ruleset)

    @staticmethod
    def cell_constants(cell) -> SimpleNamespace:
        """The numbers of one cell: the enemies' defences and the buff's flat bonuses."""
        prof, buff = cell.profile.stats, cell.buff
        return SimpleNamespace(
            index=cell.index,
            ac=stat(prof, "ac") + buff.bonus("avoidance"),
            dr=stat(prof, "dr") + buff.bonus("durability"),
            save=stat(prof, "dex") + stat(prof, "level") // 2,
            # The buff's attacker bonuses apply to every attack roll (or save DC) and damage roll.
            hit_bonus=buff.bonus("accuracy"),
            dmg_bonus=buff.bonus("damage"),
            maxhp=np.asarray(cell.scenario.enemy_hp, dtype=np.int64),
        )

    def start(self, table: Table, cells, lane_cells, slots: np.ndarray) -> D20State:
        st = D20State()
        slots = np.asarray(slots, dtype=np.intp)
        st.n, st.k = slots.shape
        st.tab, st.slots = table, slots
        # A batch may mix cells: every cell number becomes a per-lane array, and scenarios with
        # fewer enemies are padded with enemies that start defeated (0 HP).
        st.consts = [self.cell_constants(c) for c in cells]
        st.lane_cell = np.asarray(lane_cells, dtype=np.intp)
        for name in ("ac", "dr", "save", "hit_bonus", "dmg_bonus"):
            setattr(st, name, np.asarray([getattr(c, name) for c in st.consts], dtype=np.int64)[st.lane_cell])
        E = max(len(c.maxhp) for c in st.consts)
        padded = np.zeros((len(st.consts), E), dtype=np.int64)
        for i, c in enumerate(st.consts):
            padded[i, : len(c.maxhp)] = c.maxhp
        st.hp = padded[st.lane_cell]
        rows = np.unique(slots)
        st.limited = bool((table.last_turn[rows] > 0).any())
        return st

    def compact(self, st: D20State, keep: np.ndarray) -> D20State:
        st.take(keep)
        return st

    def merge(self, st: D20State, fresh: D20State) -> D20State:
        limited = st.limited or fresh.limited
        st.extend(fresh)
        st.limited = limited
        return st

    def usable(self, st: D20State, turn: int):
        if not st.limited:
            return None
        last = st.tab.last_turn[st.slots]
        return (last == 0) | (np.asarray(turn)[..., None] <= last)  # turn: one per lane, or one

    def policy_view(self, st: D20State, turn, fallback: bool, lanes=None):
        return view_for(self, st, turn, fallback, lanes)

    def act(self, st: D20State, choice, fallback, dice, turn: int) -> None:
        tab, lanes = st.tab, np.arange(st.n)
        slot_row = st.slots[:, 0] if st.k == 1 else st.slots[lanes, choice]
        row = np.where(fallback, tab.basic[slot_row], slot_row)
        acting = np.ones(st.n, dtype=bool)
        risky = np.flatnonzero(tab.fail_on[row] > 0)
        if len(risky):
            nat = roll(dice.raw(slot(UNRELIABLE), risky), 20)
            acting[risky[nat <= tab.fail_on[row[risky]]]] = False
        area = tab.area[row]
        burst = np.flatnonzero(acting & area)
        if len(burst):
            self._burst(st, burst, row[burst], dice)
        single = np.flatnonzero(acting & ~area)
        if len(single):
            killed = self._strike(st, single, row[single], dice, strike=0)
            again = killed & tab.cleave[row[single]] & (st.hp[single] > 0).any(1)
            if again.any():
                self._strike(st, single[again], row[single[again]], dice, strike=1)

    def _damage(self, st, idx, rows, dice, strike, n_dice) -> np.ndarray:
        """``n_dice``d``die`` + bonus for each lane (dice beyond a lane's count are not added)."""
        tab = st.tab
        total = tab.dmg[rows] + st.dmg_bonus[idx]
        for d in range(int(n_dice.max(initial=0))):
            face = roll(dice.raw(slot(DAMAGE, strike, d), idx), tab.die[rows])
            total = total + np.where(d < n_dice, face, 0)
        return total

    def _strike(self, st, idx, rows, dice, strike: int) -> np.ndarray:
        """One attack roll per lane at its first standing enemy; returns where it dropped it."""
        tab = st.tab
        target = np.argmax(st.hp[idx] > 0, axis=1)
        nat = roll(dice.raw(slot(ATTACK, strike), idx), 20)
        hit = (nat == 20) | ((nat != 1) & (nat + tab.to_hit[rows] + st.hit_bonus[idx] >= st.ac[idx]))
        crit = hit & (nat >= tab.crit_lo[rows])
        n_dice = tab.dice[rows] * np.where(crit, 2, 1)
        dmg = np.where(hit, np.maximum(self._damage(st, idx, rows, dice, strike, n_dice) - st.dr[idx], 0), 0)
        before = st.hp[idx, target]
        after = np.maximum(before - dmg, 0)
        st.hp[idx, target] = after
        return (before > 0) & (after == 0)

    def _burst(self, st, idx, rows, dice) -> None:
        """One damage roll for all targets; each target saves for half."""
        tab = st.tab
        standing = st.hp[idx] > 0
        reach = standing & (np.cumsum(standing, axis=1) <= tab.targets[rows][:, None])
        total = self._damage(st, idx, rows, dice, 0, tab.dice[rows])
        dc = tab.to_hit[rows] + st.hit_bonus[idx]
        for j in np.flatnonzero(reach.any(0)):
            m = np.flatnonzero(reach[:, j])
            saved = roll(dice.raw(slot(SAVE, 0, j), idx[m]), 20) + st.save[idx[m]] >= dc[m]
            dmg = np.maximum(np.where(saved, total[m] // 2, total[m]) - st.dr[idx[m]], 0)
            st.hp[idx[m], j] = np.maximum(st.hp[idx[m], j] - dmg, 0)

    def end_turn(self, st: D20State, dice, turn: int) -> np.ndarray:
        return ~(st.hp > 0).any(axis=1)
