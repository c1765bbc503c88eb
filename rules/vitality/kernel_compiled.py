"""The Vitality kernel with its combats compiled (numba): what the rule system ships.

:class:`CompiledVitalityKernel` is the numpy :class:`~balance_rules.vitality.kernel.VitalityKernel`
(the readable reference, and the turn loop for policies the compiled loop does not know) plus
:meth:`run_combats`, which the engine calls first (see :mod:`balance.engine.protocol`): whole combats
in ``compiled_combat.run_combats``, identical results on the same dice.

The compiled code is cached on disk next to its source (numba ``cache=True``: ``__pycache__`` of
this folder, or numba's user cache directory where that is not writable), so it compiles once per
installation and source change; :meth:`warm_up` loads (or compiles) it, which each worker does
before its first combat: processes warming up at the same time take turns, so that a cold cache
is compiled by one of them and loaded by the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_policy import _cell_expectations
from balance_rules.vitality.kernel_table import Table

#: ``bound`` of a group that has none (no turn sum comes near it).
NO_BOUND = 1 << 62


def lock_path() -> Path:
    """The lock every process of this installation and user takes to warm up: a file in the
    temporary folder (writable, unlike an installed package's own), named after the compiled
    module's path and the user (another user's file there could not be opened for writing)."""
    where = Path(__file__).resolve().with_name("compiled_combat.py")
    key = hashlib.sha256(f"{where}:{os.getuid() if hasattr(os, 'getuid') else ''}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"balance-kernel-{key}.lock"


@contextlib.contextmanager
def _one_process_at_a_time():
    """Hold :func:`lock_path` exclusively; without POSIX locks, or a lock file, no lock (workers
    starting together may then each compile a cold cache: slower, never wrong)."""
    try:
        import fcntl

        lock = open(lock_path(), "a")
    except (ImportError, OSError):
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        yield


def _compiled():
    # Imported on first use: importing numba costs a few tenths of a second that legality commands
    # never need.
    from balance_rules.vitality import compiled_combat

    return compiled_combat


class CompiledVitalityKernel(VitalityKernel):
    """The Vitality kernel; whole combats run compiled for the built-in policy rules.

    Option ``compiled`` (default true): false runs every combat in the engine's numpy turn loop
    (the reference; identical results, several times slower), for side-by-side measurements."""

    OPTIONS = {**VitalityKernel.OPTIONS, "compiled": True}

    def run_combats(self, table: Table, cells, candidates: np.ndarray, keys: np.ndarray, runs: int,
                    max_turns: int, policy, where=None, bound=None, histogram: bool = False, turns: bool = False):
        if not self.options["compiled"]:
            return None
        cc = _compiled()
        cand = np.ascontiguousarray(candidates, dtype=np.int64)
        n, k = cand.shape
        rule = ("prefer_slot", 0) if k == 1 else tuple(getattr(policy, "rule", None) or ())
        if rule[:1] == ("prefer_slot",):
            code, preferred = cc.PREFER_SLOT, int(rule[1])
        elif rule == ("max_expected",):
            code, preferred = cc.MAX_EXPECTED, 0
        else:
            return None  # a policy the compiled loop does not know: the engine's turn loop runs it
        packed = self._packed(table, cells)
        if packed.E > 62:
            return None  # enemies hit are bits of one int64 (the numpy kernel's are int32 anyway)
        if code == cc.MAX_EXPECTED:
            exp = self._expectations(table, cells, packed, cand)
        else:
            exp = np.zeros((1, 1, 1))
        C = len(cells)
        turn_sum = np.zeros(n * C, dtype=np.int64)
        turn_sumsq = np.zeros(n * C, dtype=np.int64)
        timeouts = np.zeros(n * C, dtype=np.int64)
        uses = np.zeros((n * C, k + 1), dtype=np.int64)
        args = (packed.tab, packed.success, packed.cc, packed.maxhp, exp, cand,
                np.ascontiguousarray(keys, dtype=np.uint64), int(runs), int(max_turns), code, preferred,
                int(table.tier), int(table.attacker_avoidance), int(table.attacker_durability))
        if where is None and bound is None and not histogram and not turns:
            cc.run_combats(*args, turn_sum, turn_sumsq, timeouts, uses)
            return turn_sum, turn_sumsq, timeouts, uses
        where = np.ones((n, C), np.bool_) if where is None else np.ascontiguousarray(where, dtype=np.bool_)
        bound = np.full((n, C), NO_BOUND, np.int64) if bound is None else np.ascontiguousarray(bound, dtype=np.int64)
        hist = np.zeros((n * C, int(max_turns) + 1) if histogram else (n * C, 0), dtype=np.int64)
        per = np.zeros((n * C, int(runs) if turns else 0), dtype=np.int64)
        cc.run_some(*args, where, bound, turn_sum, turn_sumsq, timeouts, uses, hist, per)
        return (turn_sum, turn_sumsq, timeouts, uses) + ((hist,) if histogram else ()) + ((per,) if turns else ())

    def warm_up(self) -> None:
        """Load the compiled combat code from the disk cache, compiling it if the cache is cold; one
        process at a time, so that workers starting together compile a cold cache once."""
        if not self.options["compiled"]:
            return
        with _one_process_at_a_time():
            self._warm_up()

    def _warm_up(self) -> None:
        from balance.builds import Build
        from balance.grid import Buff, Cell, Profile, Scenario
        from balance.engine.dice import lane_keys
        attacker = (2, 2, 2, 2, 4)
        table = self.compile([Build(next(iter(self.ruleset.attack_types)))], attacker)
        cell = Cell(0, Profile("warm-up", attacker), Buff("warm-up"), Scenario("warm-up", (1,)))
        keys = lane_keys(0, 0, 0, np.arange(1))
        for cand, rule in ((np.zeros((1, 1)), None), (np.zeros((1, 2)), ("max_expected",))):
            self.run_combats(table, [cell], cand, keys, 1, 1, SimpleNamespace(rule=rule))
            self.run_combats(table, [cell], cand, keys, 1, 1, SimpleNamespace(rule=rule), histogram=True, turns=True)

    # -- inputs of the compiled loop ---------------------------------------------------------------

    def _packed(self, table: Table, cells) -> SimpleNamespace:
        """The attack table and the cells as int64 arrays (kept on the table: one per Simulator)."""
        cached = table.__dict__.get("_packed")
        key = tuple((c.index, c.profile, c.buff, c.scenario) for c in cells)
        if cached is not None and cached.key == key:
            return cached
        cc = _compiled()
        tab = np.stack([np.asarray(table.cols[name]).astype(np.int64) for name in cc.COLUMNS], axis=1)
        consts = [self.cell_constants(table, c) for c in cells]
        E = max(len(c.maxhp) for c in consts)
        maxhp = np.zeros((len(cells), E), dtype=np.int64)
        for i, c in enumerate(consts):
            maxhp[i, : len(c.maxhp)] = c.maxhp
        packed = SimpleNamespace(
            key=key,
            tab=np.ascontiguousarray(tab),
            success=np.asarray(table.cols["success_chance"], dtype=np.float64),
            cc=np.asarray([[getattr(c, name) for name in cc.CELL] for c in consts], dtype=np.int64),
            maxhp=maxhp,
            E=E,
            consts=consts,
        )
        table.__dict__["_packed"] = packed
        return packed

    def _expectations(self, table: Table, cells, packed, cand: np.ndarray) -> np.ndarray:
        """(cells, rows, E) the policy view's expected damage per strike (kernel_policy.py, the same
        numbers the numpy kernel's view reads) for the rows the candidates use and their basic
        attacks; 0 elsewhere (never read)."""
        R, E = len(table.acc), packed.E
        rows = np.unique(np.concatenate([cand.ravel(), table.basic[cand.ravel()]]))
        st = SimpleNamespace(tab=table, T=table.tier, E=E, consts=packed.consts,
                             view_keys=[(table, c.index, c.profile, c.buff, c.scenario) for c in cells])
        exp = np.zeros((len(cells), R, E))
        for ci in range(len(cells)):
            # The view cache is per cell, and may have been filled by a batch with more or fewer
            # enemy positions: columns past the cell's own enemies are zeros either way.
            got = _cell_expectations(self, st, ci, rows)[rows]
            w = min(E, got.shape[1])
            exp[ci, rows, :w] = got[:, :w]
        return exp
