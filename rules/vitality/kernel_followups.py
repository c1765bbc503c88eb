"""Follow-up strikes: a per-lane strike stack processed in rounds.

After the main strike, each lane whose attack has follow-ups pushes them on its own stack; every
round pops one entry per lane (vectorised over the lanes that still have entries), resolves it and
pushes that strike's own follow-ups. A stack (last in, first out) with children pushed in reverse
gives the rulebook's depth-first order (6a.7): a strike resolves fully, then its follow-ups in the
order extra_attack, barrage, double_tap, ricochet, explosive splash; splinter after the whole main
attack. Strike numbers (for the dice) count the popped entries of the lane's turn.
"""

from __future__ import annotations

import numpy as np

from balance.engine.lanes_np import gather
from balance_rules.vitality.kernel_strike import area_swing, single_strike, splash
from balance_rules.vitality.kernel_table import FOLLOW_DOUBLE_TAP, FOLLOW_EXPLOSIVE, FOLLOW_RICOCHET

MAIN, BARRAGE, EXTRA, DOUBLE_TAP, RICOCHET, SPLINTER, SPLASH = range(7)
DEPTH = 16


class StrikeStack:
    """Per-lane stacks of pending strikes, each entry packed in one int64:
    kind (4 bits) | target (12 bits) | splash accuracy total (16 bits) | splash damage (16 bits).

    The deepest a turn can stack is about 9 entries (main: extra + 2 barrage + 2 ricochet; then an
    extra strike's own ricochets ...), well under :data:`DEPTH`. The buffer is reused between turns
    (entries above ``size`` are garbage and never read).
    """

    _buffer = np.empty(0, dtype=np.int64)

    def __init__(self, n: int):
        if len(StrikeStack._buffer) < n * DEPTH:
            StrikeStack._buffer = np.empty(max(n * DEPTH, 2 * len(StrikeStack._buffer)), dtype=np.int64)
        self.entries = StrikeStack._buffer
        self.size = np.zeros(n, dtype=np.intp)

    def push(self, pos, kind, tgt, p1=None, p2=None):
        if len(pos) == 0:
            return
        top = gather(self.size, pos)
        code = np.asarray(tgt, dtype=np.int64) << 4 | kind
        if p1 is not None:
            code = code | ((np.asarray(p1, dtype=np.int64) + 32768) << 16) | ((np.asarray(p2, dtype=np.int64) + 32768) << 32)
        self.entries[pos * DEPTH + top] = code
        self.size[pos] = top + 1

    def pop(self, pos):
        top = gather(self.size, pos) - 1
        self.size[pos] = top
        code = gather(self.entries, pos * DEPTH + top)
        kind = (code & 15).astype(np.int8)
        tgt = ((code >> 4) & 4095).astype(np.intp)
        p1 = ((code >> 16) & 65535).astype(np.int32) - 32768
        p2 = ((code >> 32) & 65535).astype(np.int32) - 32768
        return kind, tgt, p1, p2


def _push_children(st, stack, extra_used, pos, rows, kind, tgt, hit, crit, damage, s_total, s_pre):
    """Push the follow-ups of resolved single-target strikes (positions ``pos`` in the stack), in
    reverse so that they pop in rulebook order."""
    tab = st.tab
    follow = gather(tab.follow, rows) * crit  # double_tap, ricochet and explosive need a critical
    # 5. explosive splash
    m = np.flatnonzero(follow == FOLLOW_EXPLOSIVE)
    if len(m):
        stack.push(pos[m], SPLASH, tgt[m], s_total[m], s_pre[m])
    # 4. ricochet: the first two standing enemies other than the struck one, chosen now
    m = np.flatnonzero((follow == FOLLOW_RICOCHET) & (kind != RICOCHET))
    if len(m):
        lanes = gather(st.fidx, pos[m])
        hp = gather(st.hp, lanes)
        others = (hp > 0) & (np.arange(st.E)[None, :] != tgt[m][:, None])
        cs = np.cumsum(others, axis=1)
        n_others = cs[:, -1]
        first = np.argmax(cs >= 1, axis=1)
        second = np.argmax(cs >= 2, axis=1)
        p = pos[m]
        two = n_others >= 2
        stack.push(p[two], RICOCHET, second[two])
        one = n_others >= 1
        stack.push(p[one], RICOCHET, first[one])
    # 3. double tap
    m = np.flatnonzero((follow == FOLLOW_DOUBLE_TAP) & (kind != DOUBLE_TAP))
    if len(m):
        stack.push(pos[m], DOUBLE_TAP, tgt[m])
    # 2. barrage: two more strikes, after the main strike only
    m = np.flatnonzero(gather(tab.barrage, rows) & (kind == MAIN))
    if len(m):
        stack.push(pos[m], BARRAGE, tgt[m])
        stack.push(pos[m], BARRAGE, tgt[m])
    # 1. extra attack: once per turn, from the main strike or a barrage strike that dealt damage
    m = np.flatnonzero(gather(tab.extra, rows) & ((kind == MAIN) | (kind == BARRAGE)) & hit & (damage > 0)
                       & ~gather(extra_used, pos))
    if len(m):
        extra_used[pos[m]] = True
        stack.push(pos[m], EXTRA, tgt[m])


