"""A scalar reference of the Vitality rules: one combat at a time, plain Python, written from
docs/vitality-rules.md and the catalog (it shares only the dice definition with the kernel: the
same counter-based draws, read by slot). Used to check the vectorised kernel combat by combat.

Dice slots follow rules/vitality/kernel_dice.py: strike numbers count the strikes of a turn in
the order they are taken from the pending list (0 = main strike), including follow-ups found
void (target fallen) and explosive splashes.
"""

from __future__ import annotations

import numpy as np

from balance.engine.dice import Dice, lane_keys, turn_keys
from balance_rules.vitality.catalog import ATTACK_TYPES, LIMITS, SLAYER_HP, UNRELIABLE_DC, UPGRADES
from balance_rules.vitality.kernel_dice import (
    ADVANTAGE, ATTACK, EXPLODE, RETALIATION, RETALIATION_EXPLODE, UNRELIABLE, slot,
)

M32 = (1 << 32) - 1


class Draws:
    def __init__(self, seed, stream, cell, run, turn):
        self.dice = Dice(turn_keys(lane_keys(seed, stream, cell, np.array([run])), turn))

    def raw(self, s: int) -> int:
        return int(self.dice.raw(s)[0])


def d20(raw):
    return ((raw >> 32) * 20 >> 32) + 1


