"""Resolving strikes: single-target strikes, area swings and explosive splashes, vectorised over
lanes. A strike reads its dice from slots keyed by the strike's number within the turn."""

from __future__ import annotations

import numpy as np

from balance.engine.lanes_np import gather, select
from balance_rules.vitality.kernel_dice import ADVANTAGE, ATTACK, EXPLODE, d20, exploding_3d6, slot

_ONE = np.int32(1)


# Lane subsets are index arrays; ``None`` means every lane of the batch, in order (the main strike
# of a turn in which every lane attacks), which saves the gathers and scatters.


def lane_value(v, idx):
    """A cell number for lanes ``idx``: a scalar (one-cell batch) or the lanes' entries."""
    return v if np.ndim(v) == 0 or idx is None else gather(v, idx)


def _flat(st, idx, tgt):
    """Positions of (lane, enemy) in the flattened (lanes, E) arrays."""
    base = np.arange(st.n) if idx is None else idx
    return base * st.E + tgt


def maxhp_at(st, idx, tgt):
    """Max HP of enemy ``tgt`` of each lane ``idx``."""
    if st.c_maxhp is not None:
        return gather(st.c_maxhp, tgt)
    return gather(st.maxhp.reshape(-1), _flat(st, idx, tgt))


def maxhp_rows(st, idx):
    """(lanes, E) max HP (broadcastable (1, E) for a one-cell batch)."""
    return st.c_maxhp[None, :] if st.c_maxhp is not None else gather(st.maxhp, idx)


def _explode_slots(s):
    return lambda r: slot(EXPLODE, s, r)


def _damage_roll(st, rows, raw, s, idx):
    """Each strike's damage roll: a flat value (direct types, high_impact) or exploding 3d6."""
    tab = st.tab
    if st.all_flat:
        return gather(tab.roll_flat, rows)
    e5 = gather(tab.explode5, rows) if st.any_explode5 else 0
    roll = exploding_3d6(raw, e5, st.dice, _explode_slots(s), idx)
    if st.any_flat:
        # Rolling dice for flat rows too is cheaper than splitting the lanes; their dice are unused.
        flat = gather(tab.roll_flat, rows)
        roll = select(flat > 0, flat, roll)
    return roll


def _accuracy_die(st, rows, raw, s, sub, idx):
    """The kept d20: the higher of two where the row has reliable_accuracy."""
    r = d20(raw)
    if st.any_reliable:
        m = np.flatnonzero(gather(st.tab.reliable, rows))
        if len(m):
            ss = s if np.ndim(s) == 0 else s[m]
            r2 = d20(st.dice.raw(slot(ADVANTAGE, ss, sub), m if idx is None else idx[m]))
            r[m] = np.maximum(r[m], r2)
    return r


def _modifiers(st, idx, rows, s=0):
    """Each strike's accuracy and damage modifiers: the row's, the attacker's (with the buff's) and
    channeled's bonus. A follow-up strike (strike number ``s`` > 0: an array of them) drops the
    limit bonus when the rule table decides that follow-ups do not carry it."""
    acc = gather(st.tab.acc, rows) + lane_value(st.acc_base, idx)
    dmg_mod = gather(st.tab.dmg, rows) + lane_value(st.dmg_base, idx)
    if (np.ndim(s) > 0 or s > 0) and not st.tab.rules.decisions.followups_carry_limit_bonus:
        drop = gather(st.tab.limit_bonus, rows)
        acc = acc - drop
        dmg_mod = dmg_mod - drop
    if st.bonus is not None:
        b = lane_value(st.bonus, idx)
        acc = acc + b
        dmg_mod = dmg_mod + b
    return acc, dmg_mod


def _durability(st, idx, rows):
    """The Durability each strike meets (armor_piercing's where the row has it)."""
    dur = lane_value(st.dur, idx)
    if st.any_ap:
        dur = select(gather(st.tab.armor_piercing, rows), lane_value(st.dur_ap, idx), dur)
    return dur


