"""The Vitality combat compiled with numba: one whole combat per loop iteration.

This is the numpy kernel (``kernel.py``, ``kernel_strike.py``, ``kernel_followups.py``,
``kernel_policy.py``'s per-lane part) written for one combat at a time: the same rules in the same
order, reading the same dice (``balance.engine.dice_jit``: a die is a pure function of its turn key
and slot, and the slots are those of ``kernel_dice.py``). Dice that the numpy kernel draws but
whose value cannot matter (the damage roll of a miss, the accuracy die of a fallen enemy) are not
drawn here; dice are counter-based, so skipping one changes no other. ``tests/vitality_kernel/
test_compiled.py`` runs both kernels on the same dice and asserts identical results.

Numbers come in as int64 arrays: ``tab`` (rows, len(COLUMNS)) the attack table's columns,
``cc`` (cells, len(CELL)) each cell's scores, ``maxhp`` (cells, E) enemy max HP (0 = no enemy).
A combat's scalars (enemies standing, target, records of the turn) are locals of the turn loop;
the enemies' hit points and bleeding, each slot's charges and uses and the follow-up stack live
in small arrays reused from combat to combat.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from balance.engine.dice_jit import die, turn_key
# The rule system's constants, imported rather than typed again: numba reads module globals as
# compile-time constants, and the compiled loop must agree with the numpy kernel bit for bit.
from balance_rules.vitality.kernel import ATTACKER_HP
from balance_rules.vitality.kernel_compiled import NO_BOUND
from balance_rules.vitality.kernel_dice import _M32, _N20, _N216, _N46656, _S32, ROUND
from balance_rules.vitality.kernel_dice import ADVANTAGE as D_ADVANTAGE
from balance_rules.vitality.kernel_dice import ATTACK as D_ATTACK
from balance_rules.vitality.kernel_dice import EXPLODE as D_EXPLODE
from balance_rules.vitality.kernel_dice import RETALIATION as D_RETALIATION
from balance_rules.vitality.kernel_dice import RETALIATION_EXPLODE as D_RETALIATION_EXPLODE
from balance_rules.vitality.kernel_dice import UNRELIABLE as D_UNRELIABLE
from balance_rules.vitality.kernel_followups import BARRAGE as BARRAGE_K
from balance_rules.vitality.kernel_followups import DOUBLE_TAP, MAIN, RICOCHET, SPLASH
from balance_rules.vitality.kernel_followups import EXTRA as EXTRA_K
from balance_rules.vitality.kernel_followups import SPLINTER as SPLINTER_K
from balance_rules.vitality.kernel_table import (
    ACTION_BITS, BLOODIED, CAREFUL, COMBO, FINALE, FOLLOW_DOUBLE_TAP, FOLLOW_EXPLOSIVE, FOLLOW_RICOCHET,
    NEAR_DEATH, PASSIVE, PATIENT, QUICKDRAW, RELENTLESS, REVENGE, SLAUGHTER, TIMID, TRIGGER_ALWAYS,
    TRIGGER_CRIT, TRIGGER_DAMAGE, UNBREAKABLE, UNTOUCHABLE, VENGEFUL,
)

#: The attack-table columns of ``tab``, in this order (names of ``kernel_table.Table.cols``).
COLUMNS = (
    "area", "direct", "roll_flat", "acc", "dmg", "crit_lo", "crit_bonus", "explode5", "armor_piercing",
    "overhit", "brutal", "barrage", "extra", "follow", "bleed", "finishing", "culling", "splinter",
    "slayer_hp", "channeled", "reliable", "req", "cooldown", "charges", "charge_need", "unreliable", "basic",
    "retaliation", "retaliation_damage", "followups", "trigger",
    # The rule table's thresholds (the same on every row): data, not globals, so that a config's
    # overrides reach the compiled code (numba freezes module globals when it compiles).
    "brutal_t", "overhit_t", "finish_hp", "cull_div", "chan_start", "chan_cap",
    "quickdraw_t", "patient_t", "finale_t", "near_death_hp", "bloodied_hp", "cooldown_t",
    # What a follow-up strike (strike number > 0) drops: the limit bonus, when the rule table's
    # decision is that follow-ups do not carry it (0 otherwise).
    "followup_drop",
)
(AREA, DIRECT, ROLL_FLAT, ACC, DMG, CRIT_LO, CRIT_BONUS, EXPLODE5, AP, OVERHIT, BRUTAL, BARRAGE, EXTRA,
 FOLLOW, BLEED, FINISHING, CULLING, SPLINTER, SLAYER_HP, CHANNELED, RELIABLE, REQ, COOLDOWN, CHARGES,
 CHARGE_NEED, UNRELIABLE, BASIC, RETALIATION_COL, RETALIATION_DAMAGE_COL, FOLLOWUPS, TRIGGER,
 BRUTAL_T, OVERHIT_T, FINISH_HP, CULL_DIV, CHAN_START, CHAN_CAP, QUICKDRAW_T, PATIENT_T, FINALE_T,
 NEAR_DEATH_HP, BLOODIED_HP, COOLDOWN_T, FOLLOWUP_DROP) = range(len(COLUMNS))

#: The per-cell numbers of ``cc`` (names of ``VitalityKernel.cell_constants``).
CELL = ("avoid", "dur", "dur_ap", "e_acc", "e_dmg", "e_tier", "acc_base", "dmg_base")
C_AVOID, C_DUR, C_DUR_AP, C_E_ACC, C_E_DMG, C_E_TIER, C_ACC_BASE, C_DMG_BASE = range(len(CELL))


#: Policies the loop applies itself (see balance.engine.protocol.Policy.rule).
PREFER_SLOT, MAX_EXPECTED = 0, 1

# The combat's scalars that the follow-up stack reads and writes, in the int64 array ``ls`` (the
# turn loop keeps them in locals and hands them over only when an attack has follow-ups).
L_ALIVE, L_HIT_NOW, L_DEALT_NOW, L_DEFEAT_NOW, L_BONUS, L_TOP, L_EXTRA_USED = range(7)
N_LANE = 7
STACK = 64

# What a candidate's attacks need of the turn loop (:func:`_features`, once per candidate): the
# loop skips the bookkeeping no attack of the candidate reads (charges, uses, channelling, limit
# conditions, the unreliable die, bleeding, retaliation). Skipping it changes no result: what is
# skipped is state that nothing reads, and a divisor of 1 (no charge needed) leaves a float as it is.
(F_RETALIATE, F_RETALIATE_DAMAGE, F_BLEED, F_LIMITED, F_CONDITIONS, F_CHARGE, F_CHANNELED, F_USES,
 F_UNRELIABLE) = (1 << i for i in range(9))

# Helpers are compiled without numba's reference counting: they allocate nothing, and counting the
# references of every array argument on each call cost three quarters of the loop's time (measured:
# 61 ns against 16 ns per damage-roll call). Only the entry point allocates its scratch arrays.
_helper = njit(cache=True, nogil=True, _nrt=False, error_model="numpy")
_inline = njit(cache=True, nogil=True, _nrt=False, error_model="numpy", inline="always")
_entry = njit(cache=True, nogil=True)

#: kernel_dice.ROUND flattened: [explode_on_5 * 864 + live dice * 216 + d216] -> sum * 4 + live.
_ROUND_T = np.ascontiguousarray(ROUND.ravel(), dtype=np.int32)


@_inline
def _ix(i):
    """``i`` as an unsigned index. numba wraps a signed index at every subscript (``i < 0 ? i +
    shape : i``), which costs instructions and keeps every array's shape live in a register or on
    the stack; an unsigned one it uses as it is. Cast only at a subscript: numba turns arithmetic
    mixing signed and unsigned integers into floats. Used where a strike or the policy indexes by
    its target (1.02-1.04x on stage-2 units); casting every data-dependent subscript (rows, slots,
    the stack, the explosion table) measured 0.84-0.91x (docs/performance.md, fourth pass)."""
    return np.uintp(i)


@_inline
def _slot(role, strike, sub):
    return (role << 24) | (strike << 12) | sub


@_inline
def _d20(raw):
    return np.int64(((raw >> _S32) * _N20) >> _S32) + 1


@_inline
def _exploding(raw, e5, key, role, strike):
    """kernel_dice.exploding_3d6 for one roll: the three dice and two explosion rounds from
    ``raw``'s base-216 digits, then hashed dice from slots (role, strike, round). Each round is one
    lookup in kernel_dice.ROUND (sum * 4 + dice still exploding; 7 KB, stays in cache): 7 ns a roll
    against 23 ns for the digits computed one by one."""
    base = 864 if e5 else 0
    x = (raw & _M32) * _N46656
    q01 = x >> _S32  # uint64: a division by a constant without the signed floor's corrections
    q2 = np.int64(((x & _M32) * _N216) >> _S32)
    v = _ROUND_T[base + 3 * 216 + np.int64(q01 // _N216)]
    total = v >> 2
    v = _ROUND_T[base + (v & 3) * 216 + np.int64(q01 % _N216)]
    total += v >> 2
    v = _ROUND_T[base + (v & 3) * 216 + q2]
    total += v >> 2
    live = v & 3
    r = 3
    while live:
        q = np.int64(((die(key, _slot(role, strike, r)) & _M32) * _N216) >> _S32)
        w = _ROUND_T[base + live * 216 + q]
        total += w >> 2
        live = w & 3
        r += 1
        if r > 60:
            break
    return total


@_inline
def _roll(tab, row, raw, key, s):
    """A strike's damage roll: the flat value, or exploding 3d6."""
    flat = tab[row, ROLL_FLAT]
    if flat > 0:
        return flat
    return _exploding(raw, tab[row, EXPLODE5], key, D_EXPLODE, s)


