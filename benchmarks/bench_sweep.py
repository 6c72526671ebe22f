"""Benchmark: 16 runs of a ~1 s job, one after another vs a process pool vs local Dask.

Each variant runs the same 16-run grid (optimizer × lr × 4 seeds on a noisy quadratic,
400 ZO-Adam/ZO-SGD steps: about 1 s per run with its files and curve plot on an idle core) through
``run_sweep`` into a fresh directory, so all three pay the same bookkeeping:

* ``one after another``: a one-thread executor, the baseline;
* ``process pool``: ``--workers N`` (default: the cores), worker start-up included;
* ``local Dask``: a ``LocalCluster`` of N one-thread workers, cluster start-up included.

The variants alternate within each repeat so that a change in machine load hits all of
them alike; the table gives each repeat's wall times and the speed-ups measured side by
side. A control in the same repeat, 16 pure-Python CPU loops one after another vs on N
processes, gives the speed-up the machine allowed at that moment: on a shared machine it
can be far below N, and the sweep cannot beat it. BLAS is limited to one thread in this
process too, as it is in the workers, so the baseline is not helped by a multi-threaded BLAS.
Usage: ``python benchmarks/bench_sweep.py [--workers 2] [--repeats 2]``.
"""

# ruff: noqa: E402  (the BLAS variables must be set before NumPy loads)
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse
import multiprocessing
import platform
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from zeroth_q.sweep import run_sweep
from zeroth_q.sweep.executors import available_cores

RESULTS = Path(__file__).parent / "results" / "sweep.md"
GRID = {
    "name": "bench",
    "base": {
        "objective": {"name": "quadratic", "dim": 100, "noise": 1.0, "shots": 100},
        "optimizer": {"perturbations": 20},
        "budget": {"steps": 400},
        "checkpoint_every": 50,
    },
    "axes": {"optimizer.name": ["zo-sgd", "zo-adam"], "optimizer.lr": [0.01, 0.03], "seed": [0, 1, 2, 3]},
}


def busy_loop(iterations: int = 3_000_000) -> int:
    """About a quarter of a second of pure-Python arithmetic: parallel if cores are free."""
    total = 0
    for i in range(iterations):
        total += i
    return total


def cpu_ceiling(workers: int, jobs: int = 16) -> float:
    """Speed-up of ``jobs`` CPU loops on ``workers`` processes over one after another."""
    start = time.perf_counter()
    for _ in range(jobs):
        busy_loop()
    sequential = time.perf_counter() - start
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(busy_loop, [1] * workers))
        start = time.perf_counter()
        list(pool.map(busy_loop, [3_000_000] * jobs))
        parallel = time.perf_counter() - start
    return sequential / parallel


def timed_sweep(directory: Path, **how) -> float:
    start = time.perf_counter()
    outcome = run_sweep(GRID, directory, progress=False, **how)
    elapsed = time.perf_counter() - start
    assert not outcome.failed and set(outcome.statuses.values()) == {"completed"}, outcome.statuses
    return elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=available_cores())
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            with ThreadPoolExecutor(1) as one:
                sequential = timed_sweep(Path(tmp, f"seq{repeat}"), executor=one, workers=1)
            pool = timed_sweep(Path(tmp, f"pool{repeat}"), workers=args.workers)
            dask = timed_sweep(Path(tmp, f"dask{repeat}"), scheduler="local-dask", workers=args.workers)
            rows.append((repeat, sequential, pool, dask, cpu_ceiling(args.workers)))
    load_after = os.getloadavg()
    lines = [
        f"# Sweep: 16 runs of a ~1 s job, {args.workers} workers",
        "",
        f"{platform.processor() or platform.machine()}, {available_cores()} cores available; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"(the machine is shared: other jobs ran at the same time).",
        "",
        "| repeat | one after another (s) | process pool (s) | local Dask (s) | pool speed-up "
        "| Dask speed-up | control: CPU loops speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r} | {s:.1f} | {p:.1f} | {d:.1f} | {s / p:.2f}x | {s / d:.2f}x | {c:.2f}x |"
        for r, s, p, d, c in rows
    ]
    lines += [
        "",
        "Wall time of `run_sweep` from call to return: start-up of the pool or cluster, all 16 runs "
        "(each writes its run directory and curve plot), `results.csv` and `comparison.png`.",
    ]
    table = "\n".join(lines) + "\n"
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)


if __name__ == "__main__":
    main()
