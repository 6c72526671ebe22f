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
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from types import ModuleType
from typing import NamedTuple

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
        # "spawn": a fresh interpreter per worker that reads the BLAS variables when it
        # imports NumPy; a forked worker would inherit this process's BLAS thread pool.
        with (
            single_threaded_blas_for_children(),
            ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool,
        ):
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
