"""Drive the Vitality kernel one lane at a time with scripted dice.

Numbers used throughout (attacker [2,2,2,2,4], T = 4): accuracy bonus 6, damage bonus 6; the
Balanced profile has Avoidance 16 and Durability 11, Evasive 18 / 9, Tanky 14 / 13. Dice not
scripted read as d20 = 1 and 3d6 = (1,1,1): a miss for every attack and every retaliation.
"""

from __future__ import annotations

import numpy as np

from balance.builds import parse_build
from balance.engine import FixedDice
from balance.grid import Buff, Cell, Profile, Scenario
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_dice import (
    ADVANTAGE, ATTACK, EXPLODE, RETALIATION, UNRELIABLE, encode, slot,
)
from balance_rules.vitality.ruleset import DEFAULT

ATTACKER = (2, 2, 2, 2, 4)
BALANCED, EVASIVE, TANKY = (2, 2, 2, 2, 4), (2, 2, 4, 0, 4), (2, 2, 0, 4, 4)
MISS = encode(1, (1, 1, 1))


def atk(strike: int, d20: int, d6s=(1, 1, 1), *explosions, target: int = 0) -> dict:
    """Strike number ``strike`` of the turn: its d20 (for area: against target position ``target``)
    and, from target position 0, its three damage dice and the dice of its first explosion rounds
    (up to two rounds; later rounds come from :func:`explode`)."""
    return {slot(ATTACK, strike, target): encode(d20, d6s, *explosions)}


def adv(strike: int, d20: int, target: int = 0) -> dict:
    return {slot(ADVANTAGE, strike, target): encode(d20)}


def explode(strike: int, rnd: int, d6s) -> dict:
    """Explosion round ``rnd`` >= 3 (rounds 1 and 2 are part of :func:`atk`)."""
    return {slot(EXPLODE, strike, rnd): encode(1, d6s)}


def unreliable(d20: int) -> dict:
    return {slot(UNRELIABLE): encode(d20)}


def retaliation(enemy: int, d20: int, d6s=(1, 1, 1)) -> dict:
    return {slot(RETALIATION, enemy): encode(d20, d6s)}


def dice(*parts: dict) -> dict:
    out = {}
    for p in parts:
        out.update(p)
    return out


class Fight:
    """One combat lane whose attacks are ``builds`` (k = len(builds))."""

    def __init__(self, builds, hp=(100,), profile=BALANCED, buff=Buff("none"), attacker=ATTACKER, options=None,
                 rule_changes=None):
        ruleset = DEFAULT.with_table(rule_changes) if rule_changes else DEFAULT
        self.kernel = VitalityKernel(options, ruleset)
        self.table = self.kernel.compile([parse_build(b) for b in builds], attacker)
        self.k = len(builds)
        cell = Cell(0, Profile("p", tuple(profile)), buff, Scenario("s", tuple(hp)))
        self.st = self.kernel.start(self.table, [cell], np.zeros(1, dtype=np.intp), np.arange(self.k)[None, :])
        self.turn = 0
        self.log = []

    @property
    def hp(self) -> list[int]:
        return self.st.hp[0].tolist()

    @property
    def attacker_hp(self) -> int:
        return int(self.st.att_hp[0])

    def usable(self) -> list[bool]:
        u = self.kernel.usable(self.st, self.turn + 1)
        return [True] * self.k if u is None else u[0].tolist()

    def turns(self, *scripts: dict, choice: int = 0) -> list[list[int]]:
        """One turn per script; the enemies' HP after each turn."""
        out = []
        for script in scripts:
            self.step(script, choice)
            out.append(self.hp)
        return out

    def step(self, scripted: dict | None = None, choice: int = 0) -> bool:
        """One turn: ``choice`` if usable, else the first usable slot, else the fallback basic attack
        of slot ``choice``. Returns whether the combat is won; records (usable, fallback)."""
        self.turn += 1
        d = FixedDice(1, scripted or {}, default=MISS)
        u = self.kernel.usable(self.st, self.turn)
        u = np.ones((1, self.k), bool) if u is None else u
        fb = ~u.any(1)
        c = choice if (fb[0] or u[0, choice]) else int(np.argmax(u[0]))
        self.kernel.act(self.st, np.array([c]), fb, d, self.turn)
        done = bool(self.kernel.end_turn(self.st, d, self.turn)[0])
        self.log.append((u[0].tolist(), bool(fb[0])))
        return done
