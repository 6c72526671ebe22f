"""Benchmark 1: time of one SPSA step on the MNIST MLP, vectorized over directions vs a loop.

For each model (linear 784-10, 7,850 parameters; 784-128-10, 101,770), mini-batch size
and number of directions ``T``, three timings on the same parameters and mini-batch:

* ``step``: the core's ``SPSAGradient`` (zo-adam's estimator: ``T`` sphere directions,
  two-sided), i.e. directions generated, ``2T`` networks in ONE ``evaluate`` call, gradient
  assembled: what a training step costs apart from the update rule.
* ``loop``: the same estimator written as a plain Python loop over ``t = 1..T``: draw
  ``Δ_t``, evaluate the two networks ``θ ± cΔ_t``, accumulate.
* ``eval``: the forward passes alone, batched (``2T`` networks in one call) and looped
  (``T`` calls of 2 networks), with the achieved GFLOP/s (``2·MACs·N·2T / time``, forward
  matrix products only) next to this machine's float32 GEMM GFLOP/s measured in the same run.

Times are the minimum over repeats, the four timings of a configuration interleaved
round by round (the machine is shared; the minimum is the least noisy estimate of what
the code costs, and interleaving exposes both sides of each ratio to the same load).

Usage: ``python benchmarks/bench_mlp_spsa_step.py [--directions 1 10] [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from classical.specs import MnistConfig, build_mnist
from classical.supervised import SupervisedObjective
from zeroth_q.estimators import SPSAGradient

RESULTS = Path(__file__).parent / "results" / "bench_mlp_spsa_step.md"
MODELS = {"linear 784-10": (), "784-128-10": (128,)}
C = 0.01


def best_times(functions: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Minimum wall time of each function over ``repeats`` rounds; each round runs every
    function once, in turn, so that all see the same (shared, noisy) machine."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for round_ in range(repeats + 1):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            if round_:  # round 0 warms up caches and allocations
                times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def gemm_gflops(size: int = 2048, repeats: int = 5) -> float:
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    return 2 * size**3 / best_times({"gemm": lambda: a @ b}, repeats)["gemm"] / 1e9


def looped_spsa(
    objective: SupervisedObjective, theta: np.ndarray, batch: np.ndarray, count: int
) -> np.ndarray:
    """The SPSA estimate with one pair of networks per iteration (the non-vectorized baseline)."""
    rng = np.random.default_rng(0)
    gradient = np.zeros_like(theta)
    for _ in range(count):
        direction = rng.standard_normal(theta.size)
        direction /= np.linalg.norm(direction)
        plus, minus = objective.losses(
            np.stack([theta + C * direction, theta - C * direction]), objective.train, batch
        )
        gradient += (plus - minus) / (2 * C) * direction
    return gradient * theta.size / count


def measure(model: str, batch_size: int, count: int, repeats: int) -> dict[str, float]:
    objective = build_mnist(MnistConfig(hidden=MODELS[model], batch_size=batch_size))
    rng = np.random.default_rng(0)
    theta = objective.initial_point(rng)
    batch = rng.choice(len(objective.train), batch_size, replace=False)
    estimator = SPSAGradient(perturbations=count, distribution="sphere", c=C, gamma=0.0)
    points = theta + C * rng.standard_normal((2 * count, theta.size)) / np.sqrt(theta.size)
    pairs = [points[2 * t : 2 * t + 2] for t in range(count)]
    flops = 2 * objective.network.multiply_adds * batch_size * 2 * count
    times = best_times(
        {
            "step": lambda: estimator(objective, theta, 0, rng),
            "loop": lambda: looped_spsa(objective, theta, batch, count),
            "eval_vec": lambda: objective.losses(points, objective.train, batch),
            "eval_loop": lambda: [objective.losses(p, objective.train, batch) for p in pairs],
        },
        repeats,
    )
    return {
        **times,
        "gflops_vec": flops / times["eval_vec"] / 1e9,
        "gflops_loop": flops / times["eval_loop"] / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directions", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[50, 256])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    peak_before = gemm_gflops()
    rows = []
    for model in MODELS:
        for batch_size in args.batch_sizes:
            for count in args.directions:
                r = measure(model, batch_size, count, args.repeats)
                ms = {k: f"{r[k] * 1e3:.2f}" for k in ("step", "loop", "eval_vec", "eval_loop")}
                rows.append(
                    f"| {model} | {batch_size} | {count} | {ms['step']} | {ms['loop']} "
                    f"| {r['loop'] / r['step']:.1f}x | {ms['eval_vec']} | {ms['eval_loop']} "
                    f"| {r['eval_loop'] / r['eval_vec']:.1f}x | {r['gflops_vec']:.1f} "
                    f"| {r['gflops_loop']:.1f} |"
                )
                print(rows[-1], flush=True)
    peak_after = gemm_gflops()
    table = "\n".join(
        [
            "# SPSA step time on the MNIST MLP: vectorized over directions vs a plain loop",
            "",
            f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, NumPy {np.__version__}, "
            f"float32, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}. "
            f"This machine's float32 GEMM (2048², same run): {peak_before:.1f} GFLOP/s before, "
            f"{peak_after:.1f} GFLOP/s after the table. Times: minimum of {args.repeats} interleaved "
            "repeats, in ms.",
            "",
            "`step`: core `SPSAGradient` (T sphere directions, 2T networks in one `evaluate`); "
            "`loop`: the same estimate with a Python loop over T (2 networks per call); "
            "`eval`: forward passes only; GFLOP/s counts the forward matrix products.",
            "",
            "| model | batch | T | step ms | loop ms | loop/step | eval ms (batched) | eval ms (loop) "
            "| loop/batched | GFLOP/s batched | GFLOP/s loop |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
