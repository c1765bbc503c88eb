"""The policy view of the Vitality kernel: expected HP removed this turn by each lane's attacks.

Per cell, every row's expected damage per strike against each enemy position is computed exactly
over the d20 (with advantage where the row has reliable_accuracy) and the damage roll (exploding
3d6 truncated far in the tail, or the flat roll), including crits, overhit, brutal, slayers and
limit bonuses. Follow-ups are approximated by a multiplier from the row's hit and crit chances.
Per lane and turn the view caps the expectation by the HP of the enemies it can reach; a charge-up
attack that is not charged is spread over the turns it still needs, and unreliable attacks are
weighed by their success chance. Only numbers: policies never see names.
"""

from __future__ import annotations

from types import SimpleNamespace

import attrs
import numpy as np

from balance.engine.lanes_np import gather
from balance_rules.vitality.kernel_table import FOLLOW_DOUBLE_TAP, FOLLOW_EXPLOSIVE, FOLLOW_RICOCHET


@attrs.define
class ExpectedView:
    """``expected`` (lanes, k): expected enemy HP removed this turn if the lane picks that slot;
    ``hp`` (lanes, enemies): the enemies' current HP (0 = defeated); ``turn`` (lanes,): each lane's
    turn of its combat."""

    expected: np.ndarray
    hp: np.ndarray
    turn: np.ndarray


def _exploding_pmf(explode_lo: int, max_value: int = 90) -> np.ndarray:
    one = np.zeros(max_value + 1)
    for face in range(1, 7):
        if face < explode_lo:
            one[face] += 1 / 6
    # v = face + continuation for exploding faces (repeat until the tail is negligible)
    cont = one.copy()
    for _ in range(30):
        new = one.copy()
        for face in range(explode_lo, 7):
            new[face:] += cont[: max_value + 1 - face] / 6
        cont = new
    pmf = cont
    total = pmf
    for _ in range(2):
        total = np.convolve(total, pmf)[: max_value + 1]
    return total


_PMF = {6: _exploding_pmf(6), 5: _exploding_pmf(5)}


class _Rows:
    """The table columns of a subset of rows (so expectations are computed only where needed)."""

    def __init__(self, tab, rows):
        self._tab, self._rows = tab, rows

    def __getattr__(self, name):
        return getattr(self._tab, name)[self._rows]


def _tails(pmf):
    """T0[t + 1] = P(v > t) and T1[t + 1] = E[v; v > t] for t = -1 .. V - 1."""
    v = np.arange(len(pmf))
    t0 = np.concatenate([[1.0], 1.0 - np.cumsum(pmf)])
    t1 = np.concatenate([[float((v * pmf).sum())], (v * pmf).sum() - np.cumsum(v * pmf)])
    return t0, t1


_TAILS = {e: _tails(p) for e, p in _PMF.items()}