def _push_area_children(st, stack, extra_used, pos, rows, kind, dealt):
    tab = st.tab
    m = tab.barrage[rows] & (kind == MAIN)
    if m.any():
        stack.push(pos[m], BARRAGE, 0)
        stack.push(pos[m], BARRAGE, 0)
    m = tab.extra[rows] & ((kind == MAIN) | (kind == BARRAGE)) & dealt & ~extra_used[pos]
    if m.any():
        extra_used[pos[m]] = True
        stack.push(pos[m], EXTRA, 0)


def run_followups(st, fidx, rows, area, tgt, main_result, dealt):
    """Resolve every follow-up of the main attacks of lanes ``fidx`` (engine lane indices).

    ``area`` marks area rows; ``tgt`` the main targets of single-target rows; ``main_result`` the
    main strike's (hit, crit, damage, splash_total, splash_pre) for the single-target rows (in the
    order of ``np.flatnonzero(~area)``) and ``dealt`` the area rows' any-damage flags.
    """
    n = len(fidx)
    st.fidx = fidx
    stack = StrikeStack(n)
    extra_used = np.zeros(n, dtype=bool)
    single = np.flatnonzero(~area)
    if len(single):
        hit, crit, damage, s_total, s_pre = main_result
        if s_total is None:
            s_total = s_pre = np.zeros(len(single), dtype=np.int32)
        _push_children(st, stack, extra_used, single, rows[single], np.full(len(single), MAIN), tgt[single],
                       hit, crit, damage, s_total, s_pre)
    ar = np.flatnonzero(area)
    if len(ar):
        _push_area_children(st, stack, extra_used, ar, rows[ar], np.full(len(ar), MAIN), dealt)
    splinter_left = gather(st.tab.splinter, rows) * ((st.T + 1) // 2)
    splinter_tgt = tgt.copy()
    strike_no = np.ones(n, dtype=np.int64)
    while True:
        # Splinter: when a lane's attack (with all its follow-ups) is over and its target is down.
        c = np.flatnonzero((stack.size == 0) & (splinter_left > 0))
        if len(c):
            hp = gather(st.hp, gather(fidx, c))
            standing = hp > 0
            go = (hp[np.arange(len(c)), splinter_tgt[c]] <= 0) & standing.any(1)
            first = np.argmax(standing, axis=1)
            stack.push(c[go], SPLINTER, first[go])
            splinter_tgt[c[go]] = first[go]
            splinter_left[c[go]] -= 1
            splinter_left[c[~go]] = 0
        act = np.flatnonzero(stack.size > 0)
        if len(act) == 0:
            return
        kind, t, p1, p2 = stack.pop(act)
        s = gather(strike_no, act)
        strike_no[act] = s + 1
        r = gather(rows, act)
        lanes = gather(fidx, act)
        is_splash = kind == SPLASH
        if is_splash.any():
            m = np.flatnonzero(is_splash)
            splash(st, lanes[m], r[m], t[m], p1[m], p2[m])
        area_act = gather(area, act)
        is_area = area_act & ~is_splash
        if is_area.any():
            m = np.flatnonzero(is_area)
            standing = (gather(st.hp, lanes[m]) > 0).any(1)
            m = m[standing]
            if len(m):
                d = area_swing(st, lanes[m], r[m], s[m])
                _push_area_children(st, stack, extra_used, act[m], r[m], kind[m], d)
        sing = ~area_act & ~is_splash
        if sing.any():
            m = np.flatnonzero(sing)
            # follow-ups at a fallen target do not happen
            m = m[gather(st.hp.reshape(-1), gather(lanes, m) * st.E + gather(t, m)) > 0]
            if len(m):
                hit, crit, damage, s_total, s_pre = single_strike(st, lanes[m], r[m], t[m], s[m])
                if s_total is None:
                    s_total = s_pre = np.zeros(len(m), dtype=np.int32)
                _push_children(st, stack, extra_used, act[m], r[m], kind[m], t[m], hit, crit, damage, s_total, s_pre)