@_inline
def _accuracy_die(tab, row, raw, key, s, sub):
    r = _d20(raw)
    if tab[row, RELIABLE]:
        r = max(r, _d20(die(key, _slot(D_ADVANTAGE, s, sub))))
    return r


@_inline
def _slay(tab, row, hp_max, T):
    sh = tab[row, SLAYER_HP]
    return T if sh != 0 and sh == hp_max else 0


@_inline
def _brutal(tab, row, pre, dur, T):
    if tab[row, BRUTAL]:
        excess = pre - (dur + tab[row, BRUTAL_T] * T)
        if excess > 0:
            pre += excess // 2
    return pre


@_inline
def _durability(tab, row, cc, c):
    return cc[c, C_DUR_AP] if tab[row, AP] else cc[c, C_DUR]


@_inline
def _strike(tab, cc, c, maxhp, hp, bleed_next, key, row, tgt, s, T, bonus):
    """One single-target strike at enemy ``tgt``; returns (hit, crit, damage, splash total, splash
    damage before Durability, whether it felled the target). The combat's counters are the
    caller's: kept in locals, they are not stores the compiler must assume to alias the tables."""
    raw = die(key, _slot(D_ATTACK, s, 0))
    r = _accuracy_die(tab, row, raw, key, s, 0)
    avoid = cc[c, C_AVOID]
    slay = _slay(tab, row, maxhp[c, _ix(tgt)], T)
    drop = tab[row, FOLLOWUP_DROP] if s > 0 else 0
    acc = tab[row, ACC] - drop + cc[c, C_ACC_BASE] + bonus + slay
    total = r + acc
    direct = tab[row, DIRECT] != 0
    hit = total >= avoid or direct
    crit = hit and r >= tab[row, CRIT_LO]
    damage = 0
    s_total = 0
    s_pre = 0
    if hit:
        pre = _roll(tab, row, raw, key, s) + tab[row, DMG] - drop + cc[c, C_DMG_BASE] + bonus + slay
        if crit:
            pre += tab[row, CRIT_BONUS]
        margin = total - avoid
        if tab[row, OVERHIT] and margin >= tab[row, OVERHIT_T] * T and not direct:
            pre += margin // 2
        s_total = total - slay
        s_pre = pre - slay
        dur = _durability(tab, row, cc, c)
        pre = _brutal(tab, row, pre, dur, T)
        damage = max(pre - dur, 0)
    # apply: damage, finishing blow / culling strike, bleed mark
    before = hp[_ix(tgt)]
    after = max(before - damage, 0)
    if hit and tab[row, FINISHING] and 1 <= after <= tab[row, FINISH_HP]:
        after = 0
    if hit and tab[row, CULLING] and after > 0 and after * tab[row, CULL_DIV] < maxhp[c, _ix(tgt)]:
        after = 0
    bleed = hit and damage > 0 and tab[row, BLEED] != 0
    hp[_ix(tgt)] = after
    if bleed:
        bleed_next[_ix(tgt)] = damage
    return hit, crit, damage, s_total, s_pre, before > 0 and after == 0


