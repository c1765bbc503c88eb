"""The test grid: defensive profiles, buffs and scenarios, and the cells they span."""

from __future__ import annotations

from typing import NewType

import attrs

#: An enemy's max HP: a positive integer (the config rejects anything else).
HitPoints = NewType("HitPoints", int)


@attrs.frozen
class Profile:
    """A defensive profile: the stat block every enemy of a cell shares, in the rule system's stat order."""

    name: str
    stats: tuple[int, ...]


@attrs.frozen(init=False)
class Buff:
    """One buff configuration: flat bonuses by name. The rule system declares the names a buff may
    have (``RuleSystem.buff_fields``, e.g. Vitality's ``accuracy``, ``damage``, ``avoidance``,
    ``durability``); the config checks them against that declaration, and lists every declared
    field. A kernel reads a bonus as ``buff.bonus("damage")``: one the buff does not list is 0."""

    name: str
    #: ``(field, bonus)`` pairs in the rule system's order (a tuple, so buffs stay hashable).
    bonuses: tuple[tuple[str, int], ...] = ()

    def __init__(self, name: str, bonuses=(), **named: int):
        self.__attrs_init__(name, tuple({**dict(bonuses), **named}.items()))

    def bonus(self, field: str) -> int:
        return dict(self.bonuses).get(field, 0)


@attrs.frozen
class Scenario:
    """An enemy group: each enemy's max HP, in targeting order."""

    name: str
    enemy_hp: tuple[HitPoints, ...]


@attrs.frozen
class Cell:
    """One (profile, buff, scenario) combination; ``index`` keys its dice."""

    index: int
    profile: Profile
    buff: Buff
    scenario: Scenario


@attrs.frozen
class Grid:
    """The cells of a run: every profile × buff × scenario, profile-major, in config order."""

    profiles: tuple[Profile, ...]
    buffs: tuple[Buff, ...]
    scenarios: tuple[Scenario, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        out = []
        for p in self.profiles:
            for b in self.buffs:
                for s in self.scenarios:
                    out.append(Cell(len(out), p, b, s))
        return tuple(out)
