"""The Vitality System combat kernel: the engine's :class:`~balance.engine.protocol.Kernel` for
the rules of docs/vitality-rules.md.

When the grid has one cell the enemies' scores are scalars; otherwise a batch holds them per lane
(shorter scenarios are padded with enemies defeated from the start). Enemy HP is a
(lanes, enemies) array. Each feature's code runs only when some row of the batch carries it, and
the costly ones (follow-up strikes, unreliable rolls, advantage dice, retaliation damage) only on
the lanes that need them, so plain builds pay for plain combat only. The code avoids numpy's
branchy operations (see balance/engine/lanes_np.py). Retaliation is simulated
only for lanes whose attacks have a limit that reads the attacker's HP or the enemies' attacks
(nothing else depends on it; dice are counter-based, so skipping it changes no other roll).

``VitalityKernel(options, ruleset)`` plays by ``ruleset`` (:mod:`.ruleset`: the catalog, thresholds
and decisions, a config's overrides applied). Options: none are required;
``armor_piercing_keeps_buff`` is the older spelling of the decision of that name and, given, wins.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from balance.engine.lanes import LaneState
from balance.engine.lanes_np import gather, select
from balance_rules.vitality.kernel_dice import RETALIATION, RETALIATION_EXPLODE, UNRELIABLE, d20, exploding_3d6, slot
from balance_rules.vitality.kernel_followups import run_followups
from balance_rules.vitality.kernel_policy import expected_view, extend_expectations
from balance_rules.vitality.kernel_strike import area_swing, lane_value, single_strike
from balance_rules.vitality.ruleset import DEFAULT, Ruleset
from balance_rules.vitality.kernel_table import (
    ACTION_BITS, BLOODIED, CAREFUL, COMBO, FINALE, NEAR_DEATH, PASSIVE, PATIENT, QUICKDRAW, RELENTLESS,
    REVENGE, SLAUGHTER, TIMID, TRIGGER_ALWAYS, TRIGGER_CRIT, TRIGGER_DAMAGE, UNBREAKABLE, UNTOUCHABLE, VENGEFUL, Table,
    compile_table, stat,
)

ATTACKER_HP = 100


class VitalityState(LaneState):
    """Per-lane combat state of one batch. Attributes starting with ``c_`` are per-cell."""

    def alive_bits(self, idx) -> np.ndarray:
        """int32 per lane of ``idx``: bit j set where enemy j stands."""
        return ((self.hp[idx] > 0) * self.c_bits).sum(1, dtype=np.int32)


class VitalityKernel:
    """Vectorised Vitality combat (see the module docstring)."""

    name = "vitality"

    #: Named options (config ``[rule_options]``) and their defaults.
    OPTIONS = {"armor_piercing_keeps_buff": True}

    def __init__(self, options: dict[str, Any] | None = None, ruleset: Ruleset = DEFAULT):
        self.ruleset = ruleset
        decided = {"armor_piercing_keeps_buff": ruleset.decisions.armor_piercing_keeps_buff}
        self.options = {**self.OPTIONS, **decided, **(options or {})}
        unknown = sorted(set(self.options) - set(self.OPTIONS))
        if unknown:
            raise ValueError(f'unknown option "{unknown[0]}" (options: {", ".join(self.OPTIONS)})')
        for name, default in self.OPTIONS.items():
            if not isinstance(self.options[name], type(default)):
                raise ValueError(f"option {name}: expected {type(default).__name__}, got {self.options[name]!r}")
        self.ap_keeps_buff = self.options["armor_piercing_keeps_buff"]
        self._views: dict = {}

    # -- protocol --------------------------------------------------------------------------------

    def compile(self, builds, attacker) -> Table:
        return compile_table(builds, attacker, self.ruleset)

    def cell_constants(self, table: Table, cell) -> SimpleNamespace:
        """The numbers of one cell: enemy scores, the attacker's buffed bonuses, enemy max HP."""
        prof, buff = cell.profile.stats, cell.buff
        ptier = stat(prof, "tier")
        return SimpleNamespace(
            avoid=10 + ptier + stat(prof, "mobility") + buff.bonus("avoidance"),
            dur=5 + ptier + stat(prof, "endurance") + buff.bonus("durability"),
            dur_ap=5 + ptier + (buff.bonus("durability") if self.ap_keeps_buff else 0),
            e_acc=ptier + stat(prof, "focus"),
            e_dmg=ptier + stat(prof, "power"),
            e_tier=ptier,
            acc_base=table.acc_bonus + buff.bonus("accuracy"),
            dmg_base=table.dmg_bonus + buff.bonus("damage"),
            maxhp=np.asarray(cell.scenario.enemy_hp, dtype=np.int32),
        )

    def start(self, table: Table, cells, lane_cells: np.ndarray, slots: np.ndarray) -> VitalityState:
        tab = table
        st = VitalityState()
        slots = np.asarray(slots, dtype=np.intp)
        L, k = slots.shape
        st.n, st.k, st.tab, st.T = L, k, tab, tab.tier
        st.cells = list(cells)
        consts = [self.cell_constants(tab, c) for c in st.cells]
        st.consts = consts
        # Policy-view cache keys: the table object itself (never a reused id) and the cell.
        st.view_keys = [(tab, c.index, c.profile, c.buff, c.scenario) for c in st.cells]
        st.E = max(len(c.maxhp) for c in consts)
        st.multi = len(consts) > 1
        if not st.multi:
            # One cell: its numbers are scalars (the common, fastest case).
            c = consts[0]
            for name in ("avoid", "dur", "dur_ap", "e_acc", "e_dmg", "e_tier", "acc_base", "dmg_base"):
                setattr(st, name, getattr(c, name))
            st.c_maxhp = c.maxhp
            st.lane_cell = np.zeros(L, dtype=np.intp)
            st.hp = np.tile(st.c_maxhp, (L, 1))
        else:
            # Several cells: per-lane numbers; missing enemies of shorter scenarios start defeated.
            lane_cells = np.asarray(lane_cells, dtype=np.intp)
            st.lane_cell = lane_cells
            for name in ("avoid", "dur", "dur_ap", "e_acc", "e_dmg", "e_tier", "acc_base", "dmg_base"):
                values = [getattr(c, name) for c in consts]
                # A number shared by every cell of the batch (e.g. the buff's, with one buff) stays a scalar.
                same = all(v == values[0] for v in values)
                setattr(st, name, values[0] if same else np.asarray(values, dtype=np.int32)[lane_cells])
            padded = np.zeros((len(consts), st.E), dtype=np.int32)
            for i, c in enumerate(consts):
                padded[i, : len(c.maxhp)] = c.maxhp
            st.maxhp = padded[lane_cells]
            st.c_maxhp = None
            st.hp = st.maxhp.copy()
        st.slots = slots
        st.slot_req = tab.req[slots]  # read every turn by usable()
        # Where each lane's attacks start in the policy view's flattened (cell, row, enemy) table.
        st.view_at = (st.lane_cell * (len(tab.acc) * st.E))[:, None] + slots * st.E
        # Standing enemies per lane (kept up to date where enemies fall).
        st.alive = np.count_nonzero(st.hp > 0, axis=1).astype(np.int32)
        # Lanes whose attacks read the attacker's HP or the enemies' attacks.
        st.retaliate = tab.retaliation[slots].any(1)
        st.retaliate_damage = tab.retaliation_damage[slots].any(1)
        st.area_combo = (tab.area[slots] & ((tab.req[slots] & (1 << COMBO)) != 0)).any(1)
        st.bleeds = tab.bleed[slots].any(1) | tab.bleed[tab.basic[slots]].any(1)
        self._set_features(st)
        st.att_hp = np.full(L, ATTACKER_HP, dtype=np.int32)
        st.r_hit = np.zeros(L, dtype=bool)
        st.r_dmg = np.zeros(L, dtype=bool)
        st.r_att = np.zeros(L, dtype=bool)
        st.made_prev = np.zeros(L, dtype=bool)
        st.dealt_prev = np.zeros(L, dtype=bool)
        st.defeat_prev = np.zeros(L, dtype=bool)
        # Enemies hit this / last turn, one bit per enemy position (combo_move).
        st.hit_prev = np.zeros(L, dtype=np.int32)
        st.c_bits = (np.int32(1) << np.arange(st.E, dtype=np.int32))
        # First standing enemy (the single-target attacks' target), kept up to date at end of turn.
        st.first = np.zeros(L, dtype=np.intp)
        st.charge = np.zeros((L, k), dtype=np.int32)
        st.last_used = np.full((L, k), -1000, dtype=np.int32)
        st.used = np.zeros((L, k), dtype=np.int32)
        st.chan = np.zeros((L, k), dtype=np.int32)
        if st.any_bleed:
            st.bleed_due = np.zeros((L, st.E), dtype=np.int32)
            st.bleed_next = np.zeros((L, st.E), dtype=np.int32)
        st.bonus = None
        return st

    def compact(self, state: VitalityState, keep: np.ndarray) -> VitalityState:
        state.take(keep)
        if state.n:
            self._set_features(state)
        return state

    def merge(self, state: VitalityState, fresh: VitalityState) -> VitalityState:
        if state.n == 0:
            return fresh
        expected = getattr(state, "c_expected", None)
        state.extend(fresh)
        self._set_features(state)
        if expected is not None:
            state.c_expected = extend_expectations(self, state, fresh, expected)
        return state

    @staticmethod
    def _set_features(st) -> None:
        """Which features the batch's lanes carry (again after compaction and refilling: a job's
        long tail often holds a few kinds of attacks only, and absent features then cost nothing)."""
        tab = st.tab
        # Features present in this batch (rows of the lanes' attacks and their basic attacks).
        present = np.zeros(len(tab.acc), dtype=bool)
        present[st.slots.ravel()] = True
        present[tab.basic[np.flatnonzero(present)]] = True
        rows = np.flatnonzero(present)
        col = lambda name: bool(tab.cols[name][rows].any())  # noqa: E731
        st.any_direct = col("direct")
        st.all_flat = bool((tab.roll_flat[rows] > 0).all())
        st.any_flat = col("roll_flat")
        st.any_explode5 = col("explode5")
        st.any_reliable = col("reliable")
        st.any_slayer = col("slayer_hp")
        st.any_overhit = col("overhit")
        st.any_ap = col("armor_piercing")
        st.any_brutal = col("brutal")
        st.any_finishing = col("finishing")
        st.any_culling = col("culling")
        st.any_bleed = col("bleed")
        st.any_explosive = bool((tab.follow[rows] == 3).any())
        st.any_followups = col("followups")
        st.any_area = col("area")
        st.any_single = not bool(tab.area[rows].all())
        st.any_channeled = col("channeled")
        st.any_charge = col("charge_need")
        st.any_unreliable = col("unreliable")
        st.any_cooldown = col("cooldown")
        st.any_charges = col("charges")
        st.limited = col("limited")
        st.req_any = int(np.bitwise_or.reduce(tab.req[rows]))
        st.track_hits = bool(st.req_any & (1 << COMBO))
        st.track_dealt = bool(st.req_any & (1 << RELENTLESS))
        st.track_defeat = bool(st.req_any & (1 << SLAUGHTER))
        st.track_made = bool(st.req_any & (1 << PASSIVE))
        st.any_retaliate = bool(st.retaliate.any())
        if not st.any_channeled:
            st.bonus = None


    def usable(self, st: VitalityState, turn: int) -> np.ndarray | None:
        if not st.limited:
            return None
        tab, L, k = st.tab, st.n, st.k
        need = st.req_any
        t = np.asarray(turn)  # each lane's own turn (or one turn for every lane)
        ok = np.empty(L, dtype=np.int32)
        ok[...] = ((t <= 2) << QUICKDRAW) | ((t >= 4) << PATIENT) | ((t >= 7) << FINALE)

        def put(bit, mask):
            if need & (1 << bit):
                ok[...] |= mask * np.int32(1 << bit)

        put(NEAR_DEATH, st.att_hp <= 25)
        put(BLOODIED, st.att_hp <= 50)
        put(TIMID, st.att_hp >= ATTACKER_HP)
        put(VENGEFUL, st.r_hit)
        put(REVENGE, st.r_dmg)
        put(UNBREAKABLE, st.r_hit & ~st.r_dmg)
        put(UNTOUCHABLE, st.r_att & ~st.r_hit)
        put(CAREFUL, ~st.r_dmg)
        put(PASSIVE, ~st.made_prev)
        put(RELENTLESS, st.dealt_prev)
        put(SLAUGHTER, st.defeat_prev)
        combo_single = combo_area = None
        if need & (1 << COMBO):
            combo_single = ((st.hit_prev >> st.first.astype(np.int32)) & 1).astype(bool)
            combo_area = None
            ac = np.flatnonzero(st.area_combo)
            if len(ac):  # area attacks with combo_move: any standing enemy hit last turn
                combo_area = combo_single.copy()
                combo_area[ac] = (gather(st.hit_prev, ac) & st.alive_bits(ac)) != 0
        out = np.empty((L, k), dtype=bool)
        for j in range(k):
            rows = st.slots[:, j]
            okj = ok
            if combo_single is not None:
                combo = combo_single if combo_area is None else select(gather(tab.area, rows), combo_area, combo_single)
                okj = okj | combo * np.int32(1 << COMBO)
            if st.any_charge:
                okj = okj | (st.charge[:, j] > 0) * np.int32(ACTION_BITS)
            u = (st.slot_req[:, j] & ~okj) == 0
            if st.any_cooldown:
                u &= ~gather(tab.cooldown, rows) | (turn - st.last_used[:, j] >= 4)
            if st.any_charges:
                ch = gather(tab.charges, rows)
                u &= (ch == 0) | (st.used[:, j] < ch)
            out[:, j] = u
        return out

    def policy_view(self, st: VitalityState, turn, fallback: bool, lanes=None):
        return expected_view(self, st, fallback, turn, lanes)

    def act(self, st: VitalityState, choice: np.ndarray, fallback: np.ndarray, dice, turn: int) -> None:
        tab, L, k = st.tab, st.n, st.k
        st.dice = dice
        lanes = np.arange(L)
        # Position of each lane's chosen slot in the flattened (lanes, k) per-slot arrays.
        pick = None if k == 1 else lanes * k + choice
        slot_row = st.slots[:, 0] if k == 1 else gather(st.slots.reshape(-1), pick)
        any_fb = bool(fallback.any())
        row = select(fallback, gather(tab.basic, slot_row), slot_row) if any_fb else slot_row
        fire = None  # None = every lane attacks
        if st.track_hits:
            st.hit_now = np.zeros(L, dtype=np.int32)
        if st.track_dealt:
            st.dealt_now = np.zeros(L, dtype=bool)
        if st.track_defeat:
            st.defeat_now = np.zeros(L, dtype=bool)
        used_slot = ~fallback if any_fb else None  # None = every lane used its slot
        one = k == 1  # one attack per lane: per-slot state is column 0, no fancy indexing

        def get(a):
            return a[:, 0] if one else gather(a.reshape(-1), pick)

        def fresh_with(a, values):
            """A new per-slot array: zero except the chosen slot (any other action resets it)."""
            out = np.zeros_like(a)
            if one:
                out[:, 0] = values
            else:
                out.reshape(-1)[pick] = values
            return out

        if st.any_charge:
            need = gather(tab.charge_need, slot_row)
            if any_fb:
                need = need * ~fallback
            cur = get(st.charge)
            charging = cur < need
            # Any other action breaks a charge; firing (or wasting the action) ends it.
            st.charge = fresh_with(st.charge, (cur + 1) * charging)
            fire = ~charging
        if st.any_unreliable:
            dc = gather(tab.unreliable, slot_row)
            if any_fb:
                dc = dc * ~fallback
            m = np.flatnonzero((dc > 0) & (fire if fire is not None else True))
            if len(m):
                roll = d20(dice.raw(slot(UNRELIABLE), m))
                wasted = roll < gather(dc, m)
                if fire is None:
                    fire = np.ones(L, dtype=bool)
                fire[m[wasted]] = False
        if fire is not None:
            used_slot = fire if used_slot is None else used_slot & fire
        if st.any_cooldown or st.any_charges:
            u = lanes if used_slot is None else np.flatnonzero(used_slot)
            at = u * k + (0 if one else gather(choice, u))  # flat (lane, slot) positions
            st.last_used.reshape(-1)[at] = turn if np.ndim(turn) == 0 else gather(turn, u)
            st.used.reshape(-1)[at] += 1
        if st.any_channeled:
            cur = get(st.chan)
            made_it = gather(tab.channeled, row)
            if used_slot is not None:
                made_it &= used_slot
            th = tab.rules.thresholds
            st.bonus = (np.minimum(cur - th.channeled_start, th.channeled_cap_t) * made_it).astype(np.int32) * np.int32(st.T)
            st.chan = fresh_with(st.chan, cur + 1 if used_slot is None else (cur + 1) * used_slot)
        if st.track_made:
            st.made = np.ones(L, dtype=bool) if fire is None else fire
        idx = lanes if fire is None else np.flatnonzero(fire)
        if len(idx) == 0:
            return
        rows = gather(row, idx) if fire is not None else row
        self._attack(st, idx, rows, fire_all=fire is None)

    def _attack(self, st, idx, rows, fire_all=False):
        tab = st.tab
        area = gather(tab.area, rows) if st.any_area else np.zeros(len(idx), dtype=bool)
        tgt = np.zeros(len(idx), dtype=np.intp)
        main_result = None
        dealt = None
        sg = None
        if st.any_area:
            a = np.flatnonzero(area)
            if len(a):
                dealt = area_swing(st, gather(idx, a), gather(rows, a), 0)
        if st.any_single:
            sg = np.flatnonzero(~area) if st.any_area else None
            if sg is not None and len(sg) == len(idx):
                sg = None
            sidx = idx if sg is None else gather(idx, sg)
            srows = rows if sg is None else gather(rows, sg)
            if len(sidx):
                t = gather(st.first, sidx) if st.E > 1 else np.zeros(len(sidx), dtype=np.intp)
                if sg is None:
                    tgt = t
                else:
                    tgt[sg] = t
                full = fire_all and sg is None
                main_result = single_strike(st, None if full else sidx, srows, t, 0)
        if not st.any_followups:
            return
        # Only lanes whose main attack triggers something go through the strike stack.
        trigger = gather(tab.trigger, rows)
        trig = (trigger & TRIGGER_ALWAYS) != 0
        if main_result is not None:
            hit, crit, damage = main_result[:3]
            st_trigger = trigger if sg is None else gather(trigger, sg)
            t = (crit & ((st_trigger & TRIGGER_CRIT) != 0)) | (((st_trigger & TRIGGER_DAMAGE) != 0) & hit & (damage > 0))
            if sg is None:
                trig = trig | t
            else:
                trig[sg] |= t
        if dealt is not None:
            trig[a] |= ((gather(trigger, a) & TRIGGER_DAMAGE) != 0) & dealt
        f = np.flatnonzero(trig)
        if len(f) == 0:
            return
        # Restrict the main results to the follow-up lanes, in the order run_followups expects.
        fa = gather(area, f)
        if main_result is not None:
            pos_single = np.full(len(idx), -1)
            single = np.flatnonzero(~area)
            pos_single[single] = np.arange(len(single))
            ps = gather(pos_single, gather(f, np.flatnonzero(~fa)))
            main_result = tuple(None if x is None else gather(x, ps) for x in main_result)
        if dealt is not None:
            pos_area = np.full(len(idx), -1)
            pos_area[a] = np.arange(len(a))
            dealt = gather(dealt, gather(pos_area, gather(f, np.flatnonzero(fa))))
        run_followups(st, gather(idx, f), gather(rows, f), fa, gather(tgt, f), main_result, dealt)

    def end_turn(self, st: VitalityState, dice, turn: int) -> np.ndarray:
        if st.any_bleed:
            bl = np.flatnonzero(st.bleeds)  # only lanes whose attacks bleed can hold bleeds
            due = gather(st.bleed_due, bl)
            hp = gather(st.hp, bl)
            m = (due > 0) & (hp > 0)
            if m.any():
                after = np.maximum(hp - due * m, 0)
                st.hp[bl] = after
                st.alive[bl] -= np.count_nonzero(m & (after == 0), axis=1).astype(np.int32)
                if st.track_dealt:
                    st.dealt_now[bl] |= m.any(1)
            st.bleed_due = st.bleed_next
            st.bleed_next = np.zeros_like(st.bleed_next)
        done = st.alive <= 0
        if st.E > 1:
            # Enemies never come back, so the first standing enemy only moves forward: look again
            # only on the lanes whose first standing enemy fell this turn.
            hp_first = gather(st.hp.reshape(-1), np.arange(st.n) * st.E + st.first)
            fell = np.flatnonzero((hp_first <= 0) & ~done)
            if len(fell):
                st.first[fell] = np.argmax(gather(st.hp, fell) > 0, axis=1)
        if st.any_retaliate:
            self._retaliate(st, dice, np.flatnonzero(st.retaliate & ~done))
        if st.track_made:
            st.made_prev = st.made
        if st.track_dealt:
            st.dealt_prev = st.dealt_now
        if st.track_defeat:
            st.defeat_prev = st.defeat_now
        if st.track_hits:
            st.hit_prev = st.hit_now
        return done

    def _retaliate(self, st, dice, idx):
        """The first two standing enemies each make a plain ranged attack at the attacker."""
        st.r_hit[:] = False
        st.r_dmg[:] = False
        st.r_att[:] = False
        if len(idx) == 0:
            return
        n_standing = gather(st.alive, idx)
        for e in range(2):
            sub = idx if e == 0 else gather(idx, np.flatnonzero(n_standing > e))  # idx: lanes still fighting
            if len(sub) == 0:
                break
            raw = dice.raw(slot(RETALIATION, e), sub)
            r = d20(raw)
            hit = r + lane_value(st.e_acc, sub) >= st.tab.attacker_avoidance
            st.r_att[sub] = True
            st.r_hit[sub] |= hit
            # Damage only matters to lanes whose limits read HP or damage taken.
            m = np.flatnonzero(hit & gather(st.retaliate_damage, sub))
            if len(m) == 0:
                continue
            hs = gather(sub, m)
            roll = exploding_3d6(gather(raw, m), 0, dice, lambda rd, e=e: slot(RETALIATION_EXPLODE, e, rd), hs)
            bonus = lane_value(st.e_dmg, hs) + lane_value(st.e_tier, hs) * (gather(r, m) == 20)
            dmg = np.maximum(roll + bonus - st.tab.attacker_durability, 0).astype(np.int32)
            st.att_hp[hs] -= dmg
            st.r_dmg[hs] |= dmg > 0