@_inline
def _single_strike(tab, cc, c, maxhp, hp, bleed_next, ls, key, row, tgt, s, T, out):
    """:func:`_strike` for the follow-up stack: the combat's counters in ``ls``, and ``out`` gets
    (hit, crit, damage, splash total, splash damage before Durability)."""
    hit, crit, damage, s_total, s_pre, felled = _strike(tab, cc, c, maxhp, hp, bleed_next, key, row, tgt, s, T,
                                                        ls[L_BONUS])
    if felled:
        ls[L_ALIVE] -= 1
        ls[L_DEFEAT_NOW] = 1
    if hit:
        ls[L_HIT_NOW] |= np.int64(1) << tgt
    if damage > 0:
        ls[L_DEALT_NOW] = 1
    out[0] = hit
    out[1] = crit
    out[2] = damage
    out[3] = s_total
    out[4] = s_pre


@_inline
def _swing(tab, cc, c, maxhp, hp, bleed_next, key, row, s, T, E, bonus):
    """One area swing at every enemy standing when it starts (one shared damage roll); returns
    (whether it dealt damage to any target, enemies it felled, the bits of the enemies it hit)."""
    raw0 = die(key, _slot(D_ATTACK, s, 0))
    roll = _roll(tab, row, raw0, key, s)
    avoid = cc[c, C_AVOID]
    drop = tab[row, FOLLOWUP_DROP] if s > 0 else 0
    acc = tab[row, ACC] - drop + cc[c, C_ACC_BASE] + bonus
    dmg_mod = tab[row, DMG] - drop + cc[c, C_DMG_BASE] + bonus
    direct = tab[row, DIRECT] != 0
    dur = _durability(tab, row, cc, c)
    dealt = False
    felled = 0
    hits = np.int64(0)
    for j in range(E):
        if hp[j] <= 0:
            continue
        raw = raw0 if j == 0 else die(key, _slot(D_ATTACK, s, j))
        r = _accuracy_die(tab, row, raw, key, s, j)
        slay = _slay(tab, row, maxhp[c, j], T)
        total = r + acc + slay
        if not (total >= avoid or direct):
            continue
        pre = roll + dmg_mod + slay
        if r >= tab[row, CRIT_LO]:
            pre += tab[row, CRIT_BONUS]
        margin = total - avoid
        if tab[row, OVERHIT] and margin >= tab[row, OVERHIT_T] * T and not direct:
            pre += margin // 2
        pre = _brutal(tab, row, pre, dur, T)
        damage = max(pre - dur, 0)
        before = hp[j]
        after = max(before - damage, 0)
        if tab[row, FINISHING] and 1 <= after <= tab[row, FINISH_HP]:
            after = 0
        bleed = damage > 0 and tab[row, BLEED] != 0
        hp[j] = after
        if after == 0:
            felled += 1
        if damage > 0:
            dealt = True
            if bleed:
                bleed_next[j] = damage
        hits |= np.int64(1) << j
    return dealt, felled, hits


