"""Benchmark 2: MNIST test accuracy after one epoch, backprop-Adam vs ZO-Adam (SPSA).

One epoch at batch size 50 (1,200 steps), accuracy on the full 10,000 test images, mean ±
std over seeds, with the wall time of the epoch. ``backprop-adam`` (lr 1e-3) and
``zo-adam`` (the core's SPSA estimator with ``T`` sphere directions, two-sided, ``c = 0.01``,
+ Adam, lr 1e-3) on the linear model, 784-128-10 and 784-128-64-10.

The full grid (3 models × 5 optimizers × 3 seeds, about 2.5 CPU-hours on one core, most of
it ZO with T = 100 on the MLPs) is the default. Each finished cell is stored in
``results/bench_mnist_one_epoch.json``, so the grid can be run in parts (``--models``,
``--optimizers``, ``--seeds``) and the table, rendered from everything stored, says which
cells have fewer seeds than asked for.

Usage: ``python benchmarks/bench_mnist_one_epoch.py [--models linear] [--optimizers zo-adam:10]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

import zeroth_q
from classical.specs import MnistConfig, build_mnist

RESULTS = Path(__file__).parent / "results"
STORE = RESULTS / "bench_mnist_one_epoch.json"
TABLE = RESULTS / "bench_mnist_one_epoch.md"
MODELS = {"linear": (), "784-128-10": (128,), "784-128-64-10": (128, 64)}
OPTIMIZERS = ["backprop-adam", "zo-adam:10", "zo-adam:30", "zo-adam:50", "zo-adam:100"]
LEARNING_RATE = 1e-3


def optimizer_params(optimizer: str) -> tuple[str, dict[str, float]]:
    """``"zo-adam:30"`` -> ``("zo-adam", {"lr": 1e-3, "perturbations": 30})``."""
    name, _, directions = optimizer.partition(":")
    params: dict[str, float] = {"lr": LEARNING_RATE}
    if directions:
        params["perturbations"] = int(directions)
    return name, params


def one_epoch(model: str, optimizer: str, seed: int) -> dict[str, float]:
    objective = build_mnist(MnistConfig(hidden=MODELS[model], batch_size=50))
    name, params = optimizer_params(optimizer)
    start = time.perf_counter()
    result = zeroth_q.minimize(
        objective,
        name,
        zeroth_q.Budget(steps=objective.steps_per_epoch),
        seed=seed,
        metrics_every=0,
        optimizer_params=params,
    )
    return {"test_accuracy": result.metrics["test_accuracy"], "seconds": time.perf_counter() - start}


def render(store: dict[str, dict[str, dict[str, float]]], seeds_wanted: int) -> str:
    rows = []
    for model in MODELS:
        for optimizer in OPTIMIZERS:
            runs = store.get(f"{model}|{optimizer}", {})
            if not runs:
                rows.append(f"| {model} | {optimizer} | not run | | |")
                continue
            accuracy = np.array([r["test_accuracy"] for r in runs.values()]) * 100
            seconds = np.array([r["seconds"] for r in runs.values()])
            note = "" if len(runs) >= seeds_wanted else " (fewer seeds than the full grid)"
            rows.append(
                f"| {model} | {optimizer} | {accuracy.mean():.2f} ± {accuracy.std():.2f} | {len(runs)}{note} "
                f"| {seconds.mean():.1f} |"
            )
    return "\n".join(
        [
            "# MNIST test accuracy after one epoch (batch 50, 1,200 steps, lr 1e-3)",
            "",
            f"Full test set (10,000 images); mean ± std (population) over seeds 0..n-1. "
            f"Wall time per epoch on {platform.machine()} ({platform.processor() or 'cpu'}), NumPy "
            f"{np.__version__}, float32, one process (OPENBLAS_NUM_THREADS="
            f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}), shared machine (other jobs running): "
            f"compare times within this table only. `zo-adam:T` = SPSA with T sphere directions (2T networks "
            f"per step), c = 0.01, + Adam. The full grid asks for {seeds_wanted} seeds per cell.",
            "",
            "| model | optimizer | test accuracy % | seeds | s / epoch |",
            "|---|---|---:|---|---:|",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--optimizers", nargs="+", default=OPTIMIZERS, choices=OPTIMIZERS)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    store = json.loads(STORE.read_text()) if STORE.exists() else {}
    for model in args.models:
        for optimizer in args.optimizers:
            cell = store.setdefault(f"{model}|{optimizer}", {})
            for seed in range(args.seeds):
                if str(seed) in cell:
                    continue
                cell[str(seed)] = one_epoch(model, optimizer, seed)
                print(model, optimizer, seed, cell[str(seed)], flush=True)
                RESULTS.mkdir(parents=True, exist_ok=True)
                STORE.write_text(json.dumps(store, indent=1, sort_keys=True))
                TABLE.write_text(render(store, 3) + "\n")
    table = render(store, 3)
    TABLE.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
