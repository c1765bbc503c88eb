"""A scalar reference of the Vitality rules: one combat at a time, plain Python, written from
docs/vitality-rules.md. Every rule number below is typed here from the rulebook's tables
(sections 3-5); nothing is read from the implementation's catalog or tables. It shares only the
names of the dice with the kernel (the slots, so that the two can be compared combat by combat);
it draws the counter-based dice and decodes them itself. Used to check the vectorised
kernel combat by combat.

Dice slots follow rules/vitality/kernel_dice.py: strike numbers count the strikes of a turn in
the order they are taken from the pending list (0 = main strike), including follow-ups found
void (target fallen) and explosive splashes.
"""

from __future__ import annotations

from balance_rules.vitality.kernel_dice import (
    ADVANTAGE, ATTACK, EXPLODE, RETALIATION, RETALIATION_EXPLODE, UNRELIABLE, slot,
)

# --- The rulebook's tables (docs/vitality-rules.md), typed by hand ------------------------------
# Section 3. Attack type: (accuracy ×T, damage ×T, area, direct, flat roll as (flat, ×T)).
TYPES = {
    "melee_ac": (1, 0, False, False, None),
    "melee_dg": (0, 1, False, False, None),
    "ranged": (0, 0, False, False, None),
    "area": (-1, -1, True, False, None),
    "direct_damage": (0, 0, False, True, (15, -1)),
    "direct_area_damage": (0, 0, True, True, (15, -2)),
}
# Section 4. Upgrade: (accuracy ×T, accuracy flat, damage ×T, damage flat). Effects are coded below.
UPGRADE_MODS = {
    "power_attack": (-1, 0, 1, 0),
    "accurate_attack": (1, 0, -1, 0),
    "reliable_accuracy": (0, -3, 0, 0),
    "overhit": (0, 0, 0, 0),
    "high_impact": (0, 0, 0, 0),
    "critical_effect": (0, 0, 0, -3),
    "armor_piercing": (0, -1, 0, 0),
    "brutal": (0, 0, 0, 0),
    "barrage": (-2, 0, -2, 0),
    "extra_attack": (-1, 0, -1, 0),
    "powerful_critical": (0, 0, 0, 0),
    "ricochet": (0, 0, 0, 0),
    "double_tap": (0, 0, 0, 0),
    "explosive_critical": (-2, 0, -2, 0),
    "bleed": (0, 0, -1, 0),
    "finishing_blow_1": (0, 0, 0, 0),
    "culling_strike": (0, 0, 0, 0),
    "splinter": (-2, 0, -2, 0),
    "minion_slayer": (0, 0, 0, 0),  # +T/+T against its max HP only: SLAYER_HP
    "captain_slayer": (0, 0, 0, 0),
    "elite_slayer": (0, 0, 0, 0),
    "boss_slayer": (0, 0, 0, 0),
    "channeled": (0, 0, 0, 0),  # (n - 3)×T, at most +5T
}
CRIT_RANGE = {"powerful_critical", "double_tap", "ricochet", "explosive_critical"}
SLAYER_HP = {"minion_slayer": 10, "captain_slayer": 25, "elite_slayer": 50, "boss_slayer": 100}
# Section 5. Limit: bonus ×T to both rolls while its condition holds.
LIMIT_BONUS = {
    "unreliable_1": 1, "unreliable_2": 3, "unreliable_3": 6, "quickdraw": 4, "patient": 1, "finale": 2,
    "charge_up": 3, "charge_up_2": 4, "cooldown": 3, "charges_1": 6, "charges_2": 3, "near_death": 6,
    "bloodied": 3, "timid": 4, "vengeful": 1, "revenge": 2, "unbreakable": 6, "untouchable": 2,
    "passive": 1, "careful": 2, "combo_move": 1, "relentless": 1, "slaughter": 3,
}
UNRELIABLE_DC = {"unreliable_1": 5, "unreliable_2": 10, "unreliable_3": 15}

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


def mix(x: int) -> int:
    """SplitMix64's finaliser (balance/engine/dice.py documents the dice as a function of keys)."""
    z = x & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class Draws:
    """The raw 64 bits of each die of one combat's turn, as the engine's dice define them:
    mix(turn_key + slot × GAMMA), turn_key = mix(lane_key + turn × GAMMA_TURN),
    lane_key = mix(cell_key + mix(run + 1)), cell_key = mix(mix(seed) ^ mix(stream + 1) × 3 + cell)."""

    def __init__(self, seed, stream, cell, run, turn):
        cell_key = mix((mix(seed) ^ (mix(stream + 1) * 3)) + cell)
        lane_key = mix(cell_key + mix(run + 1))
        self.key = mix(lane_key + turn * 0xD1B54A32D192ED03)

    def raw(self, s: int) -> int:
        return mix(self.key + s * 0x9E3779B97F4A7C15)


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
        acc_t, dmg_t, self.area, self.direct, flat = TYPES[build.attack_type]
        names = set(build.upgrades) | set(build.limits)
        self.names = names
        mods = [UPGRADE_MODS[u] for u in build.upgrades]
        self.limit_bonus = sum(LIMIT_BONUS[x] for x in build.limits) * T
        self.acc = acc_t * T + sum(m[0] * T + m[1] for m in mods) + self.limit_bonus
        self.dmg = dmg_t * T + sum(m[2] * T + m[3] for m in mods) + self.limit_bonus
        self.flat = flat[0] + flat[1] * T if self.direct else (15 if "high_impact" in names else 0)
        self.crit_lo = 15 if names & CRIT_RANGE else 20
        self.crit_bonus = 2 * T if "powerful_critical" in names else T
        self.slayer = next((SLAYER_HP[u] for u in build.upgrades if u in SLAYER_HP), None)
        self.dc = next((UNRELIABLE_DC[x] for x in build.limits if x in UNRELIABLE_DC), 0)
        self.charge = 2 if "charge_up_2" in names else 1 if "charge_up" in names else 0
        self.charges = 2 if "charges_2" in names else 1 if "charges_1" in names else 0

    def has(self, name):
        return name in self.names


def simulate(builds, cell, attacker, max_turns, seed, stream=0, run=0, armor_piercing_keeps_buff=True):
    """(turns, timeout, uses per slot + fallback) of one combat with the ``first`` policy.

    ``armor_piercing_keeps_buff``: the project's decision (docs/vitality-rules.md, "How the code
    implements it"): armor_piercing's Durability is 5 + tier + the buff's durability; off, the
    rulebook's bare 5 + tier."""
    focus, power, mobility, endurance, T = attacker
    prof, buff = cell.profile.stats, cell.buff
    pf, pp, pm, pe, pt = prof
    avoid = 10 + pt + pm + buff.bonus("avoidance")
    dur_plain = 5 + pt + pe + buff.bonus("durability")
    dur_ap = 5 + pt + (buff.bonus("durability") if armor_piercing_keeps_buff else 0)
    acc_base, dmg_base = T + focus + buff.bonus("accuracy"), T + power + buff.bonus("damage")
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