@_inline
def _area_swing(tab, cc, c, maxhp, hp, bleed_next, ls, key, row, s, T, E):
    """:func:`_swing` for the follow-up stack (the combat's counters in ``ls``); returns whether it
    dealt damage to any target."""
    dealt, felled, hits = _swing(tab, cc, c, maxhp, hp, bleed_next, key, row, s, T, E, ls[L_BONUS])
    if felled:
        ls[L_ALIVE] -= felled
        ls[L_DEFEAT_NOW] = 1
    ls[L_HIT_NOW] |= hits
    if dealt:
        ls[L_DEALT_NOW] = 1
    return dealt


@_inline
def _splash(tab, cc, c, maxhp, hp, ls, row, tgt, total, pre, T, E):
    """Explosive critical's splash: every other standing enemy the same accuracy total reaches."""
    avoid = cc[c, C_AVOID]
    dur = _durability(tab, row, cc, c)
    for j in range(E):
        if j == tgt or hp[j] <= 0:
            continue
        slay = _slay(tab, row, maxhp[c, j], T)
        if total + slay < avoid:
            continue
        p = _brutal(tab, row, pre + slay, dur, T)
        damage = max(p - dur, 0)
        after = max(hp[j] - damage, 0)
        if after == 0:
            ls[L_ALIVE] -= 1
            ls[L_DEFEAT_NOW] = 1
        hp[j] = after
        ls[L_HIT_NOW] |= np.int64(1) << j
        if damage > 0:
            ls[L_DEALT_NOW] = 1


@_inline
def _push(stack, ls, kind, tgt, p1, p2):
    top = ls[L_TOP]
    stack[top, 0] = kind
    stack[top, 1] = tgt
    stack[top, 2] = p1
    stack[top, 3] = p2
    ls[L_TOP] = top + 1


@_inline
def _push_children(tab, hp, ls, stack, row, kind, tgt, res, E):
    """A resolved single-target strike's follow-ups, pushed in reverse so that they pop in the
    rulebook's order (extra_attack, barrage, double_tap, ricochet, explosive splash)."""
    hit, crit, damage = res[0], res[1], res[2]
    follow = tab[row, FOLLOW] if crit else 0
    if follow == FOLLOW_EXPLOSIVE:
        _push(stack, ls, SPLASH, tgt, res[3], res[4])
    if follow == FOLLOW_RICOCHET and kind != RICOCHET:
        first = -1
        second = -1
        for j in range(E):
            if hp[j] > 0 and j != tgt:
                if first < 0:
                    first = j
                else:
                    second = j
                    break
        if second >= 0:
            _push(stack, ls, RICOCHET, second, 0, 0)
        if first >= 0:
            _push(stack, ls, RICOCHET, first, 0, 0)
    if follow == FOLLOW_DOUBLE_TAP and kind != DOUBLE_TAP:
        _push(stack, ls, DOUBLE_TAP, tgt, 0, 0)
    if tab[row, BARRAGE] and kind == MAIN:
        _push(stack, ls, BARRAGE_K, tgt, 0, 0)
        _push(stack, ls, BARRAGE_K, tgt, 0, 0)
    if (tab[row, EXTRA] and (kind == MAIN or kind == BARRAGE_K) and hit and damage > 0
            and not ls[L_EXTRA_USED]):
        ls[L_EXTRA_USED] = 1
        _push(stack, ls, EXTRA_K, tgt, 0, 0)


@_inline
def _push_area_children(tab, ls, stack, row, kind, dealt):
    if tab[row, BARRAGE] and kind == MAIN:
        _push(stack, ls, BARRAGE_K, 0, 0, 0)
        _push(stack, ls, BARRAGE_K, 0, 0, 0)
    if tab[row, EXTRA] and (kind == MAIN or kind == BARRAGE_K) and dealt and not ls[L_EXTRA_USED]:
        ls[L_EXTRA_USED] = 1
        _push(stack, ls, EXTRA_K, 0, 0, 0)


