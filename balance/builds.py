"""Builds: one attack as an attack type plus upgrades and limits, and its text form.

The text form is ``"TYPE + UPGRADE, UPGRADE [LIMIT, LIMIT]"``; the rule system decides which names
exist and which combinations are legal. Upgrades and limits are kept sorted, so that equal builds
have equal canonical ids.
"""

from __future__ import annotations

import re

import attrs


class BuildSyntaxError(ValueError):
    """The build text cannot be parsed."""


@attrs.frozen(order=True)
class Build:
    attack_type: str
    upgrades: tuple[str, ...] = attrs.field(default=(), converter=lambda xs: tuple(sorted(xs)))
    limits: tuple[str, ...] = attrs.field(default=(), converter=lambda xs: tuple(sorted(xs)))

    @property
    def enhancements(self) -> tuple[str, ...]:
        return self.upgrades + self.limits

    @property
    def id(self) -> str:
        """The canonical text, which :func:`parse_build` reads back to an equal build."""
        text = self.attack_type
        if self.upgrades:
            text += " + " + ", ".join(self.upgrades)
        if self.limits:
            text += " [" + ", ".join(self.limits) + "]"
        return text

    def __str__(self) -> str:
        return self.id


_BUILD = re.compile(r"^\s*(?P<type>[^+\[\]]+?)\s*(?:\+(?P<ups>[^\[\]]*))?(?:\[(?P<lims>[^\[\]]*)\])?\s*$")


def _names(part: str | None) -> list[str]:
    if not part:
        return []
    names = [n.strip() for n in part.split(",")]
    if any(not n for n in names):
        raise BuildSyntaxError("empty name in list")
    return names


def parse_build(text: str) -> Build:
    """Parse ``"melee_dg + power_attack, brutal [unreliable_1]"`` into a :class:`Build`.

    Only the syntax is checked here; the rule system checks names and legality.
    """
    m = _BUILD.match(text)
    if not m:
        raise BuildSyntaxError(f'cannot read build "{text}": expected "TYPE + UPGRADE, ... [LIMIT, ...]"')
    ups, lims = _names(m["ups"]), _names(m["lims"])
    if m["ups"] is not None and not ups:
        raise BuildSyntaxError(f'cannot read build "{text}": "+" must be followed by upgrades')
    return Build(m["type"].strip(), ups, lims)
