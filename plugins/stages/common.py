"""What both stages share: record columns derived from scores, attack tables, the simulator setup."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from balance.builds import Build
from balance.engine import Simulator
from balance.records import Column


def grid_columns(grid) -> list[Column]:
    """Per-profile, per-buff and per-scenario mean columns, labelled by the config's names."""
    return [
        Column("by_profile", "float32", (len(grid.profiles),), [p.name for p in grid.profiles]),
        Column("by_buff", "float32", (len(grid.buffs),), [b.name for b in grid.buffs]),
        Column("by_scenario", "float32", (len(grid.scenarios),), [s.name for s in grid.scenarios]),
    ]


def cell_labels(grid) -> list[str]:
    return [f"{c.profile.name} / {c.buff.name} / {c.scenario.name}" for c in grid.cells]


def score_columns(scores) -> dict[str, np.ndarray]:
    return {
        "overall": scores.overall,
        "se": scores.se,
        "timeouts": scores.timeouts,
        "by_profile": scores.by_profile,
        "by_buff": scores.by_buff,
        "by_scenario": scores.by_scenario,
    }


def attack_table(rules: Any, builds: list) -> dict[str, list]:
    """The side table that turns attack indices in records back into builds, for every reader."""
    return {
        "id": [b.id for b in builds],
        "attack_type": [b.attack_type for b in builds],
        "upgrades": [list(b.upgrades) for b in builds],
        "limits": [list(b.limits) for b in builds],
        "cost": [int(rules.build_cost(b)) for b in builds],
    }


def stage1_builds(session) -> list:
    """Every legal build within the budget, of the config's attack types (every type when none are listed)."""
    wanted = session.config.attack_types
    return [b for b in session.rules.enumerate_builds(session.budget) if not wanted or b.attack_type in wanted]


def simulator(session, builds: list, policy_name: str, max_turns: int | None = None) -> Simulator:
    config = session.config
    policy = session.plugins.component("balance_policies", policy_name)
    turns = max_turns or config.max_turns
    return Simulator(session.kernel(), builds, session.grid, config.attacker, turns, policy)


def scoring(session):
    return session.plugins.component("balance_scorings", session.config.scoring)


def simulation_state(session, builds: list, policy_name: str, max_turns: int | None = None) -> tuple:
    """A worker's state for simulating candidates of ``builds``: (simulator, scoring, grid).
    ``max_turns``: a stage's own bound (default: the config's ``max_turns``)."""
    # here in the worker rather than in the parent first: the parent's load (about 1.8 s) came
    # before any worker started, and the workers loaded the code again anyway
    session.warm_up_kernel()
    return simulator(session, builds, policy_name, max_turns), scoring(session), session.grid


#: Dice streams: the stages and the confirmation never share dice by accident.
STREAM_STAGE1, STREAM_STAGE2, STREAM_CONFIRM = 0, 1, 2


def round_stream(index: int) -> int:
    """Stage 1's screening round ``index`` (0-based): the first is the plain stage-1 pass, each
    later round re-tests with fresh dice of its own."""
    return STREAM_STAGE1 if index == 0 else 100 + index


@attrs.frozen(eq=False)
class CandidateTask:
    """Work over listed candidates: item ``i`` is the pair ``(a[i], b[i])``, or the single attack
    ``a[i]`` when ``b`` is empty, of ``builds``; subclasses say what ``compute`` returns."""

    builds: tuple[Build, ...]
    runs: int
    seed: int
    stream: int
    policy: str
    max_turns: int | None
    a: tuple[int, ...]
    b: tuple[int, ...] = ()

    @classmethod
    def over(cls, builds, runs: int, seed: int, stream: int, policy: str, max_turns: int | None, a, b=()):
        """The task for candidates ``a`` (and ``b``) given as indices into ``builds``, carrying only
        the builds they use: a few candidates of stage 1's 53,113 builds would otherwise ship and
        compile all of them in every worker (about 2 s). Dice never depend on a candidate's index."""
        used = sorted({int(x) for x in (*a, *b)})
        at = {x: i for i, x in enumerate(used)}
        return cls(tuple(builds[x] for x in used), runs, seed, stream, policy, max_turns,
                   tuple(at[int(x)] for x in a), tuple(at[int(x)] for x in b))

    def prepare(self, session):
        return simulation_state(session, list(self.builds), self.policy, self.max_turns)

    def candidates(self, start: int, stop: int) -> np.ndarray:
        """Items ``start..stop-1`` as the simulator's candidate rows."""
        a = np.asarray(self.a[start:stop], dtype=np.int64)
        return np.stack([a, np.asarray(self.b[start:stop], dtype=np.int64)], axis=1) if self.b else a[:, None]
