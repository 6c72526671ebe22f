"""Benchmark 2: MNIST test accuracy after one epoch, backprop-Adam vs ZO-Adam (SPSA).

One epoch at batch size 50 (1,200 steps), accuracy on the full 10,000 test images, mean ±
std over seeds, with the wall time of the epoch. ``backprop-adam`` (lr 1e-3) and
``zo-adam`` (the core's SPSA estimator with ``T`` sphere directions, two-sided, ``c = 0.01``,
+ Adam, lr 1e-3) on the linear model, 784-128-10 and 784-128-64-10.

The full grid (3 models × 5 optimizers × 3 seeds, about 13 CPU-minutes on one core of an
AVX-512 machine with the structured SPSA evaluation of issue 15, 20 on an earlier AVX2 one and
2.5 CPU-hours there before issue 15; most of it ZO with T = 100 on the MLPs) is the default.
Each finished cell is stored in ``results/bench_mnist_one_epoch.json``, so the grid can be run
in parts (``--models``, ``--optimizers``, ``--seeds``) and the table, rendered from everything
stored, says which cells have fewer seeds than asked for.

A second table (``--comparator``) times the engine against a plain vectorized NumPy SPSA-Adam
(``plain_numpy_spsa_adam.py``, issue 15's yardstick): linear model, one-sided Rademacher SPSA with T = 50,
c = 0.01, Adam lr 1e-3, the T + 1 perturbed weight copies evaluated as one batched matmul;
vs ``zo-adam`` with the same estimator (``perturbations=50, one_sided, rademacher``), both
one epoch, interleaved seed by seed.

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
from plain_numpy_spsa_adam import train_epoch

import zeroth_q
from classical.specs import MnistConfig, build_mnist

RESULTS = Path(__file__).parent / "results"
STORE = RESULTS / "bench_mnist_one_epoch.json"
COMPARATOR_TABLE = RESULTS / "bench_mnist_one_epoch_vs_numpy.md"
TABLE = RESULTS / "bench_mnist_one_epoch.md"
MODELS = {"linear": (), "784-128-10": (128,), "784-128-64-10": (128, 64)}
OPTIMIZERS = ["backprop-adam", "zo-adam:10", "zo-adam:30", "zo-adam:50", "zo-adam:100"]
LEARNING_RATE = 1e-3
# The table before issue 15 (generic evaluate path): accuracy % (seeds) and s / epoch.
BEFORE_ISSUE_15 = {
    "linear|backprop-adam": "91.55 (3), 1.2",
    "linear|zo-adam:10": "80.17 (3), 6.4",
    "linear|zo-adam:30": "85.01 (3), 19.4",
    "linear|zo-adam:50": "86.44 (3), 30.2",
    "linear|zo-adam:100": "87.88 (3), 46.1",
    "784-128-10|backprop-adam": "96.16 (3), 3.9",
    "784-128-10|zo-adam:10": "78.75 (3), 51.8",
    "784-128-10|zo-adam:30": "84.91 (1), 159.1",
    "784-128-10|zo-adam:50": "86.68 (1), 243.2",
    "784-128-10|zo-adam:100": "88.43 (1), 461.7",
    "784-128-64-10|backprop-adam": "95.96 (3), 5.6",
    "784-128-64-10|zo-adam:10": "76.07 (3), 55.3",
    "784-128-64-10|zo-adam:30": "84.36 (1), 156.4",
    "784-128-64-10|zo-adam:50": "86.24 (1), 250.6",
    "784-128-64-10|zo-adam:100": "89.03 (1), 492.8",
}


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
    start, cpu = time.perf_counter(), time.process_time()
    result = zeroth_q.minimize(
        objective,
        name,
        zeroth_q.Budget(steps=objective.steps_per_epoch),
        seed=seed,
        metrics_every=0,
        metrics_per_decade=0,
        optimizer_params=params,
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"test_accuracy": result.metrics["test_accuracy"], "seconds": seconds, "cpu_seconds": cpu}


def plain_numpy_spsa_adam(seed: int) -> dict:
    """One epoch of one-sided Rademacher SPSA + Adam on the linear model, in plain NumPy:
    :func:`plain_numpy_spsa_adam.train_epoch`, the comparator of issues 15 and 29, on the
    engine's standardised features converted once."""
    objective = build_mnist(MnistConfig(hidden=(), batch_size=50))
    x = objective.train.features(slice(None), np.dtype(np.float32))
    start, cpu = time.perf_counter(), time.process_time()
    theta = train_epoch(x, objective.train.labels, np.random.default_rng(seed))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    accuracy = objective.metrics(theta.astype(np.float64))["test_accuracy"]
    return {"test_accuracy": accuracy, "seconds": seconds, "cpu_seconds": cpu}


def engine_linear(seed: int, count: int = 50) -> dict:
    objective = build_mnist(MnistConfig(hidden=(), batch_size=50))
    params = {"lr": LEARNING_RATE, "perturbations": count, "one_sided": True, "distribution": "rademacher"}
    start, cpu = time.perf_counter(), time.process_time()
    result = zeroth_q.minimize(
        objective,
        "zo-adam",
        zeroth_q.Budget(steps=objective.steps_per_epoch),
        seed=seed,
        metrics_every=0,
        metrics_per_decade=0,
        optimizer_params=params,
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"test_accuracy": result.metrics["test_accuracy"], "seconds": seconds, "cpu_seconds": cpu}