def _expected_damage(tab, base, dur, T):
    """(R, 20) E[max(roll + base - dur, 0)] (with brutal where the row has it) over each row's roll."""
    V = len(_PMF[6])
    out = np.zeros(base.shape)
    flat = tab.roll_flat > 0
    brutal = tab.brutal
    d2 = np.broadcast_to(dur, base.shape) if np.ndim(dur) else dur
    # flat rolls
    pre_flat = base + tab.roll_flat[:, None]
    ex = pre_flat - (d2 + tab.thresholds.brutal_excess_t * T)
    pre_flat = pre_flat + np.where(brutal[:, None] & (ex > 0), ex // 2, 0)
    out = np.where(flat[:, None], np.maximum(pre_flat - d2, 0), 0.0)
    # dice rolls without brutal: closed form from the roll's tail sums
    t = np.clip(d2 - base, -1, V - 1) + 1
    for e5, lo in ((False, 6), (True, 5)):
        t0, t1 = _TAILS[lo]
        m = (~flat & ~brutal & (tab.explode5 == e5))[:, None]
        out = np.where(m, t1[t] + (base - d2) * t0[t], out)
    # dice rolls with brutal: sum over the roll's values
    rb = np.flatnonzero(~flat & brutal)
    if len(rb):
        values = np.arange(V)
        pv = np.where(tab.explode5[rb][:, None], _PMF[5][None, :], _PMF[6][None, :])
        db = d2[rb][:, :, None]
        pre = base[rb][:, :, None] + values[None, None, :]
        excess = pre - (db + tab.thresholds.brutal_excess_t * T)
        pre = pre + np.where(excess > 0, excess // 2, 0)
        out[rb] = (np.maximum(pre - db, 0) * pv[:, None, :]).sum(2)
    return out


def _row_expectations(st, rows):
    """(len(rows), E) expected damage per strike, and hit and crit chances, vs this cell."""
    T = st.T
    tab = _Rows(st.tab, rows)
    tab = SimpleNamespace(**{k: getattr(tab, k) for k in (
        "reliable", "armor_piercing", "slayer_hp", "acc", "dmg", "direct", "crit_lo", "overhit", "crit_bonus",
        "roll_flat", "brutal", "explode5")}, thresholds=st.tab.rules.thresholds)
    R = len(rows)
    r = np.arange(1, 21)
    p_plain = np.full(20, 1 / 20)
    p_adv = (2 * r - 1) / 400.0
    pr = np.where(tab.reliable[:, None], p_adv[None, :], p_plain[None, :])  # (R, 20)
    exp = np.zeros((R, st.E))
    p_hit = np.zeros(R)
    p_crit = np.zeros(R)
    dur = np.broadcast_to(np.where(tab.armor_piercing, st.dur_ap, st.dur)[:, None], (R, 20))
    by_hp = {}
    for j in range(st.E):
        hp = int(st.c_maxhp[j])
        if hp in by_hp:  # enemies with the same max HP get the same numbers
            exp[:, j] = exp[:, by_hp[hp]]
            continue
        by_hp[hp] = j
        slay = np.where(tab.slayer_hp == hp, T, 0)
        acc = (tab.acc + st.acc_base + slay)[:, None]
        total = r[None, :] + acc  # (R, 20)
        hit = (total >= st.avoid) | tab.direct[:, None]
        crit = hit & (r[None, :] >= tab.crit_lo[:, None])
        margin = total - st.avoid
        oh = np.where(tab.overhit[:, None] & (margin >= tab.thresholds.overhit_margin_t * T) & ~tab.direct[:, None],
                      margin // 2, 0)
        base = (tab.dmg + st.dmg_base + slay)[:, None] + np.where(crit, tab.crit_bonus[:, None], 0) + oh  # (R,20)
        ed = _expected_damage(tab, base, dur, T)
        exp[:, j] = (pr * np.where(hit, ed, 0)).sum(1)
        if j == 0:
            p_hit = (pr * hit).sum(1)
            p_crit = (pr * crit).sum(1)
    return exp, p_hit, p_crit


def _multiplier(tab, p_hit, p_crit):
    """Rough number of strikes per turn from follow-ups (the view's approximation)."""
    m = np.ones(len(p_hit))
    m = m * np.where(tab.barrage, 3.0, 1.0)
    m = m * np.where(tab.extra, 1.0 + p_hit, 1.0)
    m = m * np.where(tab.follow == FOLLOW_DOUBLE_TAP, 1.0 + p_crit, 1.0)
    m = m * np.where(tab.follow == FOLLOW_RICOCHET, 1.0 + 2 * p_crit, 1.0)
    m = m * np.where(tab.follow == FOLLOW_EXPLOSIVE, 1.0 + p_crit, 1.0)
    return m


def _cell_expectations(kernel, st, ci: int, rows_needed: np.ndarray) -> np.ndarray:
    """(rows of the table, E) cached expectations of cell ``ci`` of the batch, filled where needed."""
    tab = st.tab
    key = st.view_keys[ci]
    exp = kernel._views.get(key)
    if exp is None:
        if len(kernel._views) > 64:
            kernel._views.clear()
        exp = kernel._views[key] = np.full((len(tab.acc), st.E), np.nan)
    missing = rows_needed[np.isnan(exp[rows_needed, 0])]
    if len(missing):
        c = st.consts[ci]
        one = SimpleNamespace(tab=tab, T=st.T, E=len(c.maxhp), c_maxhp=c.maxhp, avoid=c.avoid, dur=c.dur,
                              dur_ap=c.dur_ap, acc_base=c.acc_base, dmg_base=c.dmg_base)
        e, p_hit, p_crit = _row_expectations(one, missing)
        exp[missing] = 0.0
        exp[missing, : one.E] = e * _multiplier(_Rows(tab, missing), p_hit, p_crit)[:, None]
    return exp


def _batch_expectations(kernel, st) -> np.ndarray:
    """(cells of the batch, table rows, E): computed once per batch for every row its lanes use
    (NaN for the others)."""
    empty = np.full((len(st.consts), len(st.tab.acc), st.E), np.nan)
    return extend_expectations(kernel, st, st, empty)


def extend_expectations(kernel, st, fresh, expected: np.ndarray) -> np.ndarray:
    """``expected`` (a batch's cached expectations) filled for the rows that the lanes of
    ``fresh`` use: a state merged into the batch ``st``, or ``st`` itself."""
    R = expected.shape[1]
    rows_all = np.concatenate([fresh.slots, st.tab.basic[fresh.slots]], axis=1)
    codes = np.unique(fresh.lane_cell[:, None] * R + rows_all)
    cells, rows = codes // R, codes % R
    missing = np.isnan(expected[cells, rows, 0])
    for ci in np.unique(cells[missing]).tolist():
        need = rows[missing & (cells == ci)]
        expected[ci, need] = _cell_expectations(kernel, st, ci, need)[need]
    return expected


def expected_view(kernel, st, fallback: bool, turn=0, lanes=None) -> ExpectedView:
    """The view of every lane, or of the lanes ``lanes`` (an index array) only."""
    tab = st.tab
    if getattr(st, "c_expected", None) is None:
        st.c_expected = _batch_expectations(kernel, st)
    stacked = st.c_expected  # (cells, rows, E)
    R, E = stacked.shape[1], stacked.shape[2]
    flat_exp = stacked.reshape(-1)

    def per_lane(a):
        return a if lanes is None else gather(a, lanes)

    slots, lane_cell, hp, first = per_lane(st.slots), per_lane(st.lane_cell), per_lane(st.hp), per_lane(st.first)
    L, k = slots.shape
    slot_rows = gather(tab.basic, slots) if fallback else slots
    # Positions of each lane's (cell, row) block in flat_exp; fixed for a lane's life, so kept in the
    # state for the common call (every lane, its own attacks).
    at = st.view_at if lanes is None and not fallback else (lane_cell * (R * E))[:, None] + slot_rows * E
    hp_first = gather(hp.reshape(-1), np.arange(L) * hp.shape[1] + first)
    out = np.empty((L, k))
    for j in range(k):
        rows = slot_rows[:, j]
        # single target: the first standing enemy, capped by its HP
        v = np.minimum(gather(flat_exp, at[:, j] + first), hp_first)
        area = np.flatnonzero(gather(tab.area, rows))
        if len(area):
            e = stacked[lane_cell[area], rows[area]]  # (n, E)
            h = gather(hp, area)
            v[area] = (np.minimum(e, h) * (h > 0)).sum(1)
        if not fallback:
            # an uncharged attack spreads over the turns it still needs; unreliable ones may fail
            if st.any_unreliable:
                v = v * gather(tab.success_chance, rows)
            if st.any_charge:
                v = v / (np.maximum(gather(tab.charge_need, rows) - per_lane(st.charge)[:, j], 0) + 1)
            if st.any_channeled:
                th = st.tab.rules.thresholds
                v = v + gather(tab.channeled, rows) * (
                    np.minimum(per_lane(st.chan)[:, j] - th.channeled_start, th.channeled_cap_t) * (st.T * 0.5))
        out[:, j] = v
    return ExpectedView(expected=out, hp=hp, turn=turn)
