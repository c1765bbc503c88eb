"""Runs the same work units on a Dask distributed cluster (a LocalCluster when no address is given).

The task is scattered to every worker once; units are index ranges; results are yielded in
submission order with a bounded number in flight, exactly as the local executor does, so results
are bit-for-bit the same. One client (and LocalCluster) serves every step of a run until ``close``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from balance.errors import UsageError
from balance.hookspecs import hookimpl
from balance.work import Columns, SessionSpec, Task, cores, run_unit


class DaskExecutor:
    name = "dask"

    def __init__(self) -> None:
        #: ``tcp://HOST:PORT`` of a running scheduler; ``None`` starts a LocalCluster.
        self.scheduler: str | None = None
        self._open: tuple | None = None  # (workers, client, cluster) kept between steps

    def workers(self, requested: int) -> int:
        return requested or 0

    def _client(self, workers: int):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise UsageError("the dask executor needs dask[distributed]: pip install 'balance[dask]'") from exc
        if self.scheduler:
            try:
                return Client(self.scheduler, timeout="10s"), None
            except (OSError, TimeoutError) as exc:
                raise UsageError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from exc

        import dask

        # Dask workers run tasks in a thread, whose glibc arena serves the engine's large numpy
        # temporaries (MBs each) with mmap/munmap, paying page faults on every call; the nannies
        # also set MALLOC_TRIM_THRESHOLD_=65536. Fixed thresholds keep them on the heap (measured:
        # 1M pairs on 2 workers, 7,800 -> 22,500 pairs/s). The statistical profiler takes the GIL
        # every 10 ms and buys nothing here.
        settings = {
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 1 << 28,
            "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 1 << 25,
            "distributed.worker.profile.enabled": False,
        }
        with dask.config.set(settings):
            cluster = LocalCluster(
                n_workers=workers or cores(), threads_per_worker=1, processes=True, dashboard_address=None
            )
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise

    def map(
        self, spec: SessionSpec, task: Task, units: Iterable[tuple[int, int]], workers: int
    ) -> Iterator[tuple[int, int, Columns]]:
        if self._open is None or self._open[0] != workers:
            self.close()
            self._open = (workers, *self._client(workers))
        client = self._open[1]
        try:
            # hash=False: a key of its own per step (an equal task of an earlier step may be being released)
            task_future = client.scatter(task, broadcast=True, hash=False)
            in_flight = 2 * max(1, len(client.scheduler_info()["workers"]))
            pending: deque = deque()
            for start, stop in units:
                pending.append(client.submit(run_unit, spec, task_future, start, stop, pure=False))
                if len(pending) >= in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:  # a failed or abandoned step: its queued ranges must not run on
            self.close()
            raise

    def close(self) -> None:
        """Close the client and the LocalCluster this executor started (the runner calls this)."""
        if self._open is not None:
            _, client, cluster = self._open
            self._open = None
            client.close()
            if cluster is not None:
                cluster.close()


@hookimpl
def balance_executors():
    return [DaskExecutor()]
