"""Benchmark: the NumPy CNN (``--objective cnn``) against the machine's GEMM rate, one backprop
epoch of the ~100K preset with its test accuracy, and one ZO step at 2.5M parameters.

1. Forward throughput: ``B`` networks (``B = 1``, ``11`` = SPSA T=5 two-sided + centre,
   ``21`` = T=10) on one shared mini-batch of 50 images, float32, through the output-only
   pass ``evaluate`` uses. The *floor* is the forward FLOPs (``2·B·N·multiply-adds``) divided
   by the float32 GEMM rate measured in the same run (1024² matrices); the ratio time / floor
   says how far the im2col copies, pooling and thin products are from pure BLAS.
2. Backprop-Adam (lr 1e-3, batch 50) on the 100K preset for ``--epochs`` epochs (default 2):
   seconds per epoch and test accuracy after each (the issue's target: >= 98.5 % within 2).
3. One SPSA step at the 2.5M preset with T = 10 two-sided Rademacher directions on batch 50:
   wall time and tracemalloc peak, through the CNN's structured perturbed evaluation (chunks
   of directions within ``direction_memory``, default 256 MB, and 1 MB = one at a time) and
   through the generic path (the ``(21, P)`` float64 batch into ``evaluate``).

Times are from a shared 2-core machine with other jobs running: compare within one run.
Usage: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_cnn.py [--epochs 2] [--skip-epochs]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc
from pathlib import Path

import numpy as np

import zeroth_q
from classical.specs import CNN
from zeroth_q.estimators.perturbed import evaluate_materialized, evaluate_perturbed
from zeroth_q.objective import Perturbations

RESULTS = Path(__file__).parent / "results"
TABLE = RESULTS / "bench_cnn.md"
SIZES = ["1.4k", "10k", "100k", "600k", "2.5m"]
ROWS = [1, 11, 21]
BATCH = 50
REPEATS = 5


def gemm_rate() -> float:
    """float32 FLOP/s of a 1024 × 1024 × 1024 product, best of 5."""
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    best = min(_timed(np.matmul, a, a) for _ in range(5))
    return 2 * 1024**3 / best


def _timed(work, *args) -> float:
    """Seconds of one call ``work(*args)``."""
    start = time.perf_counter()
    work(*args)
    return time.perf_counter() - start


def forward_rows(rate: float) -> list[str]:
    rows = []
    for size in SIZES:
        objective = CNN.build(CNN.make_config({"architecture": size, "batch_size": BATCH}))
        network = objective.network
        x = objective.train.features(slice(0, BATCH), np.dtype(np.float32))
        rng = np.random.default_rng(0)
        for batch in ROWS:
            thetas = (
                objective.initial_point(rng) + 0.01 * rng.standard_normal((batch, objective.dim))
            ).astype(np.float32)
            seconds = float(
                np.median(
                    [_timed(network.logits, thetas, x, objective.memory_budget) for _ in range(REPEATS)]
                )
            )
            flops = 2 * batch * BATCH * network.multiply_adds
            floor = flops / rate
            rows.append(
                f"| {size} | {objective.dim:,} | {batch} | {seconds * 1e3:.1f} | {floor * 1e3:.1f} | "
                f"{seconds / floor:.1f} | {flops / seconds / 1e9:.1f} |"
            )
            print(rows[-1], flush=True)
    return rows


def backprop_epochs(epochs: int) -> list[str]:
    """One run of ``epochs`` epochs; metrics at every epoch's end (their time included)."""
    objective = CNN.build(CNN.make_config({"architecture": "100k", "batch_size": BATCH}))
    steps = objective.steps_per_epoch
    result = zeroth_q.minimize(
        objective,
        "backprop-adam",
        zeroth_q.Budget(steps=epochs * steps),
        optimizer_params={"lr": 1e-3},
        metrics_every=steps,
    )
    measured = [row for row in result.history if "test_accuracy" in row][1:]  # row 0: the start
    rows, previous = [], 0.0
    for epoch, row in enumerate(measured, start=1):
        rows.append(
            f"| {epoch} | {row['wall_time'] - previous:.0f} | {100 * row['test_accuracy']:.2f} | "
            f"{row['train_loss']:.4f} |"
        )
        previous = row["wall_time"]
        print(rows[-1], flush=True)
    return rows


def zo_step_rows() -> list[str]:
    rows = []
    perturbations = Perturbations(11, 10, "rademacher", 1e-3, True, False)
    for path, memory_mb in [("structured", 256), ("structured", 1), ("generic (21 × P float64)", None)]:
        params = {"architecture": "2.5m", "batch_size": BATCH, "direction_memory_mb": memory_mb or 256}
        objective = CNN.build(CNN.make_config(params))
        theta = objective.initial_point(np.random.default_rng(0))
        evaluate = evaluate_materialized if memory_mb is None else evaluate_perturbed
        evaluate(objective, theta, perturbations, np.random.default_rng(1))  # warm the buffers
        tracemalloc.start()
        start = time.perf_counter()
        evaluate(objective, theta, perturbations, np.random.default_rng(1))
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        times = [_timed(evaluate, objective, theta, perturbations, np.random.default_rng(1))]
        budget = f"{memory_mb} MB" if memory_mb else "-"
        rows.append(
            f"| {path} | {budget} | {np.median([seconds, *times]):.2f} | {peak / 2**20:.0f} | "
            f"{peak / (objective.dim * 4):.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--skip-epochs", action="store_true", help="only the forward and ZO-step tables")
    args = parser.parse_args()

    rate = gemm_rate()
    forward = forward_rows(rate)
    zo = zo_step_rows()
    epochs = [] if args.skip_epochs else backprop_epochs(args.epochs)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    lines = [
        "# The NumPy CNN: forward vs the GEMM floor, backprop epochs, one ZO step at 2.5M",
        "",
        f"{platform.machine()} ({platform.processor() or 'cpu'}), NumPy {np.__version__}, float32, "
        f"OPENBLAS_NUM_THREADS={threads}, shared 2-core machine with other jobs running: compare within "
        f"this file only. Measured float32 GEMM rate (1024³, best of 5): {rate / 1e9:.1f} GFLOP/s.",
        "",
        f"## Forward, batch {BATCH}, median of {REPEATS}",
        "",
        "| preset | parameters | networks B | ms | GEMM floor ms | ratio | GFLOP/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *forward,
        "",
        "## One SPSA step at the 2.5M preset: T = 10, two-sided, Rademacher, batch 50 (20 networks)",
        "",
        "Peak: tracemalloc peak during one perturbed evaluation, in MB and in units of P float32 "
        "numbers (P·4 bytes); θ (float64) and the data are allocated before and not counted.",
        "",
        "| path | direction memory | s | peak MB | peak / (P·4 B) |",
        "|---|---|---:|---:|---:|",
        *zo,
    ]
    if epochs:
        lines += [
            "",
            "## Backprop-Adam on the 100K preset (lr 1e-3, batch 50, 1,200 steps per epoch)",
            "",
            "| epoch | s | test accuracy % | train loss (10,000 images) |",
            "|---:|---:|---:|---:|",
            *epochs,
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    TABLE.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
