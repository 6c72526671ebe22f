"""Benchmark 3: backprop-Adam on the 784-128-10 MLP for 5 epochs (expect >= 97.5 % test accuracy).

Batch 50, lr 1e-3, float32; the test accuracy (full 10,000 images) after every epoch,
from the history's metric rows. It checks that the NumPy backprop and the objective are
a correct baseline for the zeroth-order runs: a 784-128-10 ReLU network trained this way
is known to reach about 97.5-98 %.

Usage: ``python benchmarks/bench_mnist_backprop_5_epochs.py [--epochs 5] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

import numpy as np

import zeroth_q
from classical.specs import MnistConfig, build_mnist

RESULTS = Path(__file__).parent / "results" / "bench_mnist_backprop_5_epochs.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    objective = build_mnist(MnistConfig(hidden=(128,), batch_size=50))
    per_epoch = objective.steps_per_epoch
    result = zeroth_q.minimize(
        objective,
        "backprop-adam",
        zeroth_q.Budget(steps=args.epochs * per_epoch),
        seed=args.seed,
        metrics_every=per_epoch,
        optimizer_params={"lr": 1e-3},
    )
    # Metric rows: step 0, 1200, 2400, ... describe the point *before* that step; the
    # final row describes the returned point, after the last epoch.
    rows = [r for r in result.history if "test_accuracy" in r and r["step"] > 0]
    lines = [
        f"| {epoch} | {100 * row['test_accuracy']:.2f} | {row['test_loss']:.4f} | {row['train_loss']:.4f} "
        f"| {row['wall_time']:.1f} |"
        for epoch, row in enumerate(rows, start=1)
    ]
    table = "\n".join(
        [
            f"# Backprop-Adam, 784-128-10 ReLU, batch 50, lr 1e-3, {args.epochs} epochs (seed {args.seed})",
            "",
            f"Full test set; train loss on the first 10,000 training images. Wall time cumulative, on "
            f"{platform.machine()}, NumPy {np.__version__}, float32, OPENBLAS_NUM_THREADS="
            f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, shared machine. "
            f"Final test accuracy: **{100 * result.metrics['test_accuracy']:.2f} %** (expected >= 97.5 %).",
            "",
            "| epoch | test accuracy % | test loss | train loss | wall s |",
            "|---:|---:|---:|---:|---:|",
            *lines,
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
