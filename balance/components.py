"""What the objects returned by the hooks of :mod:`balance.hookspecs` must offer.

These are structural protocols: a plugin returns any object with these attributes. Each component
has a ``name`` unique within its family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np

from balance.builds import Build
from balance.ruletable import BudgetKey
from balance.store import Store

__all__ = ["Executor", "Policy", "Reporter", "RuleSystem", "Scores", "Scoring", "Stage", "Store"]


@runtime_checkable
class RuleSystem(Protocol):
    """A game's rules: catalog, build legality, enumeration and the combat kernel."""

    name: str
    #: Names of the stat block positions, e.g. ``("focus", "power", "mobility", "endurance", "tier")``.
    stat_names: tuple[str, ...]
    #: Names of the bonuses a buff may give, e.g. ``("accuracy", "damage", "avoidance", "durability")``;
    #: a config's ``[[buffs]]`` tables may hold these keys besides ``name`` (each an integer, 0 if
    #: left out), and the kernel reads them from :class:`balance.grid.Buff`.
    buff_fields: tuple[str, ...]

    #: The top-level config keys ``budget`` takes (:class:`balance.ruletable.BudgetKey`: name,
    #: default, allowed values), e.g. Vitality's ``tier`` and ``archetype``. The config checks them.
    budget_keys: tuple[BudgetKey, ...]

    def budget(self, **keys: Any) -> int:
        """Points per attack for the budget keys' values; raises ``ValueError`` for a combination
        without one."""

    # Optional: a rule table (see :mod:`balance.ruletable`), overridable in ``[rules.NAME]``.
    #   rule_table() -> dict[str, Any]: every number and decision by dotted name, with its default;
    #   check_rule_table(values) -> Iterable[(name, problem)]: values the system cannot take;
    #   with_rule_table(values) -> RuleSystem: the system playing by these values;
    #   legality_only(name) -> bool: True when the entry changes only which builds are legal and what
    #   they cost, never how a legal build fights (a sweep of it copies the stage-1 results of the
    #   builds its variants share instead of simulating them again).
    # Optional: extended(additions) -> RuleSystem, for what ``balance_rule_extensions`` returns.

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
    """Chooses each lane's attack for this turn (see :mod:`balance.engine.protocol`)."""

    name: str

    def choose(self, view: Any, usable: Any) -> Any:
        """Return an int array (lanes,) of attack slots; only usable slots may be chosen. ``view`` is
        the rule kernel's policy view (numbers such as expected damage per slot, never names)."""


@attrs.frozen
class Scores:
    """A scoring's verdict on ``n`` candidates over a grid of ``C`` cells (profile-major:
    profile × buff × scenario) with ``P`` profiles, ``B`` buffs and ``S`` scenarios."""

    cell_mean: np.ndarray  # (n, C)
    cell_se: np.ndarray  # (n, C)
    overall: np.ndarray  # (n,) the score stages rank by; lower is better
    se: np.ndarray  # (n,) standard error of ``overall``
    timeouts: np.ndarray  # (n,) combats that hit max turns, over all cells
    cell_timeouts: np.ndarray  # (n, C)
    by_profile: np.ndarray  # (n, P)
    by_buff: np.ndarray  # (n, B)
    by_scenario: np.ndarray  # (n, S)


class Scoring(Protocol):
    name: str

    def score(self, turn_sum: Any, turn_sumsq: Any, timeouts: Any, runs: int, grid: Any) -> Scores:
        """Per-candidate :class:`Scores` from the engine's per-cell sums: ``turn_sum``,
        ``turn_sumsq`` and ``timeouts`` are (n, cells) arrays over ``runs`` combats per cell."""


class Stage(Protocol):
    name: str
    #: Stages whose results this one reads; they run first, or must be complete in the run directory.
    requires: tuple[str, ...]
    #: The attrs class (with defaults) of the config table named like the stage, or ``None``. The
    #: core converts the table strictly; the stage reads it as ``config.settings(name)``.
    settings: type | None

    def check_settings(self, settings: Any, config: Any) -> Iterable[tuple[str, str]]:
        """``(key, problem)`` for each check of ``settings`` beyond types, keys relative to the
        stage's table (``prune.strategy``); the first becomes ``config error: NAME.KEY: problem``."""

    def selected(self, config: Any) -> Iterable[tuple[str, str, str]]:
        """``(config key, hook, name)`` of each component this stage would use with ``config``
        (e.g. ``("stage2.policy", "balance_policies", "default")``): checked before any work."""

    def run(self, context: Any) -> None:
        """Simulate and stream this stage's records to the run directory. ``context`` is a
        :class:`balance.runner.RunContext`: ``context.simulate(...)`` runs a task over work items
        through the executor into the store (resuming missing ranges), ``context.compute(...)``
        runs a small task whose results stay in memory, ``context.run`` is the open run."""


class Reporter(Protocol):
    name: str
    #: The stage whose results the reporter reads (``stage1`` or ``stage2``).
    stage: str

    def write(self, context: Any) -> Iterable[Any]:
        """Write the report files into ``context.out_dir / self.stage``; return their paths.
        ``context`` is a :class:`balance.reporting.ReportContext`. A file the reporter returned
        last time in that folder but not this time is removed (nothing else is).

        A reporter may also have ``uses``: names of reporters whose files it renders (the HTML
        page uses ``findings``). It then runs after them, and ``context.written`` holds the files
        they wrote in the same call. ``shares`` (default: its stage) and ``cost`` (default 1) place
        it in a lane: see :func:`balance.hookspecs.balance_reporters`."""


class Comparer(Protocol):
    name: str

    def compare(self, context: Any) -> Any:
        """What moved from run A to run B. ``context`` is a :class:`balance.comparing.CompareContext`;
        return a :class:`balance.comparing.Comparison` (console lines and a markdown section)."""


class Executor(Protocol):
    name: str

    def workers(self, requested: int) -> int:
        """How many workers to use when ``requested`` (0 = the executor's default)."""

    def map(self, spec: Any, task: Any, units: Iterable[tuple[int, int]], workers: int) -> Iterator[Any]:
        """Run ``task.compute`` on each index range (after ``task.prepare`` once per worker, with the
        session ``spec`` reopens) and yield ``(start, stop, columns)`` in submission order."""

    # Optional: ``close()``. An executor may keep its workers from one ``map`` to the next (a run
    # calls ``map`` once per step); the runner then calls ``close()`` once the run's stages are done.
    # Optional: ``start(spec, workers)``, called before the first stage: start the workers early.


def selected_by(stage: Any, config: Any) -> list[tuple[str, str, str]]:
    """``(config key, hook, name)`` of each component ``stage`` uses with this config (a policy)."""
    selected = getattr(stage, "selected", None)
    return list(selected(config)) if selected is not None else []