def compare_with_numpy(seeds: int) -> str:
    runs: dict[str, list[dict]] = {"plain NumPy SPSA-Adam": [], "zeroth-q zo-adam": []}
    for seed in range(seeds):
        runs["plain NumPy SPSA-Adam"].append(plain_numpy_spsa_adam(seed))
        runs["zeroth-q zo-adam"].append(engine_linear(seed))
        print(seed, {name: r[-1] for name, r in runs.items()}, flush=True)
    rows = []
    for name, results in runs.items():
        accuracy = np.array([r["test_accuracy"] for r in results]) * 100
        seconds = np.array([r["seconds"] for r in results])
        cpu = np.array([r["cpu_seconds"] for r in results])
        spread = f"{accuracy.mean():.2f} ± {accuracy.std():.2f}"
        rows.append(f"| {name} | {spread} | {seconds.min():.2f} | {seconds.mean():.2f} | {cpu.mean():.2f} |")
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    plain, engine = (np.array([r["seconds"] for r in results]) for results in runs.values())
    plain_cpu, engine_cpu = (np.array([r["cpu_seconds"] for r in results]) for results in runs.values())
    return "\n".join(
        [
            "# One epoch of one-sided SPSA-Adam on the linear MNIST model: engine vs plain NumPy",
            "",
            f"T = 50 Rademacher directions, c = 0.01, Adam lr 1e-3, batch 50, 1,200 steps; {seeds} seeds, "
            f"run alternately (one process, OPENBLAS_NUM_THREADS={threads}, "
            "shared machine). Plain NumPy: the T + 1 perturbed weight copies as one batched matmul.",
            "",
            "| implementation | test accuracy % | min s / epoch | mean s / epoch | mean CPU s / epoch |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"Speed-up (plain / engine): {plain.min() / engine.min():.2f}x on the fastest epochs, "
            f"{np.median(plain / engine):.2f}x median over seeds; in CPU time (process_time, what the "
            f"code costs when the shared machine preempts it): {np.median(plain_cpu / engine_cpu):.2f}x "
            "median.",
        ]
    )


def render(store: dict[str, dict[str, dict[str, float]]], seeds_wanted: int) -> str:
    rows = []
    for model in MODELS:
        for optimizer in OPTIMIZERS:
            runs = store.get(f"{model}|{optimizer}", {})
            if not runs:
                rows.append(f"| {model} | {optimizer} | not run | | | | |")
                continue
            accuracy = np.array([r["test_accuracy"] for r in runs.values()]) * 100
            seconds = np.array([r["seconds"] for r in runs.values()])
            cpu = np.array([r["cpu_seconds"] for r in runs.values()])
            note = "" if len(runs) >= seeds_wanted else " (fewer seeds than the full grid)"
            rows.append(
                f"| {model} | {optimizer} | {accuracy.mean():.2f} ± {accuracy.std():.2f} | {len(runs)}{note} "
                f"| {seconds.mean():.1f} | {cpu.mean():.1f} | {BEFORE_ISSUE_15[f'{model}|{optimizer}']} |"
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
            f"per step), c = 0.01, + Adam. The full grid asks for {seeds_wanted} seeds per cell. CPU s: "
            "process time, what the epoch costs whatever the load. Last column: the same cell before the "
            "structured perturbed evaluation of issue 15 (other directions, so other random draws), timed "
            "on an earlier AVX2 machine under other load: its seconds compare with this table's only "
            "roughly (`bench_engine_before_after.md` has both codes side by side on one machine).",
            "",
            "| model | optimizer | test accuracy % | seeds | s / epoch | CPU s / epoch "
            "| before: %, seeds, s |",
            "|---|---|---:|---|---:|---:|---|",
            *rows,
        ]
    )


def _load() -> dict[str, dict[str, dict[str, float]]]:
    return json.loads(STORE.read_text()) if STORE.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--optimizers", nargs="+", default=OPTIMIZERS, choices=OPTIMIZERS)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--comparator", action="store_true", help="only the engine vs plain NumPy table")
    args = parser.parse_args()

    if args.comparator:
        table = compare_with_numpy(args.seeds)
        COMPARATOR_TABLE.write_text(table + "\n")
        print(table)
        return

    store, mine = _load(), {}
    for model in args.models:
        for optimizer in args.optimizers:
            for seed in range(args.seeds):
                if str(seed) in store.get(f"{model}|{optimizer}", {}):
                    continue
                result = one_epoch(model, optimizer, seed)
                print(model, optimizer, seed, result, flush=True)
                mine[(f"{model}|{optimizer}", str(seed))] = result
                store = _load()  # another process may have written meanwhile: merge, never overwrite
                for (cell, done_seed), done in mine.items():
                    store.setdefault(cell, {})[done_seed] = done
                RESULTS.mkdir(parents=True, exist_ok=True)
                STORE.write_text(json.dumps(store, indent=1, sort_keys=True))
                TABLE.write_text(render(store, 3) + "\n")
    table = render(store, 3)
    TABLE.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
