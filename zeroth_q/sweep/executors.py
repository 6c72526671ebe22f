"""Where a sweep's jobs run: a local process pool, a local Dask cluster, or a remote one.

Each is a :class:`concurrent.futures.Executor`, so the sweep itself never knows which.

BLAS threads: N single-run workers on N cores must each use one BLAS thread, or they
oversubscribe the machine. OpenBLAS, MKL and OpenMP read their thread counts from the
environment when NumPy first loads, so the variables are set in this process's environment
while the pool's workers start: spawned workers inherit them before importing anything
(this process's own BLAS, already loaded, is unaffected). Dask's nanny sets the same
variables in its workers by default (``distributed.nanny.pre-spawn-environ``); on a remote
cluster that is the workers' own configuration.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import ModuleType
from typing import Any, NamedTuple

from zeroth_q.errors import ConfigError

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
LOCAL_DASK = "local-dask"


class Workers(NamedTuple):
    """An executor and how many jobs it runs at once (the sweep keeps that many in flight)."""

    executor: Executor
    slots: int


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextlib.contextmanager
def single_threaded_blas_for_children() -> Iterator[None]:
    """Set the BLAS thread variables to 1 for processes started inside the block."""
    saved = {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(BLAS_THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def open_workers(scheduler: str | None = None, workers: int | None = None) -> Iterator[Workers]:
    """Start the executor a sweep runs on, and shut it down after the block.

    scheduler: None for a local process pool, ``"local-dask"`` for a Dask ``LocalCluster``
        on this machine, or a Dask scheduler address (``tcp://host:8786``).
    workers: processes to start locally (default: one per core); ignored for a remote
        scheduler, whose workers are its own.
    """
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be >= 1 (got {workers}).")
    count = workers or available_cores()
    if scheduler is None:
        with single_threaded_blas_for_children(), IsolatedProcessPool(count) as pool:
            yield Workers(pool, count)
        return
    distributed = import_distributed()
    if scheduler == LOCAL_DASK:
        with (
            single_threaded_blas_for_children(),
            distributed.LocalCluster(
                n_workers=count,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield Workers(client.get_executor(), count)
        return
    try:
        client = distributed.Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot connect to the Dask scheduler at {scheduler!r} ({exc}).") from None
    with client:
        yield Workers(client.get_executor(), max(1, sum(client.nthreads().values())))


class RestartingProcessPool(Executor):
    """A process pool that outlives the death of a worker.

    When a worker process dies abruptly (``kill -9``, the out-of-memory killer, a crash in
    native code), ``ProcessPoolExecutor`` fails every run in flight with
    ``BrokenProcessPool`` and refuses new work for good. This pool starts a fresh one at
    the next ``submit``, so a sweep records the lost runs and goes on with the rest.
    Workers are spawned: fresh interpreters that read the BLAS variables when they import
    NumPy (a forked worker would inherit this process's BLAS thread pool).
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.restarts = 0
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        try:
            return self._pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            self._pool.shutdown(wait=True)
            self._pool = self._start()
            self.restarts += 1
            return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


class IsolatedProcessPool(Executor):
    """``workers`` pools of one process each, so that a worker that dies takes only its own run.

    A ``ProcessPoolExecutor`` whose worker dies terminates all its other workers too, so
    one ``kill -9`` ends every run in flight. Here each worker is a
    :class:`RestartingProcessPool` of one process: its death breaks only its own pool
    (restarted at its next job), and the runs on the other workers go on. A job goes to
    a worker with nothing in flight (the sweep submits no more jobs than workers), else
    to the workers in turn.
    """

    def __init__(self, workers: int) -> None:
        self.pools = [RestartingProcessPool(1) for _ in range(workers)]
        self.last: list[Future | None] = [None] * workers
        self._turn = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            idle = [i for i, future in enumerate(self.last) if future is None or future.done()]
            index = idle[0] if idle else self._turn % len(self.pools)
            self._turn += 1
            self.last[index] = future = self.pools[index].submit(fn, *args, **kwargs)
            return future

    @property
    def restarts(self) -> int:
        return sum(pool.restarts for pool in self.pools)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for pool in self.pools:
            pool.shutdown(wait=False, cancel_futures=cancel_futures)
        if wait:
            for pool in self.pools:
                pool.shutdown(wait=True)


def import_distributed() -> ModuleType:
    """``dask.distributed``, or a ConfigError saying how to install the optional extra."""
    try:
        from dask import distributed
    except ImportError:
        raise ConfigError(
            "running a sweep on Dask needs the optional extra: pip install 'zeroth-q[dask]' "
            "(or pip install 'dask[distributed]'); without --scheduler the sweep uses a local process pool."
        ) from None
    return distributed
