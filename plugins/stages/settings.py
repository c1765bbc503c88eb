"""The settings of the built-in stages: the ``[stage1]`` and ``[stage2]`` config tables.

Each stage declares its table as an attrs class with defaults (``Stage.settings``) and checks it
beyond types (``Stage.check_settings``); the core converts the table with the same strict rules as
the rest of the config and reports the first problem as one ``config error: KEY: problem`` line."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from balance.config.model import MAX_RUNS

PRUNE_STRATEGIES = ("overall", "specialists", "enhancement", "overall_specialists", "hybrid")
#: Bounds far above any useful run (see :mod:`balance.config.model`).
MAX_CONFIRM_TOP = 1_000_000
MAX_PAIRS = 2**62


@attrs.frozen
class PruneSettings:
    """Stage-1 pruning. Percentages are of all stage-1 attacks (overall), of each profile's ranking
    (specialists), and of the attacks carrying each enhancement (enhancement-based); with screening
    rounds, the kept attacks are chosen among the last round's survivors."""

    strategy: str = "hybrid"
    #: Profiles whose specialists are kept (empty = every profile).
    specialist_profiles: tuple[str, ...] = ()
    overall_percent: float = 5.0
    specialist_percent: float = 2.0
    enhancement_percent: float = 2.0


@attrs.frozen
class Round:
    """One screening round of stage 1 (racing): simulate, then keep the best share."""

    #: Runs per cell in this round (-1 = the stage's ``runs``).
    runs: int = -1
    #: Share of this round's attacks that go on to the next round (or to pruning, after the last).
    keep_percent: float = 100.0


@attrs.frozen
class Stage1Settings:
    runs: int = 10
    #: Successive screening rounds; empty = one pass over every attack with ``runs``.
    rounds: tuple[Round, ...] = ()
    prune: PruneSettings = PruneSettings()


@attrs.frozen
class Stage2Settings:
    runs: int = 2
    policy: str = "default"
    #: Max turns per stage-2 combat (0 = the config's ``max_turns``).
    max_turns: int = 0
    #: Share of all pairs to simulate, drawn by pair index with the run's seed (1.0 = all).
    sample_fraction: float = 1.0
    #: Upper bound on the number of pairs (0 = no bound).
    max_pairs: int = 0
    confirm_top: int = 50
    confirm_runs: int = 20


def percent(path: str, value: float) -> Iterator[tuple[str, str]]:
    if not 0 < value <= 100:
        yield path, f"expected a percentage in (0, 100], got {value:g}"


def runs(path: str, value: int) -> Iterator[tuple[str, str]]:
    if value <= 0:
        yield path, f"expected a positive number, got {value:g}"
    elif value > MAX_RUNS:
        yield path, f"{value:,} is above the limit of {MAX_RUNS:,} combats per cell"


def stage1_problems(s: Stage1Settings, config) -> Iterator[tuple[str, str]]:
    """``(key, problem)`` for each check ``[stage1]`` fails, keys relative to the table."""
    yield from runs("runs", s.runs)
    for i, r in enumerate(s.rounds):
        if r.runs != -1 and r.runs <= 0:
            yield f"rounds[{i}].runs", f"expected a positive integer or -1 (the stage's runs), got {r.runs}"
        yield from percent(f"rounds[{i}].keep_percent", r.keep_percent)
    p = s.prune
    if p.strategy not in PRUNE_STRATEGIES:
        yield "prune.strategy", f'unknown strategy "{p.strategy}" (strategies: {", ".join(PRUNE_STRATEGIES)})'
    yield from percent("prune.overall_percent", p.overall_percent)
    yield from percent("prune.specialist_percent", p.specialist_percent)
    yield from percent("prune.enhancement_percent", p.enhancement_percent)
    names = [profile.name for profile in config.profiles]
    for i, name in enumerate(p.specialist_profiles):
        if name not in names:
            yield f"prune.specialist_profiles[{i}]", f'unknown profile "{name}" (profiles: {", ".join(names)})'


def stage2_problems(s: Stage2Settings, config) -> Iterator[tuple[str, str]]:
    """``(key, problem)`` for each check ``[stage2]`` fails, keys relative to the table."""
    yield from runs("runs", s.runs)
    if s.max_turns < 0:
        yield "max_turns", f"expected 0 (the config's max_turns) or a positive integer, got {s.max_turns}"
    if not 0 < s.sample_fraction <= 1:
        yield "sample_fraction", f"expected a fraction in (0, 1], got {s.sample_fraction:g}"
    if s.max_pairs < 0:
        yield "max_pairs", f"expected 0 (no bound) or a positive integer, got {s.max_pairs}"
    elif s.max_pairs > MAX_PAIRS:
        yield "max_pairs", f"{s.max_pairs:,} is above the limit of {MAX_PAIRS:,}"
    if s.confirm_top < 0:
        yield "confirm_top", f"expected a non-negative integer, got {s.confirm_top}"
    elif s.confirm_top > MAX_CONFIRM_TOP:
        yield "confirm_top", f"{s.confirm_top:,} is above the limit of {MAX_CONFIRM_TOP:,}"
    if s.confirm_runs < 2:
        yield "confirm_runs", f"expected at least 2 (a standard error needs two runs), got {s.confirm_runs}"
    elif s.confirm_runs > MAX_RUNS:
        yield "confirm_runs", f"{s.confirm_runs:,} is above the limit of {MAX_RUNS:,} combats per cell"
