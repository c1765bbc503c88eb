"""The contract between the engine and a rule system's combat kernel.

The engine owns the lanes (one lane = one candidate × one cell × one run), the dice, the turn
loop, the policy call, timeouts, usage accounting, compaction and the result sums. The kernel owns
everything game-specific. A batch holds lanes of every cell of the grid (the kernel may treat a
cell's numbers as scalars when the grid has one cell), and it is refilled as combats end: when
enough lanes have finished, the engine compacts the state and merges in a fresh state for new
lanes, so a batch mixes combats that began on different turns. ``turn`` is therefore an int array,
each lane's own turn of its combat (1 on its first turn); a kernel may also be called with a
plain int (tests do), meaning that turn for every lane.

Turn loop, while some lane is unfinished::

    usable = kernel.usable(state, turn)                  # (lanes, k) bool, or None = all usable
    choice = the usable slot where only one is          # only if k > 1 from here on
    some = flatnonzero(usable.sum(axis=1) >= 2)          # lanes with a choice to make
    choice[some] = policy.choose(kernel.policy_view(state, turn[some], False, some), usable[some])
    fb = flatnonzero(~usable.any(axis=1))                # lanes with no usable attack
    choice[fb] = policy.choose(kernel.policy_view(state, turn[fb], True, fb), all_true)
    kernel.act(state, choice, fallback, dice, turn)
    done = kernel.end_turn(state, dice, turn)            # (lanes,) bool: combat won this turn
    # now and then: state = kernel.compact(state, keep); state = kernel.merge(state, kernel.start(...))

A lane that is done on its turn t scores t turns (a win on exactly max_turns is not a timeout);
a lane still running after its turn max_turns scores max_turns and counts as a timeout. Finished
lanes may stay in the batch for a few turns before compaction, so ``act``/``end_turn`` must
tolerate lanes whose combat is already won (and keep reporting them done).

**Compiled kernels.** A rule system ships its kernel through the same hook whether it is numpy or
compiled. A kernel may also run whole combats itself (one combat after another in compiled code,
which pays no per-turn dispatch) by providing :meth:`CompiledKernel.run_combats`: the engine calls
it first and runs the turn loop above only when it is absent or returns ``None`` (a policy it does
not know). It must give the results the turn loop would: the same dice (the formulas of
:mod:`balance.engine.dice`, compiled in :mod:`balance.engine.dice_jit`), the same turn counting and
the same usage columns. The policy tells such a kernel what it does through :attr:`Policy.rule`.
A kernel whose code compiles just in time may offer :meth:`CompiledKernel.warm_up`, which stages
call in each worker before its first combat; workers warming up at the same time must take turns
(a lock), so that one compiles a cold cache and the others load the compiled code from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from balance.builds import Build
from balance.grid import Cell


class DiceSource(Protocol):
    def raw(self, slot: int | np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """uint64 raw bits of die ``slot`` for the active lanes ``idx`` (None = all), pure in
        (seed, stream, cell, run, turn, slot)."""


class Kernel(Protocol):
    """A rule system's vectorised combat kernel (see the module docstring for the call order)."""

    def compile(self, builds: Sequence[Build], attacker: tuple[int, ...]) -> Any:
        """Turn the attack table into the kernel's numeric table (done once per Simulator)."""

    def start(self, table: Any, cells: Sequence[Cell], lane_cells: np.ndarray, slots: np.ndarray) -> Any:
        """A fresh combat state for ``len(slots)`` lanes: lane i fights in ``cells[lane_cells[i]]``
        and ``slots`` (lanes, k) holds its attacks as indices into the builds given to
        :meth:`compile`."""

    def usable(self, state: Any, turn: np.ndarray) -> np.ndarray | None:
        """(lanes, k) bool: which of each lane's attacks may be chosen on its turn ``turn[i]``;
        ``None`` means all."""

    def policy_view(self, state: Any, turn: np.ndarray, fallback: bool, lanes: np.ndarray | None = None) -> Any:
        """The numbers a policy may use for each lane and slot (no names). With ``fallback`` the
        view describes the kernel's fallback actions (one per slot) used when nothing is usable.
        With ``lanes`` (an index array) the view covers those lanes only, in that order (``turn``
        is then theirs): the engine asks for views of the lanes with a choice to make only.

        Every kernel's view has ``expected``: a (lanes, k) float array of the enemy HP the action
        of each slot is expected to remove this turn (what the built-in ``default`` policy
        maximises). A kernel may add more fields (the d20 example adds ``kill_chance``); a policy
        that needs one says so in its error when it is missing."""

    def act(self, state: Any, choice: np.ndarray, fallback: np.ndarray, dice: DiceSource, turn: np.ndarray) -> None:
        """Perform each lane's chosen action: slot ``choice`` (or its fallback action where
        ``fallback`` is true)."""

    def end_turn(self, state: Any, dice: DiceSource, turn: np.ndarray) -> np.ndarray:
        """End-of-turn effects; return the (lanes,) bool mask of won combats."""

    def compact(self, state: Any, keep: np.ndarray) -> Any:
        """The state restricted to the lanes ``keep`` (an index array, in order)."""

    def merge(self, state: Any, fresh: Any) -> Any:
        """The lanes of ``state`` followed by those of ``fresh``, a state from :meth:`start` over the
        same cells whose combats have not begun. :class:`balance.engine.lanes.LaneState` provides
        ``extend`` for this."""