def _with_brutal(pre, dur, brutal, T, k):
    """brutal (where ``brutal``): half the damage above Durability + kT is added."""
    excess = pre - (dur + k * T)
    return pre + (excess // 2) * (brutal & (excess > 0))


def single_strike(st, idx, rows, tgt, s):
    """Strikes of lanes ``idx`` with attack rows ``rows`` at enemy positions ``tgt``.

    Returns (hit, crit, damage, splash_total, splash_pre): the last two are the accuracy total and
    the damage before Durability and brutal without the slayer part, for an explosive splash.
    """
    tab, T = st.tab, st.T
    raw = st.dice.raw(slot(ATTACK, s, 0), idx)
    r = _accuracy_die(st, rows, raw, s, 0, idx)
    avoid = lane_value(st.avoid, idx)
    acc, dmg_mod = _modifiers(st, idx, rows, s)
    slay = None
    if st.any_slayer:
        slay = (gather(tab.slayer_hp, rows) == maxhp_at(st, idx, tgt)) * np.int32(T)
        acc = acc + slay
        dmg_mod = dmg_mod + slay
    total = r + acc
    if st.any_direct:
        direct = gather(tab.direct, rows)
        hit = (total >= avoid) | direct
    else:
        direct = None
        hit = total >= avoid
    crit = hit & (r >= gather(tab.crit_lo, rows))
    pre = _damage_roll(st, rows, raw, s, idx) + dmg_mod + crit * gather(tab.crit_bonus, rows)
    if st.any_overhit:
        margin = total - avoid
        oh = gather(tab.overhit, rows) & (margin >= tab.rules.thresholds.overhit_margin_t * T) & hit
        if direct is not None:
            oh &= ~direct
        pre = pre + (margin // 2) * oh
    splash_total = splash_pre = None
    if st.any_explosive:
        splash_total = total - (slay if slay is not None else 0)
        splash_pre = pre - (slay if slay is not None else 0)
    dur = _durability(st, idx, rows)
    if st.any_brutal:
        pre = _with_brutal(pre, dur, gather(tab.brutal, rows), T, tab.rules.thresholds.brutal_excess_t)
    damage = (np.maximum(pre - dur, 0) * hit).astype(np.int32, copy=False)
    apply_single(st, idx, rows, tgt, hit, damage)
    return hit, crit, damage, splash_total, splash_pre


def apply_single(st, idx, rows, tgt, hit, damage):
    """Damage, finishing blow / culling strike, bleed mark and the next turn's records."""
    tab = st.tab
    flat = _flat(st, idx, tgt)
    hp = st.hp.reshape(-1)  # a view: st.hp is always C-contiguous
    before = gather(hp, flat)
    after = np.maximum(before - damage, 0)
    if st.any_finishing:
        after = after * ~(gather(tab.finishing, rows) & hit & (after >= 1) & (after <= tab.rules.thresholds.finishing_blow_hp))
    if st.any_culling:
        c = np.flatnonzero(gather(tab.culling, rows) & hit & (after > 0))
        if len(c):
            lanes_c = c if idx is None else idx[c]
            cull = after[c] * tab.rules.thresholds.culling_divisor < maxhp_at(st, lanes_c, tgt[c])
            after[c[cull]] = 0
    hp[flat] = after
    if st.any_bleed:
        m = np.flatnonzero(gather(tab.bleed, rows) & hit & (damage > 0))
        st.bleed_next.reshape(-1)[gather(flat, m)] = gather(damage, m)
    sel = slice(None) if idx is None else idx
    fell = (before > 0) & (after == 0)
    st.alive[sel] -= fell
    if st.track_hits:
        st.hit_now[sel] |= hit * gather(st.c_bits, tgt)
    if st.track_dealt:
        st.dealt_now[sel] |= damage > 0
    if st.track_defeat:
        st.defeat_now[sel] |= fell


def area_swing(st, idx, rows, s):
    """One swing of area attacks at every enemy standing when it starts; one shared damage roll,
    accuracy and crit per target. Returns (lanes,) bool: damage > 0 to any target."""
    tab, T = st.tab, st.T
    E = st.E
    hp = gather(st.hp, idx)
    standing = hp > 0
    raw0 = st.dice.raw(slot(ATTACK, s, 0), idx)
    roll = _damage_roll(st, rows, raw0, s, idx)
    avoid = lane_value(st.avoid, idx)
    acc, dmg_mod = _modifiers(st, idx, rows, s)
    direct = gather(tab.direct, rows)
    maxhp = maxhp_rows(st, idx)
    crit_lo, crit_bonus = gather(tab.crit_lo, rows), gather(tab.crit_bonus, rows)
    dur = _durability(st, idx, rows)
    brutal = gather(tab.brutal, rows) if st.any_brutal else None
    damage = np.zeros((len(idx), E), dtype=np.int32)
    hits = np.zeros((len(idx), E), dtype=bool)
    for j in range(E):
        raw = raw0 if j == 0 else st.dice.raw(slot(ATTACK, s, j), idx)
        r = _accuracy_die(st, rows, raw, s, j, idx)
        slay = (gather(tab.slayer_hp, rows) == maxhp[:, j]) * np.int32(T) if st.any_slayer else 0
        total = r + acc + slay
        hit = ((total >= avoid) | direct) & standing[:, j]
        crit = hit & (r >= crit_lo)
        pre = roll + dmg_mod + slay + crit_bonus * crit
        if st.any_overhit:
            margin = total - avoid
            pre = pre + (margin // 2) * (gather(tab.overhit, rows) & (margin >= tab.rules.thresholds.overhit_margin_t * T)
                                         & ~direct)
        if brutal is not None:
            pre = _with_brutal(pre, dur, brutal, T, tab.rules.thresholds.brutal_excess_t)
        damage[:, j] = np.maximum(pre - dur, 0) * hit
        hits[:, j] = hit
    after = np.maximum(hp - damage, 0)
    if st.any_finishing:
        after = after * ~(gather(tab.finishing, rows)[:, None] & hits & (after >= 1)
                          & (after <= tab.rules.thresholds.finishing_blow_hp))
    st.hp[idx] = after
    fell = (hp > 0) & (after == 0)
    st.alive[idx] -= np.count_nonzero(fell, axis=1).astype(np.int32)
    if st.any_bleed:
        m = gather(tab.bleed, rows)[:, None] & hits & (damage > 0)
        st.bleed_next[idx] = select(m, damage, gather(st.bleed_next, idx))
    if st.track_hits:
        st.hit_now[idx] |= (hits * st.c_bits).sum(1, dtype=np.int32)
    dealt = (damage > 0).any(1)
    if st.track_dealt:
        st.dealt_now[idx] |= dealt
    if st.track_defeat:
        st.defeat_now[idx] |= fell.any(1)
    return dealt


def splash(st, idx, rows, tgt, total, pre):
    """Explosive critical: every other standing enemy whose Avoidance the same accuracy total
    meets takes the same damage before Durability (slayer part recomputed, brutal and Durability
    per target). No finishing blow or bleed; counts for next turn's conditions."""
    tab, T = st.tab, st.T
    hp = gather(st.hp, idx)
    E = st.E
    others = (hp > 0) & (np.arange(E)[None, :] != tgt[:, None])
    slay = np.zeros((len(idx), E), dtype=np.int32)
    if st.any_slayer:
        slay = (gather(tab.slayer_hp, rows)[:, None] == maxhp_rows(st, idx)) * np.int32(T)
    avoid = lane_value(st.avoid, idx)
    hit = others & ((total[:, None] + slay) >= (avoid if np.ndim(avoid) == 0 else avoid[:, None]))
    p = pre[:, None] + slay
    dur = np.broadcast_to(_durability(st, idx, rows), (len(idx),))[:, None]
    if st.any_brutal:
        p = _with_brutal(p, dur, gather(tab.brutal, rows)[:, None], T, tab.rules.thresholds.brutal_excess_t)
    damage = np.maximum(p - dur, 0) * hit
    after = np.maximum(hp - damage, 0)
    st.hp[idx] = after
    fell = (hp > 0) & (after == 0)
    st.alive[idx] -= np.count_nonzero(fell, axis=1).astype(np.int32)
    if st.track_hits:
        st.hit_now[idx] |= (hit * st.c_bits).sum(1, dtype=np.int32)
    if st.track_dealt:
        st.dealt_now[idx] |= (damage > 0).any(1)
    if st.track_defeat:
        st.defeat_now[idx] |= fell.any(1)