@_inline
def _attack(tab, cc, c, maxhp, hp, bleed_next, ls, stack, res, key, row, T, E, first, bonus, alive):
    """The main attack of the turn (strike number 0) at enemy ``first`` (or all), then its follow-up
    strikes; returns the enemies left standing and the turn's records (the bits of the enemies hit,
    whether it dealt damage, whether it felled an enemy)."""
    trigger = tab[row, TRIGGER]
    area = tab[row, AREA] != 0
    if area:
        tgt = 0
        dealt, felled, hits = _swing(tab, cc, c, maxhp, hp, bleed_next, key, row, 0, T, E, bonus)
        alive -= felled
        defeat = felled > 0
        trig = (trigger & TRIGGER_ALWAYS) != 0 or ((trigger & TRIGGER_DAMAGE) != 0 and dealt)
    else:
        tgt = first
        hit, crit, damage, s_total, s_pre, felled1 = _strike(tab, cc, c, maxhp, hp, bleed_next, key, row, tgt, 0,
                                                             T, bonus)
        alive -= np.int64(felled1)
        defeat = felled1
        dealt = damage > 0
        hits = np.int64(hit) << tgt
        trig = ((trigger & TRIGGER_ALWAYS) != 0 or ((trigger & TRIGGER_CRIT) != 0 and crit)
                or ((trigger & TRIGGER_DAMAGE) != 0 and hit and damage > 0))
        res[0] = hit
        res[1] = crit
        res[2] = damage
        res[3] = s_total
        res[4] = s_pre
    # Only an attack that triggers a follow-up goes through the strike stack (as in the numpy kernel),
    # which keeps the combat's counters in ``ls``.
    if trig:
        ls[L_ALIVE] = alive
        ls[L_HIT_NOW] = hits
        ls[L_DEALT_NOW] = dealt
        ls[L_DEFEAT_NOW] = defeat
        ls[L_BONUS] = bonus
        _followups(tab, cc, c, maxhp, hp, bleed_next, ls, stack, res, key, row, T, E, area, tgt, dealt)
        alive = ls[L_ALIVE]
        hits = ls[L_HIT_NOW]
        dealt = ls[L_DEALT_NOW] != 0
        defeat = ls[L_DEFEAT_NOW] != 0
    return alive, hits, dealt, defeat


# The follow-up stack's single-target strikes are a second inlined copy of the strike: on the kept
# attacks of a stage 2 most attacks have follow-ups, and a call passed every array's flattened
# fields (some sixty words) per strike (inlined: 1.04x on stage-2 work units, docs/performance.md).
# Area swings, rare, keep an out-of-line copy. The stack's own loop is inlined in the turn loop
# (measured 1.04-1.08x against a call per attack with follow-ups).
_area_swing_call = _helper(_area_swing.py_func)


@_inline
def _followups(tab, cc, c, maxhp, hp, bleed_next, ls, stack, res, key, row, T, E, area, tgt, dealt):
    """The main attack's follow-up strikes, depth first (kernel_followups.py), strike numbers
    counting the strikes of the turn."""
    ls[L_TOP] = 0
    ls[L_EXTRA_USED] = 0
    if area:
        _push_area_children(tab, ls, stack, row, MAIN, dealt)
    else:
        _push_children(tab, hp, ls, stack, row, MAIN, tgt, res, E)
    splinter_left = (T + 1) // 2 if tab[row, SPLINTER] else 0
    splinter_tgt = tgt
    s = 1
    while True:
        if ls[L_TOP] == 0 and splinter_left > 0:
            # Splinter: the attack (with its follow-ups) is over; strike on if its target is down.
            first = -1
            for j in range(E):
                if hp[j] > 0:
                    first = j
                    break
            if hp[splinter_tgt] <= 0 and first >= 0:
                _push(stack, ls, SPLINTER_K, first, 0, 0)
                splinter_tgt = first
                splinter_left -= 1
            else:
                splinter_left = 0
        if ls[L_TOP] == 0:
            return
        top = ls[L_TOP] - 1
        ls[L_TOP] = top
        kind, t, p1, p2 = stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3]
        if kind == SPLASH:
            _splash(tab, cc, c, maxhp, hp, ls, row, t, p1, p2, T, E)
        elif area:
            standing = False
            for j in range(E):
                if hp[j] > 0:
                    standing = True
                    break
            if standing:
                d = _area_swing_call(tab, cc, c, maxhp, hp, bleed_next, ls, key, row, s, T, E)
                _push_area_children(tab, ls, stack, row, kind, d)
        elif hp[_ix(t)] > 0:  # follow-ups at a fallen target do not happen
            _single_strike(tab, cc, c, maxhp, hp, bleed_next, ls, key, row, t, s, T, res)
            _push_children(tab, hp, ls, stack, row, kind, t, res, E)
        s += 1


@_inline
def _conditions(turn, att_hp, r_hit, r_dmg, r_att, made_prev, dealt_prev, defeat_prev, quickdraw_t, patient_t,
                finale_t, near_death_hp, bloodied_hp):
    """The limit condition bits that hold for the whole combat this turn."""
    ok = np.int64(turn <= quickdraw_t) << QUICKDRAW
    ok |= np.int64(turn >= patient_t) << PATIENT
    ok |= np.int64(turn >= finale_t) << FINALE
    ok |= np.int64(att_hp <= near_death_hp) << NEAR_DEATH
    ok |= np.int64(att_hp <= bloodied_hp) << BLOODIED
    ok |= np.int64(att_hp >= ATTACKER_HP) << TIMID
    ok |= np.int64(r_hit) << VENGEFUL
    ok |= np.int64(r_dmg) << REVENGE
    ok |= np.int64(r_hit and not r_dmg) << UNBREAKABLE
    ok |= np.int64(r_att and not r_hit) << UNTOUCHABLE
    ok |= np.int64(not r_dmg) << CAREFUL
    ok |= np.int64(not made_prev) << PASSIVE
    ok |= np.int64(dealt_prev) << RELENTLESS
    ok |= np.int64(defeat_prev) << SLAUGHTER
    return ok


