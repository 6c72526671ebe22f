"""``python -m benchmarks.optimizer_benchmark --size executed --workers 1 --out runs/optimizer_benchmark``

Runs every stage of a size (MaxCut references, tuning, evaluation, anchors) through the sweep engine;
run it again after a kill and it continues where it stopped.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.optimizer_benchmark.harness import run_benchmark
from benchmarks.optimizer_benchmark.suite import SIZES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="executed")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("runs/notebooks/optimizer_benchmark"))
    args = parser.parse_args(argv)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    start = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:7.0f} s] {message}", file=sys.stderr, flush=True)

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        outcome = run_benchmark(SIZES[args.size], args.out / args.size, pool, args.workers, log)
    log(f"done: {len(outcome['runs'])} evaluation runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
