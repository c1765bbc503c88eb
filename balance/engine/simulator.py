"""The vectorised turn loop: many combats (lanes) advanced one turn at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from balance.builds import Build
from balance.engine.dice import Dice, lane_keys, turn_keys
from balance.engine.lanes_np import gather, select
from balance.grid import Grid


@attrs.define
class SimResult:
    """Per-candidate, per-cell sums over ``runs`` combats (n candidates, C cells, k slots).

    ``uses[i, c, j]`` counts the turns on which slot j was chosen (a turn spent charging it or
    wasted by its unreliable roll counts); column k counts turns of the kernel's fallback action.
    Every turn of every combat is counted once, so ``uses.sum(2) == turn_sum``.
    """

    turn_sum: np.ndarray  # (n, C) float64
    turn_sumsq: np.ndarray  # (n, C) float64
    timeouts: np.ndarray  # (n, C) int64
    uses: np.ndarray  # (n, C, k + 1) int64: turns each slot was used; last column = fallback
    runs: int
    #: (n, C, max_turns + 1) int64: combats by the turn they ended on (``run(histogram=True)``).
    turn_hist: np.ndarray | None = None
    #: (n, C, runs) int64: each combat's turns (``run(per_combat=True)``; a timeout counts ``max_turns``).
    turns: np.ndarray | None = None

    @classmethod
    def zeros(cls, n: int, C: int, width: int, runs: int, max_turns: int, histogram: bool = False,
              per_combat: bool = False) -> "SimResult":
        """All sums 0 for n candidates over C cells (``uses`` ``width`` columns wide), with the
        optional arrays ``histogram`` and ``per_combat`` ask for."""
        return cls(turn_sum=np.zeros((n, C)), turn_sumsq=np.zeros((n, C)), timeouts=np.zeros((n, C), dtype=np.int64),
                   uses=np.zeros((n, C, width), dtype=np.int64), runs=int(runs),
                   turn_hist=np.zeros((n, C, max_turns + 1), np.int64) if histogram else None,
                   turns=np.zeros((n, C, max(runs, 0)), np.int64) if per_combat else None)

    def means(self) -> np.ndarray:
        return self.turn_sum / self.runs

    def ses(self) -> np.ndarray:
        """Standard error of each cell mean (sample standard deviation / sqrt(runs))."""
        r = self.runs
        if r < 2:
            return np.full(self.turn_sum.shape, np.nan)
        var = (self.turn_sumsq - self.turn_sum**2 / r) / (r - 1)
        return np.sqrt(np.maximum(var, 0.0) / r)


#: Run ids of a raced policy's pilot dice: the evaluation's run ids plus this (far beyond any run count).
PILOT_RUN_OFFSET = 1 << 40


class _OnlySlot:
    """The policy of a single attack: slot 0 (the engine asks only on fallback turns)."""

    name = "only slot"
    needs_view = False
    rule = ("prefer_slot", 0)

    def choose(self, view, usable):
        return np.zeros(len(usable), dtype=np.int64)


_ONLY_SLOT = _OnlySlot()


def _keys(seed: int, stream: int, cells, run_ids: np.ndarray) -> np.ndarray:
    """Dice keys of every (cell, run) lane, cell-major: they depend on (seed, stream, cell, run) only."""
    return np.concatenate([lane_keys(seed, stream, cell.index, run_ids) for cell in cells])


class Simulator:
    """Simulates candidates (single attacks or pairs) over every cell of a grid.

    ``kernel`` follows :class:`balance.engine.protocol.Kernel`; ``builds`` is the attack table the
    candidates index; ``policy`` has ``choose(view, usable)`` and is consulted only when k > 1 or
    when a lane has no usable attack. At most ``lanes_per_batch`` combats are in flight (this bounds
    memory; it never changes results): when a quarter of them (``compact_fraction``) has finished,
    the finished lanes are dropped and fresh combats take their places, so the batch stays full
    until the last combats of the run, and only those run as a short tail.
    """

    def __init__(
        self,
        kernel: Any,
        builds: Sequence[Build],
        grid: Grid,
        attacker: tuple[int, ...],
        max_turns: int,
        policy: Any,
        lanes_per_batch: int = 262144,
        compact_fraction: float = 0.25,
    ):
        self.kernel = kernel
        self.builds = list(builds)
        self.grid = grid
        self.cells = grid.cells
        self.attacker = tuple(attacker)
        self.max_turns = int(max_turns)
        self.policy = policy
        self.lanes_per_batch = int(lanes_per_batch)
        self.compact_fraction = compact_fraction
        self.table = kernel.compile(self.builds, self.attacker)
        # Each attack alone, per (runs, seed, stream, first run): (computed mask, sums); see _solos.
        self._solo_cache: dict = {}

    def run(self, candidates, runs: int, seed: int, stream: int = 0, run_offset: int = 0,
            histogram: bool = False, per_combat: bool = False) -> SimResult:
        """Sums per (candidate, cell) over ``runs`` combats. ``histogram``: also count the combats by
        the turn they ended on (for percentiles and one-turn kills): a kernel running whole combats
        counts them itself, else the engine's turn loop does, on the same dice. ``per_combat``: also
        every combat's turns (``turns``), from the same play as the sums (the histogram, if asked
        for, is then counted from them)."""
        cand = np.asarray(candidates, dtype=np.int64)
        if cand.ndim == 1:
            cand = cand[:, None]
        if per_combat and histogram:
            res = self.run(cand, runs, seed, stream, run_offset, per_combat=True)
            return attrs.evolve(res, turn_hist=turn_histogram(res.turns, self.max_turns))
        policy = self.policy
        plans = getattr(policy, "race", None)
        if plans:
            if cand.shape[1] > 1 and len(cand) and runs > 0:
                return self._race(cand, runs, seed, stream, run_offset, tuple(plans), histogram, per_combat)
            policy = plans[0]  # one attack: nothing to race (the policy only sees fallback turns)
        return self._run(cand, runs, seed, stream, run_offset, policy, histogram=histogram, per_combat=per_combat)

    def _run(self, cand: np.ndarray, runs: int, seed: int, stream: int, run_offset: int, policy,
             cells=None, histogram: bool = False, bound=None, per_combat: bool = False) -> SimResult:
        """``cand`` over ``cells`` (default: every cell of the grid; results over those cells only).
        ``bound`` (n, C): only whether each turn sum is below it matters (see :meth:`_some`)."""
        if cells is None and (bound is not None or histogram or per_combat):
            got = self._some(cand, runs, seed, stream, run_offset, policy, None, bound, histogram, per_combat)
            if got is not None:
                return got
        cells = self.cells if cells is None else cells
        n, k = cand.shape
        C = len(cells)
        if n == 0 or runs <= 0:
            return SimResult.zeros(n, C, k + 1, runs, self.max_turns, histogram, per_combat)
        run_ids = np.arange(run_offset, run_offset + runs, dtype=np.int64)
        # Lane l is candidate l // (C * runs), cell (l // runs) % C, run l % runs; its dice key
        # depends on (cell, run) only.
        keys = _keys(seed, stream, cells, run_ids)
        # A kernel that runs whole combats itself (compiled) does so for the policies it knows
        # (histograms: :meth:`_some`, tried above).
        whole = None if histogram or per_combat else getattr(self.kernel, "run_combats", None)
        sums = None if whole is None else whole(self.table, cells, cand, keys, runs, self.max_turns, policy)
        if sums is not None:
            turn_sum, turn_sumsq, timeouts, uses = sums
            return SimResult(turn_sum=np.asarray(turn_sum, dtype=np.float64).reshape(n, C),
                             turn_sumsq=np.asarray(turn_sumsq, dtype=np.float64).reshape(n, C),
                             timeouts=np.asarray(timeouts, dtype=np.int64).reshape(n, C),
                             uses=np.asarray(uses, dtype=np.int64).reshape(n, C, k + 1), runs=int(runs))
        sums = _Sums(n * C, k, self.max_turns + 1 if histogram else 0)
        per = np.zeros(n * C * runs if per_combat else 0, dtype=np.int64)
        for ids, turns, timeout, uses in self._lanes(cand, n * C * runs, runs, keys, policy, cells):
            sums.add(ids // runs, turns, timeout, uses)
            if per_combat:
                per[ids] = turns
        turn_sum, turn_sumsq, timeouts, uses = sums.result()
        return SimResult(turn_sum=turn_sum.reshape(n, C), turn_sumsq=turn_sumsq.reshape(n, C),
                         timeouts=timeouts.reshape(n, C), uses=uses.reshape(n, C, k + 1), runs=int(runs),
                         turn_hist=sums.hist.reshape(n, C, -1) if histogram else None,
                         turns=per.reshape(n, C, runs) if per_combat else None)

    def turns(self, candidates, runs: int, seed: int, stream: int = 0, run_offset: int = 0) -> np.ndarray:
        """Each combat's turns, ``(n, C, runs)`` int64: the combats :meth:`run` sums (its ``turn_sum``
        is this summed over runs, a timeout counting ``max_turns``), for differences on common dice
        (two candidates' combats of the same cell and run share their dice); ``run(per_combat=True)``
        gives them with the sums from one play. For a few candidates (the confirmed pairs), not for
        screening."""
        return self.run(candidates, runs, seed, stream, run_offset, per_combat=True).turns

    def view_function(self, policy=None):
        """The kernel's policy view, or nothing for a policy that only reads the usable mask
        (``needs_view = False``); ``policy`` defaults to the simulator's."""
        if getattr(self.policy if policy is None else policy, "needs_view", True):
            return self.kernel.policy_view
        return lambda st, t, fb, lanes=None: None

    def choose(self, state, turn, k: int, view, policy=None):
        """Each lane's attack this turn: (choice, fallback flags, counted column (k = fallback),
        usable mask or None). ``policy`` (default: the simulator's) is asked only where it has a
        choice: two or more usable attacks (7 % of lane-turns for random six-point pairs), or none
        (the fallback action)."""
        kernel, policy = self.kernel, self.policy if policy is None else policy
        A = len(turn) if np.ndim(turn) else state.n
        usable = kernel.usable(state, turn)
        if usable is None:
            fallback = np.zeros(A, dtype=bool)
            if k == 1:
                choice = np.zeros(A, dtype=np.int64)
            else:
                choice = np.asarray(policy.choose(view(state, turn, False), np.ones((A, k), bool)))
            return choice, fallback, choice, None
        n_usable = usable[:, 0].astype(np.int8)
        for j in range(1, k):
            n_usable += usable[:, j]
        fallback = n_usable == 0
        if k == 1:
            choice = np.zeros(A, dtype=np.int64)
        else:
            choice = (~usable[:, 0] & usable[:, 1]).astype(np.int64) if k == 2 else np.argmax(usable, axis=1)
            several = np.flatnonzero(n_usable >= 2)
            if len(several):
                several_view = view(state, gather(turn, several), False, several)
                choice[several] = policy.choose(several_view, gather(usable, several))
        if k > 1 and fallback.any():
            fb = np.flatnonzero(fallback)
            fb_view = view(state, gather(turn, fb), True, fb)
            choice[fb] = policy.choose(fb_view, np.ones((len(fb), k), bool))
        col = select(fallback, k, choice) if k > 1 else fallback.astype(np.int64)
        return choice, fallback, col, usable

    # -- raced plans (see balance.engine.protocol.Policy.race) ------------------------------------

    def race_choice(self, cand: np.ndarray, runs: int, seed: int, stream: int, run_offset: int, plans: tuple) -> np.ndarray:
        """Per (candidate, cell), the plan the race picks: ``j < k`` is attack j alone, ``k + p`` is
        ``plans[p]``; by fewest turns on the pilot dice (``runs`` runs of their own, common to every
        plan). Ties go to the earlier plan (the attacks alone first: their evaluation is already
        known, so a tie costs no simulation)."""
        k = cand.shape[1]
        pilot = PILOT_RUN_OFFSET + run_offset
        solo_pilot = self._solos(cand, runs, seed, stream, pilot)
        pilots = [solo_pilot.turn_sum[cand[:, j]] for j in range(k)]
        for p in plans:
            # A plan wins only with fewer turns than every plan before it: a kernel may stop its
            # combats as soon as that is out of reach (the sums of the plans that can win are exact).
            bound = np.min(pilots, axis=0).astype(np.int64)
            pilots.append(self._run(cand, runs, seed, stream, pilot, p, bound=bound).turn_sum)
        return np.argmin(np.stack(pilots), axis=0)  # (n, C)

    def _race(self, cand: np.ndarray, runs: int, seed: int, stream: int, run_offset: int, plans: tuple,
              histogram: bool = False, per_combat: bool = False) -> SimResult:
        """Per (candidate, cell): each attack alone and each policy of ``plans``, raced on pilot dice
        (:meth:`race_choice`); the winner's results on the evaluation dice. The choice reads only
        pilot dice, so the reported means are unbiased for the plan it picked; both dice depend on
        (seed, stream, cell, run) only, so results do not depend on batching."""
        n, k = cand.shape
        choice = self.race_choice(cand, runs, seed, stream, run_offset, plans)
        solo = self._solos(cand, runs, seed, stream, run_offset, histogram, per_combat)
        C = len(self.cells)
        out = SimResult.zeros(n, C, k + 1, runs, self.max_turns, histogram, per_combat)
        # the per-(candidate, cell) arrays copied from the winner's results (``uses`` apart for a solo)
        per_cell = ("turn_sum", "turn_sumsq", "timeouts") + _optional(histogram, per_combat)
        for j in range(k):
            i, c = np.nonzero(choice == j)
            a = cand[i, j]
            for name in per_cell:
                getattr(out, name)[i, c] = getattr(solo, name)[a, c]
            out.uses[i, c, j] = solo.uses[a, c, 0]
            out.uses[i, c, k] = solo.uses[a, c, 1]
        # A policy plan is played on the evaluation dice only where it won: in one call where the
        # kernel runs chosen (candidate, cell) groups, else cell by cell.
        for p, plan in enumerate(plans):
            won = choice == k + p
            res = self._some(cand, runs, seed, stream, run_offset, plan, won, None, histogram, per_combat)
            if res is not None:
                i, c = np.nonzero(won)
                for name in (*per_cell, "uses"):
                    getattr(out, name)[i, c] = getattr(res, name)[i, c]
                continue
            for c in range(C):
                rows = np.flatnonzero(choice[:, c] == k + p)
                if len(rows) == 0:
                    continue
                res = self._run(cand[rows], runs, seed, stream, run_offset, plan, [self.cells[c]], histogram,
                                per_combat=per_combat)
                for name in (*per_cell, "uses"):
                    getattr(out, name)[rows, c] = getattr(res, name)[:, 0]
        return out

    def _some(self, cand: np.ndarray, runs: int, seed: int, stream: int, run_offset: int, policy, where,
              bound, histogram: bool = False, per_combat: bool = False) -> SimResult | None:
        """Whole combats over every cell by the kernel, only for the (candidate, cell) groups where
        ``where`` (n, C) holds (others: zeros), a group stopping once its turn sum cannot stay below
        ``bound`` (n, C) (its sum then reads ``bound`` or more); ``None`` when the kernel runs no whole
        combats for ``policy`` (see :meth:`balance.engine.protocol.CompiledKernel.run_combats`).
        ``histogram``: also count the combats by the turn they ended on; ``per_combat``: also each
        combat's turns."""
        whole = getattr(self.kernel, "run_combats", None)
        n, k = cand.shape
        C = len(self.cells)
        if whole is None or n == 0 or runs <= 0:
            return None
        run_ids = np.arange(run_offset, run_offset + runs, dtype=np.int64)
        keys = _keys(seed, stream, self.cells, run_ids)
        extra = {"turns": True} if per_combat else {}
        sums = whole(self.table, self.cells, cand, keys, runs, self.max_turns, policy, where=where, bound=bound,
                     histogram=histogram, **extra)
        if sums is None:
            return None
        turn_sum, turn_sumsq, timeouts, uses = sums[:4]
        return SimResult(turn_sum=np.asarray(turn_sum, dtype=np.float64).reshape(n, C),
                         turn_sumsq=np.asarray(turn_sumsq, dtype=np.float64).reshape(n, C),
                         timeouts=np.asarray(timeouts, dtype=np.int64).reshape(n, C),
                         uses=np.asarray(uses, dtype=np.int64).reshape(n, C, k + 1), runs=int(runs),
                         turn_hist=np.asarray(sums[4], dtype=np.int64).reshape(n, C, -1) if histogram else None,
                         turns=np.asarray(sums[-1], dtype=np.int64).reshape(n, C, runs) if per_combat else None)

    def _solos(self, cand: np.ndarray, runs: int, seed: int, stream: int, run_offset: int,
               histogram: bool = False, per_combat: bool = False) -> SimResult:
        """Every attack of ``cand`` alone (indexed by attack), simulated once per simulator and dice:
        the pairs of a job share their attacks."""
        key = (runs, seed, stream, run_offset, histogram, per_combat)
        cache = self._solo_cache.get(key)
        if cache is None:
            A, C = len(self.builds), len(self.cells)
            cache = self._solo_cache[key] = (np.zeros(A, dtype=bool),
                                             SimResult.zeros(A, C, 2, runs, self.max_turns, histogram, per_combat))
        done, res = cache
        missing = np.unique(cand)
        missing = missing[~done[missing]]
        if len(missing):
            # One attack never asks the policy but on fallback turns, where any policy picks slot 0.
            got = self._run(missing[:, None], runs, seed, stream, run_offset, _ONLY_SLOT, histogram=histogram,
                            per_combat=per_combat)
            for name in ("turn_sum", "turn_sumsq", "timeouts", "uses") + _optional(histogram, per_combat):
                getattr(res, name)[missing] = getattr(got, name)
            done[missing] = True
        return res

    def _lanes(self, cand: np.ndarray, total: int, runs: int, keys: np.ndarray, policy, cells):
        """Simulate lanes 0..total-1, yielding (lane ids, turns, timeout flags, uses per slot) of
        the lanes that finish, in the order they finish. Each lane counts its own turns from 1."""
        kernel = self.kernel
        C, (_, k) = len(cells), cand.shape
        view = self.view_function(policy)
        width = max(1, self.lanes_per_batch)
        state = None
        ids = np.zeros(0, dtype=np.int64)  # lane id of each active lane
        first_turn = np.zeros(0, dtype=np.int32)  # the batch turn on which each lane's combat began
        lane_keys_ = np.zeros(0, dtype=np.uint64)
        counts = np.zeros((k + 1, 0), dtype=np.int32)  # turns per slot (+ fallback), slot-major
        finished = np.zeros(0, dtype=bool)
        next_id, clock = 0, 0
        while True:
            if next_id < total and len(ids) < width:
                new = np.arange(next_id, min(total, next_id + width - len(ids)))
                next_id += len(new)
                fresh = kernel.start(self.table, cells, (new // runs) % C, cand[new // (C * runs)])
                state = fresh if state is None else kernel.merge(state, fresh)
                ids = np.concatenate([ids, new])
                first_turn = np.concatenate([first_turn, np.full(len(new), clock, dtype=np.int32)])
                lane_keys_ = np.concatenate([lane_keys_, keys[new % (C * runs)]])
                counts = np.concatenate([counts, np.zeros((k + 1, len(new)), dtype=np.int32)], axis=1)
                finished = np.concatenate([finished, np.zeros(len(new), dtype=bool)])
            clock += 1
            A = len(ids)
            turn = clock - first_turn
            dice = Dice(turn_keys(lane_keys_, turn))
            choice, fallback, col, _ = self.choose(state, turn, k, view, policy)
            for j in range(k + 1):
                counts[j] += col == j
            kernel.act(state, choice, fallback, dice, turn)
            done = kernel.end_turn(state, dice, turn)
            # A combat won on its last allowed turn is a win; one still running then is a timeout.
            out_of_time = turn >= self.max_turns
            new = (done | out_of_time) & ~finished
            if new.any():
                at = np.flatnonzero(new)
                yield gather(ids, at), gather(turn, at), (~gather(done, at)).astype(np.int64), counts.take(at, axis=1).T
                finished[at] = True
            n_finished = np.count_nonzero(finished)
            if n_finished == A and next_id == total:
                return
            if n_finished >= self.compact_fraction * A:
                keep = np.flatnonzero(~finished)
                state = kernel.compact(state, keep)
                ids, first_turn, lane_keys_ = gather(ids, keep), gather(first_turn, keep), gather(lane_keys_, keep)
                counts, finished = counts.take(keep, axis=1, mode="wrap"), gather(finished, keep)


def _optional(histogram: bool, per_combat: bool) -> tuple[str, ...]:
    """The optional :class:`SimResult` arrays a run asked for."""
    return (("turn_hist",) if histogram else ()) + (("turns",) if per_combat else ())


def turn_histogram(turns: np.ndarray, max_turns: int) -> np.ndarray:
    """(n, C, max_turns + 1): the combats of ``turns`` (n, C, runs) counted by the turn they ended on."""
    n, C, runs = turns.shape
    W = max_turns + 1
    idx = np.arange(n * C, dtype=np.int64)[:, None] * W + turns.reshape(n * C, runs)
    return np.bincount(idx.ravel(), minlength=n * C * W).reshape(n, C, W).astype(np.int64)


class _Sums:
    """Per-(candidate, cell) sums of finished lanes. Turns are whole numbers, so the sums are exact
    in any order the lanes finish."""

    def __init__(self, groups: int, k: int, hist_width: int = 0):
        self.groups = groups
        self.hist_width = hist_width
        self.hist = np.zeros(groups * hist_width, dtype=np.int64)
        self.turns = np.zeros(groups, dtype=np.int64)
        self.squares = np.zeros(groups, dtype=np.int64)
        self.timeouts = np.zeros(groups, dtype=np.int64)
        self.uses = np.zeros((groups, k + 1), dtype=np.int64)
        self._pending: list = []
        self._pending_lanes = 0

    def add(self, group, turns, timeout, uses) -> None:
        # Buffered, so that each bincount over every group covers many finished lanes.
        self._pending.append((group, turns, timeout, uses))
        self._pending_lanes += len(group)
        if self._pending_lanes >= max(self.groups, 1 << 16):
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        group, turns, timeout, uses = (np.concatenate(parts) for parts in zip(*self._pending))
        self._pending, self._pending_lanes = [], 0
        turns = turns.astype(np.float64)  # whole numbers: float sums are exact below 2**53
        self.turns += np.bincount(group, turns, self.groups).astype(np.int64)
        self.squares += np.bincount(group, turns * turns, self.groups).astype(np.int64)
        self.timeouts += np.bincount(group, timeout, self.groups).astype(np.int64)
        if self.hist_width:
            self.hist += np.bincount(group * self.hist_width + turns.astype(np.int64), minlength=len(self.hist))
        for j in range(uses.shape[1]):
            self.uses[:, j] += np.bincount(group, uses[:, j], self.groups).astype(np.int64)

    def result(self):
        self._flush()
        return self.turns.astype(np.float64), self.squares.astype(np.float64), self.timeouts, self.uses
