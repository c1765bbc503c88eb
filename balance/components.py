"""What the objects returned by the hooks of :mod:`balance.hookspecs` must offer.

These are structural protocols: a plugin returns any object with these attributes. Each component
has a ``name`` unique within its family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

from balance.builds import Build


@runtime_checkable
class RuleSystem(Protocol):
    """A game's rules: catalog, build legality, enumeration and the combat kernel."""

    name: str
    #: Names of the stat block positions, e.g. ``("focus", "power", "mobility", "endurance", "tier")``.
    stat_names: tuple[str, ...]

    def budget(self, tier: int, archetype: str) -> int:
        """Points per attack for a tier and archetype; raises ``ValueError`` for unknown ones."""

    def check_build(self, build: Build, budget: int | None = None) -> list[str]:
        """Every rule the build breaks, one line each; empty when legal. Unknown names are reported
        as ``unknown upgrade "x" (did you mean y?)``; with a ``budget``, a cost above it too."""

    def build_cost(self, build: Build) -> int:
        """The build's point cost."""

    def enumerate_builds(self, budget: int) -> Iterator[Build]:
        """Every legal build costing at most ``budget``, each once, in a deterministic order."""

    def kernel(self, options: dict[str, Any] | None = None) -> Any:
        """The vectorised combat kernel the engine drives (see :mod:`balance.engine`)."""


class Policy(Protocol):
    """Chooses each lane's attack for this turn (see :mod:`balance.engine`)."""

    name: str

    def choose(self, view: Any, usable: Any) -> Any:
        """Return an int array (lanes,) of attack slots; only usable slots may be chosen."""


class Scoring(Protocol):
    name: str


class Stage(Protocol):
    name: str
    requires: tuple[str, ...]

    def run(self, context: Any) -> None:
        """Simulate and stream this stage's records to the run directory."""


class Store(Protocol):
    name: str


class Reporter(Protocol):
    name: str
    #: The stage whose results the reporter reads (``stage1`` or ``stage2``).
    stage: str

    def write(self, context: Any) -> Iterable[Any]:
        """Write the report files; return their paths."""


class Executor(Protocol):
    name: str
