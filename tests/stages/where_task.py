"""A stage-shaped task that records where it ran: the process id and the Dask worker, per item.

It lives in its own module (not a test file) so that Dask workers can unpickle it by reference."""

from __future__ import annotations

import os

import attrs
import numpy as np


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # not inside a Dask worker
        return ""


@attrs.frozen(eq=False)
class WhereTask:
    """Item ``i`` becomes ``i * i`` plus the pid and Dask worker address that computed it."""

    def prepare(self, session):
        return os.getpid()  # the pid of the process that prepared this worker's state

    def compute(self, state, start, stop):
        n = stop - start
        items = np.arange(start, stop)
        return {
            "square": items * items,
            "pid": np.full(n, os.getpid()),
            "prepared_pid": np.full(n, state),
            "worker": np.array([_worker_name()] * n, dtype=object),
        }
