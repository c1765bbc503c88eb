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


@attrs.frozen
class Buff:
    """Flat bonuses for one buff configuration: attacker accuracy/damage, defender avoidance/durability."""

    name: str
    accuracy: int = 0
    damage: int = 0
    avoidance: int = 0
    durability: int = 0


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