@_inline
def _usable(tab, hp, slots, charge, last_used, used, turn, E, ok, hit_prev, first):
    """Which attacks may be chosen this turn, given the condition bits ``ok``: returns the bits of
    the usable slots and how many."""
    mask = np.int64(0)
    n = 0
    for j in range(len(slots)):
        row = slots[j]
        okj = ok
        req = tab[row, REQ]
        if req & (1 << COMBO):
            if tab[row, AREA]:  # any standing enemy hit last turn
                alive = 0
                for e in range(E):
                    if hp[e] > 0:
                        alive |= np.int64(1) << e
                combo = (hit_prev & alive) != 0
            else:  # the enemy it now targets
                combo = ((hit_prev >> first) & 1) != 0
            okj |= np.int64(combo) << COMBO
        if charge[j] > 0:
            okj |= ACTION_BITS
        u = (req & ~okj) == 0
        if tab[row, COOLDOWN] and turn - last_used[j] <= tab[row, COOLDOWN_T]:
            u = False
        ch = tab[row, CHARGES]
        if ch != 0 and used[j] >= ch:
            u = False
        mask |= np.int64(u) << j
        n += u
    return mask, n


@_inline
def _sum_like_numpy(values, n):
    """``values[:n].sum()`` with numpy's summation order (pairwise with eight accumulators from
    eight values on; valid up to 128 values), so that sums match the numpy kernel's bit for bit."""
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
    r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
    i = 8
    while i < n - n % 8:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[i]
        i += 1
    return total


@_inline
def _expected(tab, success, exp, c, hp, first, slots, charge, chan, j, fallback, T, E, scratch, feat):
    """kernel_policy.expected_view for one combat and slot: the enemy HP its action is expected to
    remove this turn."""
    row = tab[slots[j], BASIC] if fallback else slots[j]
    if tab[row, AREA]:
        for e in range(E):
            h = hp[e]
            scratch[e] = min(exp[c, row, e], h) if h > 0 else 0.0
        v = _sum_like_numpy(scratch, E)
    else:
        v = min(exp[c, row, _ix(first)], hp[_ix(first)])
    if not fallback:
        v = v * success[row]
        if feat & F_CHARGE:
            v = v / (max(tab[row, CHARGE_NEED] - charge[j], 0) + 1)
        if feat & F_CHANNELED and tab[row, CHANNELED]:
            v = v + min(chan[j] - tab[row, CHAN_START], tab[row, CHAN_CAP]) * (T * 0.5)
    return v


@_inline
def _choose(tab, success, exp, c, hp, first, slots, charge, chan, usable, n_usable, policy, preferred, T, E,
            scratch, feat):
    """The policy's slot (the built-in ``first``/``second`` and ``default`` rules); ``usable``: the
    bits of the usable slots."""
    k = len(slots)
    fallback = n_usable == 0
    if n_usable == 1:
        for j in range(k):
            if (usable >> j) & 1:
                return j
    if policy == PREFER_SLOT:
        p = min(preferred, k - 1)
        if fallback or (usable >> p) & 1:
            return p
        for j in range(k):
            if (usable >> j) & 1:
                return j
        return 0
    best = -1
    best_v = 0.0
    for j in range(k):
        if fallback or (usable >> j) & 1:
            v = _expected(tab, success, exp, c, hp, first, slots, charge, chan, j, fallback, T, E, scratch, feat)
            if best < 0 or v > best_v:
                best = j
                best_v = v
    return best


@_inline
def _retaliate(cc, c, key, att_avoid, att_dur, damage_matters, alive, att_hp):
    """The first two standing enemies each make a plain ranged attack at the attacker; returns
    (an enemy hit, an enemy dealt damage, an enemy attacked, the attacker's hit points)."""
    r_hit = False
    r_dmg = False
    r_att = False
    for e in range(2):
        if alive <= e:
            break
        raw = die(key, _slot(D_RETALIATION, e, 0))
        r = _d20(raw)
        r_att = True
        if r + cc[c, C_E_ACC] < att_avoid:
            continue
        r_hit = True
        if not damage_matters:
            continue
        roll = _exploding(raw, 0, key, D_RETALIATION_EXPLODE, e)
        bonus = cc[c, C_E_DMG] + (cc[c, C_E_TIER] if r == 20 else 0)
        dmg = max(roll + bonus - att_dur, 0)
        att_hp -= dmg
        if dmg > 0:
            r_dmg = True
    return r_hit, r_dmg, r_att, att_hp


@_inline
def _features(tab, slots):
    """The F_* bits of a candidate (its attack rows ``slots``)."""
    feat = 0
    for j in range(len(slots)):
        row = slots[j]
        if tab[row, RETALIATION_COL]:
            feat |= F_RETALIATE
        if tab[row, RETALIATION_DAMAGE_COL]:
            feat |= F_RETALIATE_DAMAGE
        if tab[row, BLEED]:
            feat |= F_BLEED
        if tab[row, REQ]:
            feat |= F_LIMITED | F_CONDITIONS
        if tab[row, COOLDOWN] or tab[row, CHARGES]:
            feat |= F_LIMITED | F_USES
        if tab[row, CHARGE_NEED]:
            feat |= F_LIMITED | F_CHARGE
        if tab[row, CHANNELED]:
            feat |= F_CHANNELED
        if tab[row, UNRELIABLE]:
            feat |= F_UNRELIABLE
    return feat