def digits(raw, n):
    """n base-216 digits of the low 32 bits, each as three d6."""
    x = raw & M32
    out = []
    for _ in range(n):
        x *= 216
        q = x >> 32
        x &= M32
        out.append([q % 6 + 1, (q // 6) % 6 + 1, q // 36 + 1])
    return out


def exploding(raw, lo, draws, explode_slot):
    rounds = digits(raw, 3)
    total = sum(rounds[0])
    live = sum(1 for d in rounds[0] if d >= lo)
    r = 1
    while live:
        ds = rounds[r] if r < 3 else digits(draws.raw(explode_slot(r)), 1)[0]
        ds = ds[:live]
        total += sum(ds)
        live = sum(1 for d in ds if d >= lo)
        r += 1
    return total


class Attack:
    def __init__(self, build, T):
        self.b = build
        at = ATTACK_TYPES[build.attack_type]
        names = set(build.upgrades) | set(build.limits)
        self.names = names
        ups = [UPGRADES[u] for u in build.upgrades]
        self.limit_bonus = sum(LIMITS[x].bonus_t for x in build.limits) * T
        self.area, self.direct = at.area, at.direct
        self.acc = at.accuracy_t * T + sum(u.accuracy_t * T + u.accuracy_flat for u in ups) + self.limit_bonus
        self.dmg = at.damage_t * T + sum(u.damage_t * T + u.damage_flat for u in ups) + self.limit_bonus
        self.flat = at.direct_flat + at.direct_flat_t * T if at.direct else (15 if "high_impact" in names else 0)
        self.crit_lo = 15 if any(u.crit_range for u in ups) else 20
        self.crit_bonus = 2 * T if "powerful_critical" in names else T
        self.slayer = next((SLAYER_HP[u] for u in build.upgrades if u in SLAYER_HP), None)
        self.dc = next((UNRELIABLE_DC[x] for x in build.limits if x in UNRELIABLE_DC), 0)
        self.charge = 2 if "charge_up_2" in names else 1 if "charge_up" in names else 0
        self.charges = 2 if "charges_2" in names else 1 if "charges_1" in names else 0

    def has(self, name):
        return name in self.names


def simulate(builds, cell, attacker, max_turns, seed, stream=0, run=0):
    """(turns, timeout, uses per slot + fallback) of one combat with the ``first`` policy."""
    focus, power, mobility, endurance, T = attacker
    prof, buff = cell.profile.stats, cell.buff
    pf, pp, pm, pe, pt = prof
    avoid = 10 + pt + pm + buff.avoidance
    dur_plain = 5 + pt + pe + buff.durability
    dur_ap = 5 + pt + buff.durability
    acc_base, dmg_base = T + focus + buff.accuracy, T + power + buff.damage
    att_avoid, att_dur = 10 + T + mobility, 5 + T + endurance
    maxhp = list(cell.scenario.enemy_hp)
    hp = list(maxhp)
    E = len(hp)
    attacks = [Attack(b, T) for b in builds]
    basics = [Attack(type(b)(b.attack_type), T) for b in builds]
    k = len(attacks)
    charge = [0] * k
    last_used = [-1000] * k
    used = [0] * k
    chan = [0] * k
    att_hp = 100
    prev = dict(r_hit=False, r_dmg=False, r_att=False, made=False, dealt=False, defeat=False, hits=set())
    bleed_due = [0] * E
    uses = [0] * (k + 1)

    def standing():
        return [j for j in range(E) if hp[j] > 0]

    for turn in range(1, max_turns + 1):
        dr = Draws(seed, stream, cell.index, run, turn)
        first = standing()[0]

        def cond_ok(a, j):
            ok = True
            for lim in a.b.limits:
                if lim in UNRELIABLE_DC:
                    continue
                action_exempt = charge[j] > 0
                c = {
                    "quickdraw": turn <= 2, "patient": turn >= 4, "finale": turn >= 7,
                    "charge_up": True, "charge_up_2": True,
                    "cooldown": turn - last_used[j] >= 4,
                    "charges_1": used[j] < 1, "charges_2": used[j] < 2,
                    "near_death": att_hp <= 25, "bloodied": att_hp <= 50, "timid": att_hp >= 100,
                    "vengeful": prev["r_hit"], "revenge": prev["r_dmg"],
                    "unbreakable": prev["r_hit"] and not prev["r_dmg"],
                    "untouchable": prev["r_att"] and not prev["r_hit"],
                    "passive": not prev["made"], "careful": not prev["r_dmg"],
                    "combo_move": action_exempt or (
                        any(e in prev["hits"] for e in standing()) if a.area else first in prev["hits"]),
                    "relentless": action_exempt or prev["dealt"],
                    "slaughter": action_exempt or prev["defeat"],
                }[lim]
                ok = ok and c
            return ok

        usable = [cond_ok(a, j) for j, a in enumerate(attacks)]
        fallback = not any(usable)
        choice = 0 if (fallback or usable[0]) else usable.index(True)
        uses[k if fallback else choice] += 1
        a = basics[choice] if fallback else attacks[choice]
        fire = True
        new_charge = [0] * k
        if not fallback and a.charge:
            if charge[choice] < a.charge:
                new_charge[choice] = charge[choice] + 1
                fire = False
        charge = new_charge
        if fire and not fallback and a.dc:
            if d20(dr.raw(slot(UNRELIABLE))) < a.dc:
                fire = False
        used_slot = fire and not fallback
        if used_slot:
            last_used[choice] = turn
            used[choice] += 1
        bonus = min(chan[choice] - 3, 5) * T if (used_slot and a.has("channeled")) else 0
        chan = [(chan[j] + 1 if (used_slot and j == choice) else 0) for j in range(k)]
        now = dict(hits=set(), dealt=False, defeat=False)
        bleed_next = {}

        def strike(s, t, kind):
            """A single-target strike; returns (hit, crit, damage, splash_total, splash_pre)."""
            raw = dr.raw(slot(ATTACK, s, 0))
            r = d20(raw)
            if a.has("reliable_accuracy"):
                r = max(r, d20(dr.raw(slot(ADVANTAGE, s, 0))))
            slay = T if a.slayer == maxhp[t] else 0
            total = r + acc_base + a.acc + bonus + slay
            hit = a.direct or total >= avoid
            crit = hit and not a.direct and r >= a.crit_lo
            roll = a.flat if a.flat else exploding(raw, 5 if a.has("critical_effect") else 6, dr,
                                                   lambda rd: slot(EXPLODE, s, rd))
            pre = roll + dmg_base + a.dmg + bonus + slay + (a.crit_bonus if crit else 0)
            if a.has("overhit") and hit and not a.direct and total - avoid >= 3 * T:
                pre += (total - avoid) // 2
            s_total, s_pre = total - slay, pre - slay
            dur = dur_ap if a.has("armor_piercing") else dur_plain
            if a.has("brutal") and pre > dur + 5 * T:
                pre += (pre - dur - 5 * T) // 2
            dmg = max(pre - dur, 0) if hit else 0
            before = hp[t]
            after = max(before - dmg, 0)
            if a.has("finishing_blow_1") and hit and 1 <= after <= 5:
                after = 0
            if a.has("culling_strike") and hit and after > 0 and after * 5 < maxhp[t]:
                after = 0
            hp[t] = after
            if a.has("bleed") and hit and dmg > 0:
                bleed_next[t] = dmg
            if hit:
                now["hits"].add(t)
            now["dealt"] |= dmg > 0
            now["defeat"] |= before > 0 and after == 0
            return hit, crit, dmg, s_total, s_pre

        def swing(s):
            targets = standing()
            raw0 = dr.raw(slot(ATTACK, s, 0))
            roll = a.flat if a.flat else exploding(raw0, 5 if a.has("critical_effect") else 6, dr,
                                                   lambda rd: slot(EXPLODE, s, rd))
            dealt_any = False
            dur = dur_ap if a.has("armor_piercing") else dur_plain
            results = []
            for j in range(E):
                if j not in targets:
                    continue
                raw = raw0 if j == 0 else dr.raw(slot(ATTACK, s, j))
                r = d20(raw)
                if a.has("reliable_accuracy"):
                    r = max(r, d20(dr.raw(slot(ADVANTAGE, s, j))))
                slay = T if a.slayer == maxhp[j] else 0
                total = r + acc_base + a.acc + bonus + slay
                hit = a.direct or total >= avoid
                crit = hit and not a.direct and r >= a.crit_lo
                pre = roll + dmg_base + a.dmg + bonus + slay + (a.crit_bonus if crit else 0)
                if a.has("overhit") and hit and not a.direct and total - avoid >= 3 * T:
                    pre += (total - avoid) // 2
                if a.has("brutal") and pre > dur + 5 * T:
                    pre += (pre - dur - 5 * T) // 2
                results.append((j, hit, max(pre - dur, 0) if hit else 0))
            for j, hit, dmg in results:
                before = hp[j]
                after = max(before - dmg, 0)
                if a.has("finishing_blow_1") and hit and 1 <= after <= 5:
                    after = 0
                hp[j] = after
                if a.has("bleed") and hit and dmg > 0:
                    bleed_next[j] = dmg
                if hit:
                    now["hits"].add(j)
                now["dealt"] |= dmg > 0
                now["defeat"] |= before > 0 and after == 0
                dealt_any |= dmg > 0
            return dealt_any

        def do_splash(t, s_total, s_pre):
            dur = dur_ap if a.has("armor_piercing") else dur_plain
            for j in standing():
                if j == t:
                    continue
                slay = T if a.slayer == maxhp[j] else 0
                if s_total + slay < avoid:
                    continue
                pre = s_pre + slay
                if a.has("brutal") and pre > dur + 5 * T:
                    pre += (pre - dur - 5 * T) // 2
                dmg = max(pre - dur, 0)
                before = hp[j]
                hp[j] = max(before - dmg, 0)
                now["hits"].add(j)
                now["dealt"] |= dmg > 0
                now["defeat"] |= before > 0 and hp[j] == 0

        if fire:
            pending = []  # stack of (kind, target, payload); the last entry is taken first
            extra_used = [False]

            def follow_ups(kind, t, res):
                """Follow-ups of a resolved strike, in rulebook order (pushed in reverse)."""
                out = []
                hit, crit, dmg, s_total, s_pre = res
                if a.has("extra_attack") and kind in ("main", "barrage") and hit and dmg > 0 and not extra_used[0]:
                    extra_used[0] = True
                    out.append(("extra", t, None))
                if a.has("barrage") and kind == "main":
                    out += [("barrage", t, None), ("barrage", t, None)]
                if a.has("double_tap") and crit and kind != "double_tap":
                    out.append(("double_tap", t, None))
                if a.has("ricochet") and crit and kind != "ricochet":
                    out += [("ricochet", j, None) for j in [j for j in standing() if j != t][:2]]
                if a.has("explosive_critical") and crit:
                    out.append(("splash", t, (s_total, s_pre)))
                pending.extend(reversed(out))

            def area_follow_ups(kind, dealt_any):
                out = []
                if a.has("extra_attack") and kind in ("main", "barrage") and dealt_any and not extra_used[0]:
                    extra_used[0] = True
                    out.append(("extra", 0, None))
                if a.has("barrage") and kind == "main":
                    out += [("barrage", 0, None), ("barrage", 0, None)]
                pending.extend(reversed(out))

            s = 0
            if a.area:
                area_follow_ups("main", swing(0))
            else:
                follow_ups("main", first, strike(0, first, "main"))
            splinters = (T + 1) // 2 if a.has("splinter") else 0
            sp_target = first
            while True:
                if not pending and splinters:
                    st_ = standing()
                    if hp[sp_target] <= 0 and st_:
                        pending.append(("splinter", st_[0], None))
                        sp_target = st_[0]
                        splinters -= 1
                    else:
                        splinters = 0
                if not pending:
                    break
                kind, t, payload = pending.pop()
                s += 1
                if kind == "splash":
                    do_splash(t, *payload)
                elif a.area:
                    if standing():
                        area_follow_ups(kind, swing(s))
                elif hp[t] > 0:
                    follow_ups(kind, t, strike(s, t, kind))
        # bleed due from last turn
        for j in range(E):
            if bleed_due[j] > 0 and hp[j] > 0:
                hp[j] = max(hp[j] - bleed_due[j], 0)
                now["dealt"] = True
        bleed_due = [bleed_next.get(j, 0) for j in range(E)]
        if not standing():
            return turn, False, uses
        r_hit = r_dmg = False
        for e, j in enumerate(standing()[:2]):
            raw = dr.raw(slot(RETALIATION, e))
            r = d20(raw)
            if r + pt + pf >= att_avoid:
                r_hit = True
                roll = exploding(raw, 6, dr, lambda rd, e=e: slot(RETALIATION_EXPLODE, e, rd))
                dmg = max(roll + pt + pp + (pt if r == 20 else 0) - att_dur, 0)
                att_hp -= dmg
                r_dmg |= dmg > 0
        prev = dict(r_hit=r_hit, r_dmg=r_dmg, r_att=True, made=fire, dealt=now["dealt"], defeat=now["defeat"],
                    hits=now["hits"])
    return max_turns, True, uses
