"""What a Vitality combat looks like turn by turn, for ``balance simulate --trace``: the state a
designer reads and each die in the rules' words (the engine prints them, :mod:`balance.engine.trace`).

A draw's 64 bits hold a d20 (high half) and three d6 (low half, a d216); which of them a rule reads
depends on the die's role (an attack roll reads both; an unreliable check only the d20), so both
are shown. Explosion dice continue the 3d6 of their strike (docs/vitality-rules.md)."""

from __future__ import annotations

import numpy as np

from balance_rules.vitality.kernel_dice import (
    ADVANTAGE, ATTACK, EXPLODE, RETALIATION, RETALIATION_EXPLODE, UNRELIABLE, d20, d216,
)

ROLES = {
    ATTACK: "attack roll",
    ADVANTAGE: "advantage roll",
    EXPLODE: "exploding dice",
    UNRELIABLE: "unreliable check",
    RETALIATION: "enemy attack",
    RETALIATION_EXPLODE: "enemy exploding dice",
}


def describe_draw(slot_id: int, raw: int) -> str:
    role, strike, sub = slot_id >> 24, (slot_id >> 12) & 0xFFF, slot_id & 0xFFF
    bits = np.array([raw], dtype=np.uint64)
    d = int(d20(bits)[0])
    v = int(d216(bits)[0])
    six = (v // 36 + 1, v // 6 % 6 + 1, v % 6 + 1)
    if role == UNRELIABLE:
        return f"{ROLES[role]}: d20 {d}"
    if role in (EXPLODE, RETALIATION_EXPLODE):
        who = f"enemy {strike + 1}" if role == RETALIATION_EXPLODE else f"strike {strike + 1}"
        return f"{ROLES[role]} ({who}, round {sub + 1}): 3d6 {six[0]}+{six[1]}+{six[2]}"
    if role == RETALIATION:
        where = f"enemy {strike + 1}"
    else:
        where = f"strike {strike + 1}" + (f", target {sub + 1}" if sub else "")
    return f"{ROLES.get(role, f'die {role}')} ({where}): d20 {d}, 3d6 {six[0]}+{six[1]}+{six[2]}"


def trace_state(st) -> dict[str, np.ndarray]:
    """Per lane: enemy HP, the attacker's HP, each attack's charge / uses / channelled turns, and
    the conditions the attacks' limits read (dealt damage or defeated an enemy last turn; hit by an
    enemy)."""
    out = {"enemy HP": st.hp, "attacker HP": st.att_hp}
    if st.any_charge:
        out["charge"] = st.charge
    if st.any_charges:
        out["uses"] = st.used
    if np.any(st.chan):
        out["channelled turns"] = st.chan
    if st.any_bleed:
        out["bleed due"] = st.bleed_due
    # only the conditions some limit of these attacks reads are kept up to date
    for name, flag, kept in (("dealt damage last turn", "dealt_prev", st.track_dealt),
                             ("defeated an enemy last turn", "defeat_prev", st.track_defeat),
                             ("hit by an enemy", "r_hit", st.any_retaliate)):
        if kept:
            out[name] = getattr(st, flag)
    return out
