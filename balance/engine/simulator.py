"""The vectorised turn loop: many combats (lanes) advanced one turn at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from balance.builds import Build
from balance.engine.dice import Dice, lane_keys, turn_keys
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

    def means(self) -> np.ndarray:
        return self.turn_sum / self.runs

    def ses(self) -> np.ndarray:
        """Standard error of each cell mean (sample standard deviation / sqrt(runs))."""
        r = self.runs
        if r < 2:
            return np.full(self.turn_sum.shape, np.nan)
        var = (self.turn_sumsq - self.turn_sum**2 / r) / (r - 1)
        return np.sqrt(np.maximum(var, 0.0) / r)


class Simulator:
    """Simulates candidates (single attacks or pairs) over every cell of a grid.

    ``kernel`` follows :class:`balance.engine.protocol.Kernel`; ``builds`` is the attack table the
    candidates index; ``policy`` has ``choose(view, usable)`` and is consulted only when k > 1 or
    when a lane has no usable attack. ``lanes_per_batch`` bounds memory; it never changes results.
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

    def run(self, candidates, runs: int, seed: int, stream: int = 0, run_offset: int = 0) -> SimResult:
        cand = np.asarray(candidates, dtype=np.int64)
        if cand.ndim == 1:
            cand = cand[:, None]
        n, k = cand.shape
        C = len(self.cells)
        res = SimResult(
            turn_sum=np.zeros((n, C)),
            turn_sumsq=np.zeros((n, C)),
            timeouts=np.zeros((n, C), dtype=np.int64),
            uses=np.zeros((n, C, k + 1), dtype=np.int64),
            runs=int(runs),
        )
        if n == 0 or runs <= 0:
            return res
        run_ids = np.arange(run_offset, run_offset + runs, dtype=np.int64)
        cell_keys = [lane_keys(seed, stream, cell.index, run_ids) for cell in self.cells]
        # Cells share a batch when the candidates alone cannot fill one (per-turn overhead is paid
        # per batch); lanes are candidate-major, then cell, then run.
        group = max(1, min(C, self.lanes_per_batch // max(1, n * runs)))
        for g0 in range(0, C, group):
            cells = self.cells[g0 : g0 + group]
            G = len(cells)
            keys_one = np.concatenate(cell_keys[g0 : g0 + G])
            cells_one = np.repeat(np.arange(G), runs)
            per = max(1, self.lanes_per_batch // (runs * G))
            for c0 in range(0, n, per):
                c1 = min(n, c0 + per)
                m = c1 - c0
                turns, timeouts, uses = self._batch(cells, np.tile(cells_one, m), cand[c0:c1], np.tile(keys_one, m))
                t = turns.reshape(m, G, runs)
                res.turn_sum[c0:c1, g0 : g0 + G] = t.sum(2)
                res.turn_sumsq[c0:c1, g0 : g0 + G] = (t * t).sum(2)
                res.timeouts[c0:c1, g0 : g0 + G] = timeouts.reshape(m, G, runs).sum(2)
                res.uses[c0:c1, g0 : g0 + G, :] = uses.reshape(m, G, runs, k + 1).sum(2)
        return res

    def _batch(self, cells, lane_cells: np.ndarray, cand: np.ndarray, keys: np.ndarray):
        """Run the lanes of ``cand`` (m, k) × cells × runs; lanes are candidate-major."""
        kernel, policy = self.kernel, self.policy
        # A policy that only reads the usable mask (``needs_view = False``) skips the kernel's view.
        wants_view = getattr(policy, "needs_view", True)
        view = (lambda st, t, fb: kernel.policy_view(st, t, fb)) if wants_view else (lambda st, t, fb: None)
        m, k = cand.shape
        slots = np.repeat(cand, len(keys) // m, axis=0)
        L = len(slots)
        state = kernel.start(self.table, cells, lane_cells, slots)
        turns_out = np.full(L, float(self.max_turns))
        timeout_out = np.ones(L, dtype=np.int64)
        uses_out = np.zeros((L, k + 1), dtype=np.int64)
        orig = np.arange(L)
        counts = np.zeros((k + 1, L), dtype=np.int32)  # turns per slot (+ fallback), slot-major
        finished = np.zeros(L, dtype=bool)
        n_finished = 0
        for turn in range(1, self.max_turns + 1):
            A = len(orig)
            dice = Dice(turn_keys(keys, turn))
            usable = kernel.usable(state, turn)
            if usable is None:
                fallback = np.zeros(A, dtype=bool)
                if k == 1:
                    choice = np.zeros(A, dtype=np.int64)
                    counts[0] += 1
                else:
                    choice = np.asarray(policy.choose(view(state, turn, False), np.ones((A, k), bool)))
                    for j in range(k):
                        counts[j] += choice == j
            else:
                any_usable = usable[:, 0].copy()
                for j in range(1, k):
                    any_usable |= usable[:, j]
                fallback = ~any_usable
                if k == 1:
                    choice = np.zeros(A, dtype=np.int64)
                else:
                    choice = np.asarray(policy.choose(view(state, turn, False), usable), dtype=np.int64)
                if k > 1 and fallback.any():
                    fb_choice = np.asarray(
                        policy.choose(view(state, turn, True), np.ones((A, k), bool)), dtype=np.int64
                    )
                    choice = np.where(fallback, fb_choice, choice)
                col = np.where(fallback, k, choice) if k > 1 else fallback.astype(np.int64)
                for j in range(k + 1):
                    counts[j] += col == j
            kernel.act(state, choice, fallback, dice, turn)
            done = kernel.end_turn(state, dice, turn)
            new = done & ~finished
            if new.any():
                ids = orig[new]
                turns_out[ids] = turn
                timeout_out[ids] = 0
                uses_out[ids] = counts[:, new].T
                finished |= new
                n_finished += int(new.sum())
            if n_finished == A:
                return turns_out, timeout_out, uses_out
            if n_finished >= self.compact_fraction * A:
                keep = np.flatnonzero(~finished)
                state = kernel.compact(state, keep)
                orig, keys, counts = orig[keep], keys[keep], counts[:, keep]
                finished = np.zeros(len(keep), dtype=bool)
                n_finished = 0
        live = ~finished
        uses_out[orig[live]] = counts[:, live].T
        return turns_out, timeout_out, uses_out
