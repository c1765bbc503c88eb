"""Reporters on the run's cores: one lane of reporters per process, run one after another.

Reporters that share per-run computations held in their process (the point values of stage 1,
the enhancement tiers of each stage, stage 2's screening pass) say so with the same ``shares``
(default: their stage), and reporters sharing one stay in one lane, in the order they were chosen:
nothing is computed twice. The groups are spread over the lanes by their reporters' declared
``cost`` (the costliest group first, each to the lane with the least work so far), so that the
longest lane, which the whole call waits for, is as short as the declared costs allow. Lanes other
than this process's run side by side, each in a process forked from this one (the session, the
open run and any local plugin come along as they are; only reporter names, file lists and errors
travel, pickled, through a pipe). A reporter that renders others' files (``uses``) runs in this
process's lane, last, with the group it shares; the files of a reporter another lane is still
writing are waited for when the renderer asks for them (``ctx.written``), so that it does its own
work first, beside that lane.

The caller gets every reporter's outcome (its files, or the error it raised) in the order given,
each as soon as it and those before it are known, so that it can keep its index of written files
current.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from balance.errors import BalanceError


class NotWritten(BalanceError):
    """A renderer asked for the files of a reporter that failed in another lane: the renderer is
    not run to its end and yields no outcome (it would only fail again on the missing files)."""


class Written(dict):
    """Reporter name -> the files it wrote earlier in this call (``ReportContext.written``). While
    lanes run, asking for (``in``, ``[]``, ``get``) a reporter that another lane is still writing
    waits for it; asking for one that failed there raises :class:`NotWritten`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: name -> waits for that reporter's outcome (set by the lanes while they run)
        self.pending: dict[str, Callable[[], "Outcome"]] = {}
        self.failed: set[str] = set()

    def _settle(self, name: Any) -> None:
        wait = self.pending.pop(name, None)
        if wait is not None and wait().error is not None:
            self.failed.add(name)
        if name in self.failed:
            raise NotWritten(f"reporter {name} failed: its files cannot be rendered")

    def __contains__(self, name: object) -> bool:
        self._settle(name)
        return super().__contains__(name)

    def __getitem__(self, name: Any) -> Any:
        self._settle(name)
        return super().__getitem__(name)

    def get(self, name: Any, default: Any = None) -> Any:
        self._settle(name)
        return super().get(name, default)


@attrs.frozen
class Outcome:
    """What one reporter did: the files it wrote, or the error it raised; and the corrupt shards
    its lane's readers had skipped by then (shard -> (records, why))."""

    reporter: Any
    files: list[Path] = attrs.field(factory=list)
    error: BaseException | None = None
    skipped: dict[str, tuple[int, str]] = attrs.field(factory=dict)


def shares(reporter: Any) -> str:
    """What per-process computations ``reporter`` shares with others: its ``shares``, else its stage."""
    return getattr(reporter, "shares", None) or reporter.stage


def cost(reporter: Any) -> float:
    """``reporter``'s declared ``cost`` (relative work; 1 when it declares none or no usable one)."""
    try:
        c = float(getattr(reporter, "cost", 1.0))
    except (TypeError, ValueError):
        return 1.0
    return c if math.isfinite(c) and c >= 0 else 1.0


def plan(reporters: Sequence[Any], lanes: int) -> list[list[Any]]:
    """The reporters of each lane, in their given order; lane 0 runs in this process. Reporters
    with the same :func:`shares` stay in one lane. Lane 0 holds the reporters that render others'
    files and the groups they share; the other groups go, the costliest first (by the sum of
    their reporters' :func:`cost`), to the lane with the least cost so far (the first such lane on
    a tie), over at most ``lanes`` lanes. One lane where this process cannot fork."""
    renderers = [r for r in reporters if getattr(r, "uses", ())]
    groups: dict[str, list[Any]] = {}
    for r in reporters:
        if r not in renderers:
            groups.setdefault(shares(r), []).append(r)
    home = [g for g in groups if g in {shares(r) for r in renderers}] or list(groups)[:1]
    rest = [g for g in groups if g not in home]
    n = min(lanes - 1, len(rest))
    # a daemonic process (a pool's worker) may not start processes of its own
    if n < 1 or "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return [list(reporters)]
    out: list[list[Any]] = [[r for g in home for r in groups[g]] + renderers] + [[] for _ in range(n)]
    load = [sum(map(cost, out[0]))] + [0.0] * n
    weight = {g: sum(map(cost, groups[g])) for g in rest}
    for g in sorted(rest, key=lambda g: -weight[g]):  # stable: equal costs keep their order
        i = min(range(len(out)), key=load.__getitem__)
        out[i].extend(groups[g])
        load[i] += weight[g]
    position = {id(r): i for i, r in enumerate(reporters)}
    lanes_used = [lane for lane in out if lane]
    if len(lanes_used) == 1:
        return [list(reporters)]
    return [sorted(lane, key=lambda r: position[id(r)]) for lane in lanes_used]


class RemoteTraceback(Exception):
    """The traceback of an error raised in a lane's process (shown with ``--debug``)."""

    def __str__(self) -> str:
        return self.args[0]


def _sendable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else a :class:`BalanceError` with its message and exit code."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any error type a plugin defines
        out = BalanceError(str(exc))
        out.exit_code = getattr(exc, "exit_code", BalanceError.exit_code)
        return out


