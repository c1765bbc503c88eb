"""The d20 kernel's policy view: per lane and attack slot, numbers only (never names).

- ``expected`` (lanes, k): expected enemy HP removed this turn, each enemy's share capped by its
  HP (what the built-in ``default`` policy maximises);
- ``kill_chance`` (lanes, k): probability the attack drops the current target (the first standing
  enemy) this turn (what the example ``finisher`` policy reads);
- ``turn`` and ``enemies_standing`` (lanes,).

Both numbers are exact for one strike: per cell and row the damage distribution on a hit, a
critical hit or a save is computed by convolving the dice, and turned into two lookup tables over
the target's HP (``E[min(D, h)]`` and ``P(D >= h)``). Cleave's second strike is not counted.
"""

from __future__ import annotations

import attrs
import numpy as np


@attrs.define
class D20View:
    expected: np.ndarray
    kill_chance: np.ndarray
    turn: int
    enemies_standing: np.ndarray


def _dice_pmf(n: int, sides: int) -> np.ndarray:
    """pmf of the sum of ``n`` dice with ``sides`` faces, indexed by the sum."""
    pmf = np.array([1.0])
    face = np.r_[0.0, np.full(sides, 1.0 / sides)]
    for _ in range(n):
        pmf = np.convolve(pmf, face)
    return pmf


def _shift_clip(pmf: np.ndarray, shift: int, size: int, halve: bool = False) -> np.ndarray:
    """Distribution of ``max((halve ? S // 2 : S) + shift, 0)`` for S ~ pmf, on 0..size-1."""
    out = np.zeros(size)
    for s, p in enumerate(pmf):
        if p:
            v = (s // 2 if halve else s) + shift
            out[min(max(v, 0), size - 1)] += p
    return out


def row_tables(tab, c, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(len(rows), H + 1) tables over a target's HP h: ``E[min(D, h)]`` and ``P(D >= h)``, for the
    rows of ``tab`` in the cell whose numbers are ``c`` (see ``D20Kernel.cell_constants``)."""
    H = int(c.maxhp.max())
    nat = np.arange(1, 21)
    capped = np.zeros((len(rows), H + 1))
    kill = np.zeros((len(rows), H + 1))
    size = H + 1  # damage >= H kills any enemy: clip there
    for i, r in enumerate(rows):
        bonus = int(tab.dmg[r]) + c.dmg_bonus - c.dr
        plain = _dice_pmf(int(tab.dice[r]), int(tab.die[r]))
        if tab.area[r]:
            p_save = float(np.mean(nat + c.save >= tab.to_hit[r] + c.hit_bonus))
            # A save halves the rolled total (dice + bonus); damage reduction comes after.
            full = _shift_clip(plain, int(tab.dmg[r]) + c.dmg_bonus, len(plain) + 64)
            half = _shift_clip(full, 0, len(full), halve=True)
            dist = (1 - p_save) * _shift_clip(full, -c.dr, size) + p_save * _shift_clip(half, -c.dr, size)
        else:
            hit = (nat == 20) | ((nat != 1) & (nat + tab.to_hit[r] + c.hit_bonus >= c.ac))
            crit = hit & (nat >= tab.crit_lo[r])
            p_hit, p_crit = float(np.mean(hit & ~crit)), float(np.mean(crit))
            double = _dice_pmf(2 * int(tab.dice[r]), int(tab.die[r]))
            dist = p_hit * _shift_clip(plain, bonus, size) + p_crit * _shift_clip(double, bonus, size)
            dist[0] += 1 - p_hit - p_crit
        if tab.fail_on[r]:
            p_fail = tab.fail_on[r] / 20
            dist = dist * (1 - p_fail)
            dist[0] += p_fail
        survive = 1 - np.cumsum(dist)  # P(D > x), x = 0..H
        capped[i, 1:] = np.cumsum(survive)[:H]  # E[min(D, h)] = sum_{x<h} P(D > x)
        kill[i, 0] = 1.0
        kill[i, 1:] = survive[:H]  # P(D >= h) = P(D > h - 1)
    return capped, kill


def _cell_tables(kernel, tab, c, rows: np.ndarray):
    """The cached tables of one cell, filled for ``rows`` where still missing."""
    # The table object itself, not its id: a cached entry keeps its table alive, so a new table can
    # never be mistaken for it (ids of collected objects are reused).
    key = (tab, c.index)
    cache = kernel._views.get(key)
    if cache is None:
        if len(kernel._views) > 64:
            kernel._views.clear()
        H = int(c.maxhp.max())
        cache = kernel._views[key] = (np.full((len(tab), H + 1), np.nan), np.zeros((len(tab), H + 1)))
    capped, kill = cache
    missing = rows[np.isnan(capped[rows, 0])]
    if len(missing):
        capped[missing], kill[missing] = row_tables(tab, c, missing)
    return capped, kill


def view_for(kernel, st, turn, fallback: bool, only=None) -> D20View:
    """The view of every lane, or of the lanes ``only`` (an index array), in that order."""
    tab = st.tab
    slots = st.slots if only is None else st.slots[only]
    lane_cell = st.lane_cell if only is None else st.lane_cell[only]
    hp_all = st.hp if only is None else st.hp[only]
    rows_all = tab.basic[slots] if fallback else slots
    standing = hp_all > 0
    rank = np.cumsum(standing, axis=1)
    expected = np.empty((len(slots), st.k))
    kill_chance = np.empty((len(slots), st.k))
    for ci, c in enumerate(st.consts):
        lanes = np.flatnonzero(lane_cell == ci)
        if len(lanes) == 0:
            continue
        rows_c = rows_all[lanes]
        capped, kill = _cell_tables(kernel, tab, c, np.unique(rows_c))
        # Padding enemies (beyond this cell's scenario) have 0 HP: they add nothing below.
        hp = np.minimum(hp_all[lanes], capped.shape[1] - 1)
        stand = standing[lanes]
        first = np.argmax(stand, axis=1)
        h_first = hp[np.arange(len(lanes)), first]
        for j in range(st.k):
            rows = rows_c[:, j]
            reach = stand & (rank[lanes] <= tab.targets[rows][:, None])
            area = (capped[rows[:, None], hp] * reach).sum(1)
            expected[lanes, j] = np.where(tab.area[rows], area, capped[rows, h_first])
            kill_chance[lanes, j] = kill[rows, h_first]
    return D20View(expected, kill_chance, turn, standing.sum(1))
