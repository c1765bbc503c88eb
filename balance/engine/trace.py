"""Combats turn by turn, for a designer to check a surprising result by eye.

:func:`trace` runs ``n`` combats of one candidate in one cell through the engine's own turn loop
(:meth:`Simulator.choose`, the kernel's ``act`` / ``end_turn``), on the dice of runs 0..n-1 of
that cell: the same combats ``balance simulate`` averages. It records per turn the attacks usable,
the one chosen and the policy's numbers behind the choice, every die drawn, and the state before
and after. The engine knows no game: what a state and a die mean comes from the kernel
(optional protocol methods, see :mod:`balance.engine.protocol`):

- ``kernel.trace_state(state) -> dict[str, array]``: named per-lane arrays a designer reads
  (enemy HP, conditions, ...);
- ``kernel.describe_draw(slot, raw) -> str``: one die in the rule system's words;
- ``policy.explain(view, usable) -> dict[str, array (lanes, k)]``: the numbers a policy chose by.

Without them a trace still shows the choices and the number of turns.

A raced policy (``Policy.race``) plays, in each cell, the plan its race picked on the pilot dice:
the trace names that plan and plays it (an attack alone, or one of the raced policies).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from balance.engine.dice import Dice, lane_keys, turn_keys


class RecordingDice:
    """The turn's dice, remembering what each lane drew (slot, raw bits), in draw order."""

    def __init__(self, dice: Dice, lanes: int):
        self.dice = dice
        self.log: list[list[tuple[int, int]]] = [[] for _ in range(lanes)]

    def raw(self, slot, idx=None) -> np.ndarray:
        out = self.dice.raw(slot, idx)
        lanes = np.arange(len(self.log)) if idx is None else np.asarray(idx).reshape(-1)
        slots = np.broadcast_to(np.asarray(slot), lanes.shape)
        for lane, s, v in zip(lanes.tolist(), slots.tolist(), np.asarray(out).reshape(-1).tolist()):
            self.log[lane].append((int(s), int(v)))
        return out


@attrs.frozen
class Turn:
    turn: int
    usable: tuple[bool, ...] | None
    choice: int
    fallback: bool
    #: The policy's numbers per attack (name -> one value per attack), where it was asked.
    reasons: dict[str, tuple[float, ...]]
    draws: tuple[str, ...]
    before: dict[str, Any]
    after: dict[str, Any]


@attrs.frozen
class Combat:
    run: int
    turns: tuple[Turn, ...]
    won: bool
    #: The plan a raced policy played in this cell ("" for a policy that is not raced).
    plan: str = ""


def _lane_state(kernel, state, lane: int) -> dict[str, Any]:
    describe = getattr(kernel, "trace_state", None)
    if describe is None:
        return {}
    return {name: np.asarray(v)[lane].tolist() for name, v in describe(state).items()}


def _plan(sim, cand: np.ndarray, cell, runs: int, seed: int, stream: int):
    """(slots played, policy, plan name) in ``cell``: for a raced policy, the race's pick among
    each attack alone and its plans, on pilot dice of ``runs`` runs (the evaluation's)."""
    k = cand.shape[1]
    plans = getattr(sim.policy, "race", None)
    if not plans or k == 1:
        return list(range(k)), sim.policy, ""
    column = [c.index for c in sim.cells].index(cell.index)
    pick = int(sim.race_choice(cand, runs, seed, stream, 0, tuple(plans))[0, column])
    if pick < k:
        # one attack never asks the policy (its fallback turns are the kernel's own action)
        return [pick], sim.policy, f"attack {pick + 1} alone (won the race on pilot dice)"
    policy = plans[pick - k]
    return list(range(k)), policy, f"{getattr(policy, 'name', 'policy')} (won the race on pilot dice)"


def trace(sim, candidate, cell, n: int, seed: int, stream: int = 0, runs: int | None = None) -> list[Combat]:
    """``n`` combats of ``candidate`` (build indices of ``sim``) in ``cell``, turn by turn; ``runs``
    (default ``n``) is the evaluation's runs per cell, which a raced policy's pilot uses."""
    cand = np.asarray(candidate, dtype=np.int64).reshape(1, -1)
    slots, policy, plan = _plan(sim, cand, cell, n if runs is None else runs, seed, stream)
    kernel = sim.kernel
    width = cand.shape[1]
    cand = cand[:, slots]
    k = cand.shape[1]
    state = kernel.start(sim.table, [cell], np.zeros(n, dtype=np.intp), np.repeat(cand, n, axis=0))
    keys = lane_keys(seed, stream, cell.index, np.arange(n, dtype=np.int64))
    view = sim.view_function(policy)
    explain = getattr(policy, "explain", None)
    draw_text = getattr(kernel, "describe_draw", lambda slot, raw: f"die {slot}: {raw:#x}")
    turns: list[list[Turn]] = [[] for _ in range(n)]
    won = np.zeros(n, dtype=bool)
    active = np.ones(n, dtype=bool)
    for t in range(1, sim.max_turns + 1):
        turn = np.full(n, t, dtype=np.int32)
        before = [_lane_state(kernel, state, i) for i in range(n)]
        choice, fallback, _, usable = sim.choose(state, turn, k, view, policy)
        reasons: dict[str, np.ndarray] = {}
        if explain is not None and k > 1:
            mask = np.ones((n, k), bool) if usable is None else usable
            reasons = {name: np.asarray(v) for name, v in explain(view(state, turn, False), mask).items()}
        dice = RecordingDice(Dice(turn_keys(keys, turn)), n)
        kernel.act(state, choice, fallback, dice, turn)
        done = np.asarray(kernel.end_turn(state, dice, turn))
        for i in np.flatnonzero(active):
            turns[i].append(Turn(
                t, None if usable is None else _widen(usable[i], slots, width, False), slots[int(choice[i])],
                bool(fallback[i]), {name: _widen(v[i], slots, width, float("nan")) for name, v in reasons.items()},
                tuple(draw_text(s, v) for s, v in dice.log[i]), before[i], _lane_state(kernel, state, i)))
        won |= done & active
        active &= ~done
        if not active.any():
            break
    return [Combat(i, tuple(turns[i]), bool(won[i]), plan) for i in range(n)]


def _widen(values, slots: list[int], width: int, missing) -> tuple:
    """Per-attack values of the slots played, placed at those attacks' positions of the candidate."""
    out = [missing] * width
    for j, v in zip(slots, values):
        out[j] = type(missing)(v)
    return tuple(out)