@_inline
def _combat(tab, success, cc, c, maxhp, exp, slots, lane_key, max_turns, policy, preferred, T, att_avoid,
            att_dur, E, hp, bleed_due, bleed_next, ls, charge, last_used, used, chan, counts, stack, res,
            scratch, feat):
    """One combat; returns its turns (``max_turns`` for a timeout) and 1 for a timeout, else 0.
    Adds to ``counts[j]`` the turns slot j was used, to ``counts[k]`` the fallback turns. Inlined
    in the loop over combats: a call passes each array argument as its flattened fields (pointers,
    shape, strides: well over a hundred words for this one) once per combat."""
    k = len(slots)
    alive = 0
    for e in range(E):
        hp[e] = maxhp[c, e]
        bleed_due[e] = 0
        bleed_next[e] = 0
        if hp[e] > 0:
            alive += 1
    for j in range(k):
        charge[j] = 0
        last_used[j] = -1000
        used[j] = 0
        chan[j] = 0
    # The combat's scalars in locals, not in an array: a store to an array may alias the tables as
    # far as the compiler knows, so it would reload every column read after it.
    first = 0  # the target of single-target strikes: the first enemy standing
    att_hp = ATTACKER_HP
    r_hit = False  # retaliation this turn: an enemy hit, an enemy dealt damage, an enemy attacked
    r_dmg = False
    r_att = False
    made_prev = False  # last turn's records, read by limit conditions
    dealt_prev = False
    defeat_prev = False
    hit_prev = np.int64(0)
    bonus = 0
    # The limit conditions' thresholds (the same on every row), read once per combat.
    row0 = slots[0]
    quickdraw_t, patient_t, finale_t = tab[row0, QUICKDRAW_T], tab[row0, PATIENT_T], tab[row0, FINALE_T]
    near_death_hp, bloodied_hp = tab[row0, NEAR_DEATH_HP], tab[row0, BLOODIED_HP]
    limited = feat & F_LIMITED
    all_usable = (np.int64(1) << k) - 1
    for turn in range(1, max_turns + 1):
        key = turn_key(lane_key, turn)
        # 1. choose
        if limited:
            ok = (_conditions(turn, att_hp, r_hit, r_dmg, r_att, made_prev, dealt_prev, defeat_prev, quickdraw_t,
                              patient_t, finale_t, near_death_hp, bloodied_hp)
                  if feat & F_CONDITIONS else np.int64(0))
            usable, n_usable = _usable(tab, hp, slots, charge, last_used, used, turn, E, ok, hit_prev, first)
        else:
            usable, n_usable = all_usable, k
        fallback = n_usable == 0
        if k == 1:
            j = 0
        else:
            j = _choose(tab, success, exp, c, hp, first, slots, charge, chan, usable, n_usable, policy, preferred,
                        T, E, scratch, feat)
        counts[k if fallback else j] += 1
        # 2. act: charging, unreliable, usage records, channeled, then the attack
        slot_row = slots[j]
        row = tab[slot_row, BASIC] if fallback else slot_row
        fire = True
        if feat & F_CHARGE:
            need = 0 if fallback else tab[slot_row, CHARGE_NEED]
            cur = charge[j]
            charging = cur < need
            for jj in range(k):
                charge[jj] = 0
            if charging:
                charge[j] = cur + 1
            fire = not charging
        if feat & F_UNRELIABLE:
            dc = 0 if fallback else tab[slot_row, UNRELIABLE]
            if dc > 0 and fire and _d20(die(key, _slot(D_UNRELIABLE, 0, 0))) < dc:
                fire = False
        used_slot = fire and not fallback
        if feat & F_USES and used_slot:
            last_used[j] = turn
            used[j] += 1
        if feat & F_CHANNELED:  # else the bonus stays 0
            cur = chan[j]
            bonus = (min(cur - tab[row, CHAN_START], tab[row, CHAN_CAP]) * T
                     if tab[row, CHANNELED] and used_slot else 0)
            for jj in range(k):
                chan[jj] = 0
            if used_slot:
                chan[j] = cur + 1
        hit_now = np.int64(0)
        dealt_now = False
        defeat_now = False
        if fire:
            alive, hit_now, dealt_now, defeat_now = _attack(tab, cc, c, maxhp, hp, bleed_next, ls, stack, res, key,
                                                            row, T, E, first, bonus, alive)
        # 3. bleed due this turn
        if feat & F_BLEED:
            for e in range(E):
                if bleed_due[e] > 0 and hp[e] > 0:
                    after = max(hp[e] - bleed_due[e], 0)
                    hp[e] = after
                    if after == 0:
                        alive -= 1
                    dealt_now = True
                bleed_due[e] = bleed_next[e]
                bleed_next[e] = 0
        if alive <= 0:
            return turn, 0
        if hp[_ix(first)] <= 0:
            for e in range(E):
                if hp[e] > 0:
                    first = e
                    break
        # 4. retaliation, only where a limit reads it
        if feat & F_RETALIATE:
            r_hit, r_dmg, r_att, att_hp = _retaliate(cc, c, key, att_avoid, att_dur,
                                                     (feat & F_RETALIATE_DAMAGE) != 0, alive, att_hp)
        made_prev = fire
        dealt_prev = dealt_now
        defeat_prev = defeat_now
        hit_prev = hit_now
    return max_turns, 1