def _lane_main(conn, ctx: Any, write: Callable, names: list[str]) -> None:
    # the parent's Ctrl-C reaches the whole process group: the parent stops the lanes itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ctx.lane[:] = names
    for name in names:
        reporter = ctx.session.plugins.component("balance_reporters", name)
        try:
            files = write(reporter, ctx)
        except Exception as exc:  # noqa: BLE001 - reported by the parent like its own lane's
            conn.send((name, [], ctx.skipped_shards(), _sendable(exc), traceback.format_exc()))
            continue
        ctx.written[name] = files
        conn.send((name, [str(p) for p in files], ctx.skipped_shards(), None, None))
    conn.close()


class _Lane:
    """A forked process writing ``reporters`` one after another, and what it has sent back."""

    def __init__(self, reporters: list[Any], ctx: Any, write: Callable, fork):
        self.ctx = ctx
        self.names = [r.name for r in reporters]
        self.by_name = {r.name: r for r in reporters}
        self.received: dict[str, Outcome] = {}
        recv, send = fork.Pipe(duplex=False)
        self.proc = fork.Process(target=_lane_main, args=(send, ctx, write, self.names), daemon=True)
        self.proc.start()
        send.close()
        self.conn = recv

    def _take(self, block: bool) -> bool:
        """Read one message (waiting for it when ``block``); False when none came."""
        if len(self.received) == len(self.names) or (not block and not self.conn.poll()):
            return False
        try:
            name, files, skipped, error, tb = self.conn.recv()
        except EOFError:
            self.proc.join()
            code = self.proc.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            for name in self.names:
                if name not in self.received:
                    self.received[name] = Outcome(self.by_name[name], error=BalanceError(
                        f"the process writing reporter {name} ended before it was written ({how})"))
            return False
        if error is not None and tb:
            error.__cause__ = RemoteTraceback(f'\n"""\n{tb}"""')
        self.received[name] = Outcome(self.by_name[name], [Path(p) for p in files], error, skipped)
        if error is None:
            self.ctx.written[name] = self.received[name].files  # for a renderer here
        return True

    def poll(self) -> None:
        while self._take(block=False):
            pass

    def wait_for(self, name: str) -> Outcome:
        while name not in self.received and self._take(block=True):
            pass
        return self.received[name]

    def stop(self, kill: bool) -> None:
        if kill and self.proc.is_alive():
            self.proc.terminate()
        self.proc.join()
        self.conn.close()


def run_lanes(reporters: Sequence[Any], ctx: Any, write: Callable[[Any, Any], list[Path]],
              lanes: int) -> Iterator[Outcome]:
    """``write(reporter, ctx)`` for every reporter, over at most ``lanes`` processes (see
    :func:`plan`); yields each reporter's :class:`Outcome` in the order of ``reporters``. A failing
    reporter does not stop the others; a reporter that ``uses`` one that failed (in this lane
    before it, or in another lane when it asks for its files) yields no outcome."""
    # numpy's BLAS splits a large dot or matrix product over a thread per core; beside a process per
    # stage (and on a shared machine) those threads only spin against each other: measured on the
    # default run, the point values cost 9.2 CPU s with them and 5.3 without, the same numbers
    from threadpoolctl import threadpool_limits  # here: 80 ms of imports every command would pay

    with threadpool_limits(limits=1, user_api="blas"):
        yield from _run_lanes(list(reporters), ctx, write, lanes)


def _run_lanes(reporters: list[Any], ctx: Any, write: Callable, lanes: int) -> Iterator[Outcome]:
    groups = plan(reporters, lanes)
    lane_of: dict[str, _Lane] = {}
    others: list[_Lane] = []
    finished = False
    try:
        if len(groups) > 1:
            fork = multiprocessing.get_context("fork")
            # what this process printed so far must not be printed again by a forked copy
            sys.stdout.flush()
            sys.stderr.flush()
            for group in groups[1:]:
                lane = _Lane(group, ctx, write, fork)
                others.append(lane)
                lane_of.update(dict.fromkeys(lane.names, lane))
        ctx.lane[:] = [r.name for r in groups[0]]
        done: dict[str, Outcome | None] = {}
        given = 0

        def ready(wait: bool) -> Iterator[Outcome]:
            # outcomes in the given order, as far as they are known
            nonlocal given
            for lane in others:
                lane.poll()
            while given < len(reporters):
                name = reporters[given].name
                if name not in done:
                    lane = lane_of.get(name)
                    if lane is None or not (wait or name in lane.received):
                        return
                    done[name] = lane.wait_for(name)
                given += 1
                if done[name] is not None:
                    yield done[name]

        for r in groups[0]:
            used = [n for n in getattr(r, "uses", ()) if n in done]
            if any(done[n] is None or done[n].error is not None for n in used):
                done[r.name] = None
            else:
                for n in getattr(r, "uses", ()):
                    if n in lane_of and n not in done:
                        ctx.written.pending[n] = functools.partial(lane_of[n].wait_for, n)
                outcome = _here(r, ctx, write)
                done[r.name] = None if isinstance(outcome.error, NotWritten) else outcome
            yield from ready(wait=False)
        yield from ready(wait=True)
        finished = True
    finally:
        ctx.written.pending.clear()
        ctx.lane.clear()
        for lane in others:
            lane.stop(kill=not finished)


def _here(reporter: Any, ctx: Any, write: Callable) -> Outcome:
    try:
        files = write(reporter, ctx)
    except Exception as exc:  # noqa: BLE001 - every lane reports its errors the same way
        return Outcome(reporter, error=exc)
    ctx.written[reporter.name] = files
    return Outcome(reporter, files, skipped=ctx.skipped_shards())