class CompiledKernel(Kernel, Protocol):
    """Optional methods of a kernel that runs whole combats itself (see the module docstring)."""

    def run_combats(self, table: Any, cells: Sequence[Cell], candidates: np.ndarray, keys: np.ndarray,
                    runs: int, max_turns: int, policy: Any, where: np.ndarray | None = None,
                    bound: np.ndarray | None = None, histogram: bool = False,
                    turns: bool = False) -> tuple[np.ndarray, ...] | None:
        """Simulate every combat of ``candidates`` (n, k) over every cell and ``runs`` runs.

        ``keys[c * runs + r]`` is the dice lane key of cell position c and run r
        (:func:`balance.engine.dice.lane_keys`); turn keys and dice follow from it as in
        :class:`balance.engine.dice.Dice`. Returns ``(turn_sum, turn_sumsq, timeouts, uses)``, integer
        arrays over the n * C (candidate, cell) groups, candidate-major, ``uses`` with k + 1 columns
        (see :class:`balance.engine.simulator.SimResult`); or ``None`` when the kernel cannot run
        ``policy`` (k > 1 and a :attr:`Policy.rule` it does not know), so the engine's turn loop
        runs it with the per-turn methods.

        ``where`` (n, C) bool: simulate only those (candidate, cell) groups, the others' sums stay 0
        (a raced policy plays the plan that won a cell there only). ``bound`` (n, C) int: only
        whether each group's turn sum is below its bound matters (a race's pilot: a plan must beat
        the plans before it), so a group may stop as soon as its sum cannot stay below (every run
        takes at least one turn); its ``turn_sum`` then reads the bound or more, its other sums
        are partial. Sums that stay below their bound are exact. A kernel may ignore ``bound``.
        ``histogram``: a fifth array, (n * C, max_turns + 1), counts each group's combats by the turn
        they ended on (a timeout on ``max_turns``), as the engine's turn loop does. ``turns``: one more
        array, (n * C, runs), each combat's turns (its run r in column r), so that one play gives the
        sums and every combat (a kernel without it: the engine's turn loop plays them)."""

    def warm_up(self) -> None:
        """Load (or compile, once) the compiled code, so that later processes find it cached;
        processes calling it at the same time compile it once between them."""


class TracingKernel(Kernel, Protocol):
    """Optional methods for traces (:mod:`balance.engine.trace`, ``balance simulate --trace``)."""

    def trace_state(self, state: Any) -> dict[str, np.ndarray]:
        """Named per-lane arrays of ``state`` a designer reads (e.g. enemy HP, conditions)."""

    def describe_draw(self, slot: int, raw: int) -> str:
        """One die (``slot``, its 64 raw bits) in the rule system's words."""


class Policy(Protocol):
    name: str
    #: Optional: ``False`` when ``choose`` reads only ``usable``, so the engine skips the view.
    needs_view: bool
    #: Optional: what ``choose`` does, in a form a kernel running whole combats applies itself
    #: (:meth:`CompiledKernel.run_combats`) without calling ``choose``:
    #:
    #: - ``("prefer_slot", p)``: slot p where usable, else the first usable slot; slot p (or the last
    #:   slot when p >= k) when nothing is usable;
    #: - ``("max_expected",)``: the usable slot with the largest ``view.expected``, ties to the lower
    #:   slot; among every slot's fallback action when nothing is usable.
    #:
    #: A policy without ``rule`` (or with one the kernel does not know) is run by the turn loop.
    rule: tuple
    #: Optional: a tuple of plain policies (without ``race``) to race. The engine then plays, for each
    #: candidate of two or more attacks and each cell, every attack alone (the rules' fallback where
    #: it is unusable) and each policy of ``race`` on the same pilot dice — as many runs as the
    #: evaluation, run ids shifted by :data:`balance.engine.simulator.PILOT_RUN_OFFSET` — and
    #: reports the plan with the fewest pilot turns (ties: the attacks alone in slot order, then
    #: ``race`` in order) on the evaluation dice. ``choose`` is then never called; a single attack
    #: runs under ``race[0]``.
    race: tuple

    def explain(self, view: Any, usable: np.ndarray) -> dict[str, np.ndarray]:
        """Optional, for traces: the numbers ``choose`` goes by, name -> (lanes, k)."""

    def choose(self, view: Any, usable: np.ndarray) -> np.ndarray:
        """(lanes,) int: the slot each lane uses; must be a usable slot where the lane has one.
        The engine asks only about lanes with two or more usable attacks (and, with the fallback
        view and every slot allowed, about lanes with none); the view's rows are those lanes."""