@_entry
def run_combats(tab, success, cc, maxhp, exp, cand, keys, runs, max_turns, policy, preferred, T, att_avoid,
                att_dur, turn_sum, turn_sumsq, timeouts, uses):
    """Every combat of candidates ``cand`` (n, k) over every cell and run, one after another; adds
    per-(candidate, cell) sums into ``turn_sum``, ``turn_sumsq``, ``timeouts`` (n * C) and ``uses``
    (n * C, k + 1). ``keys[c * runs + r]`` is the dice key of cell c, run r."""
    # run_some's loop with every group played and no bound: one copy of the inlined combat loop.
    n, C = cand.shape[0], maxhp.shape[0]
    none = np.zeros((n * C, 0), np.int64)
    _run_some(tab, success, cc, maxhp, exp, cand, keys, runs, max_turns, policy, preferred, T, att_avoid, att_dur,
              np.ones((n, C), np.bool_), np.full((n, C), NO_BOUND, np.int64), turn_sum, turn_sumsq, timeouts, uses,
              none, none, *_scratch(maxhp.shape[1], cand.shape[1]))


@_entry
def _scratch(E, k):
    """The state one combat after another reuses (enemies' hit points and bleeding, the lane's
    scalars, each slot's charges, uses and channelling, the follow-up stack), allocated once per
    call of an entry point: the helpers below are compiled without reference counting."""
    return (np.zeros(E, np.int64), np.zeros(E, np.int64), np.zeros(E, np.int64), np.zeros(N_LANE, np.int64),
            np.zeros(k, np.int64), np.zeros(k, np.int64), np.zeros(k, np.int64), np.zeros(k, np.int64),
            np.zeros(k + 1, np.int64), np.zeros((STACK, 4), np.int64), np.zeros(5, np.int64),
            np.zeros(max(E, 1), np.float64))


@_entry
def run_some(tab, success, cc, maxhp, exp, cand, keys, runs, max_turns, policy, preferred, T, att_avoid,
             att_dur, where, bound, turn_sum, turn_sumsq, timeouts, uses, hist, per):
    """:func:`run_combats` for the (candidate, cell) groups where ``where[i, c]`` only (the others
    keep their zeros); ``hist`` (n * C, max_turns + 1), unless it has no columns, counts each
    group's combats by the turn they ended on (a timeout on ``max_turns``); ``per`` (n * C, runs),
    unless it has no columns, gets each combat's turns. A group stops as soon as its turn sum cannot stay below ``bound[i, c]``
    (each run takes at least one turn): its ``turn_sum`` is then ``bound[i, c]`` and its other sums
    are partial. A combat cut short is the same combat up to the cut (the turn loop's bound only
    ends it), so every sum that stays below its bound is exact."""
    _run_some(tab, success, cc, maxhp, exp, cand, keys, runs, max_turns, policy, preferred, T, att_avoid, att_dur,
              where, bound, turn_sum, turn_sumsq, timeouts, uses, hist, per, *_scratch(maxhp.shape[1], cand.shape[1]))


@_helper
def _run_some(tab, success, cc, maxhp, exp, cand, keys, runs, max_turns, policy, preferred, T, att_avoid, att_dur,
              where, bound, turn_sum, turn_sumsq, timeouts, uses, hist, per, hp, bleed_due, bleed_next, ls, charge, last_used,
              used, chan, counts, stack, res, scratch):
    n, k = cand.shape
    C, E = maxhp.shape
    for i in range(n):
        slots = cand[i]
        feat = _features(tab, slots)
        for c in range(C):
            if not where[i, c]:
                continue
            g = i * C + c
            for r in range(runs):
                # the most turns this run may take for the sum to stay below the bound
                room = bound[i, c] - 1 - turn_sum[g] - (runs - r - 1)
                if room < 1:
                    turn_sum[g] = bound[i, c]
                    break
                cap = min(max_turns, room)
                counts[:] = 0
                turns, timeout = _combat(
                    tab, success, cc, c, maxhp, exp, slots, keys[c * runs + r], cap, policy, preferred, T,
                    att_avoid, att_dur, E, hp, bleed_due, bleed_next, ls, charge, last_used, used,
                    chan, counts, stack, res, scratch, feat)
                if timeout and cap < max_turns:
                    turn_sum[g] = bound[i, c]
                    break
                turn_sum[g] += turns
                turn_sumsq[g] += turns * turns
                timeouts[g] += timeout
                for j in range(k + 1):
                    uses[g, j] += counts[j]
                if hist.shape[1]:
                    hist[g, turns] += 1
                if per.shape[1]:
                    per[g, r] = turns
