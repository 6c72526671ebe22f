"""Benchmark 7: how long loading the shipped MNIST takes, and what the in-memory cache saves.

``classical.mnist`` decompresses the four IDX files (47 MB) and checks their SHA-256 on
every load from disk; its docstring promises about 0.3 s on one core, which is why the
decoded arrays are not cached on disk. This measures, side by side in one process: a load
from disk (cache cleared before each repeat), a load served by the in-memory cache, and
the standardisation every MNIST objective applies (``classical.examples.standardized``).
Medians over ``--repeats``; a timing, so it lives here and not in a unit test.

Usage: ``python benchmarks/bench_mnist_load.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from classical.examples import standardized
from classical.mnist import load_mnist

RESULTS = Path(__file__).parent / "results" / "bench_mnist_load.md"


def median_seconds(
    work: Callable[[], object], repeats: int, before: Callable[[], None] = lambda: None
) -> float:
    times = []
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from_disk = median_seconds(load_mnist, args.repeats, before=load_mnist.cache_clear)
    cached = median_seconds(load_mnist, args.repeats)
    train = load_mnist().train
    standardize = median_seconds(lambda: standardized(train), args.repeats)
    rows = [
        ("load from disk (gunzip + SHA-256 + decode)", from_disk),
        ("load from the in-memory cache", cached),
        ("standardize the 60,000 training images", standardize),
    ]
    table = "\n".join(
        [
            f"# Loading the shipped MNIST (median of {args.repeats})",
            "",
            f"On {platform.machine()}, NumPy {np.__version__}, OPENBLAS_NUM_THREADS="
            f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, shared machine (other jobs running): "
            f"compare rows of this table only. The docstring of `classical.mnist` promises about 0.3 s "
            f"from disk on an idle core.",
            "",
            "| operation | seconds |",
            "|---|---:|",
            *(f"| {name} | {seconds:.3g} |" for name, seconds in rows),
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
