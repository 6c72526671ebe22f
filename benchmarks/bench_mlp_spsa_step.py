"""Benchmark 1: one SPSA step on the MNIST MLP vs the GEMM floor and vs a loop over directions.

For each model (linear 784-10; 784-128-10; 784-128-64-10; 784-1270-10 with 1.01M
parameters), batch size, number of directions ``T`` and one-/two-sided estimator, on the same
parameters, under one BLAS thread and under the machine's default (threadpoolctl), in one run:

* ``step``: the core's ``SPSAGradient`` (Rademacher directions, the estimator's whole step:
  directions, the ``B = 2T`` or ``T + 1`` networks, the gradient), which uses the MLP's
  structured evaluation (:mod:`classical.perturbed`).
* ``floor``: the forward FLOPs of the ``B`` networks (``2·MACs·N·B``) divided by this machine's
  float32 GEMM rate measured in the same run under the same thread count and clock (1024² ``sgemm``).
  The structured step does fewer FLOPs than this (the first layer is computed for ``T`` +1
  networks, not ``B``), so it can beat the floor; ``done`` is the floor of the FLOPs it does.
* ``loop``: the same estimator as a plain Python loop over ``t = 1..T``: draw ``Δ_t``,
  evaluate ``θ ± cΔ_t`` (one call of 2 networks; one-sided: 1 network after the centre),
  accumulate ``(f⁺ - f⁻)Δ_t``.

A second table: for T = 50 one-sided, what such a step cannot avoid, timed alone at its own
shapes (:func:`one_sided_parts`): the first-layer products at the rate BLAS reaches on them,
drawing the directions, the combination GEMV, and the least step/floor they allow.

A third table: the peak memory (``tracemalloc``) of one SPSA step on a 784-3150-10 MLP
(``P`` = 2.50M) with ``T`` = 100, against ``4·P·4`` bytes plus the mini-batch activations.

Times are the minimum over repeats of the mean of back-to-back calls (at least 10 ms of them,
as the steps of a training run), the timings of a configuration interleaved round by round
(the machine is shared; the minimum is the least noisy estimate of what the code costs, and
interleaving exposes both sides of each ratio to the same load). With one BLAS thread they
are CPU times (``process_time``): on the shared machine a step of 100 ms is preempted
several times, so its wall time says more about the load than about the code. With several
threads they are wall times, and as noisy as the load.

Usage: ``python benchmarks/bench_mlp_spsa_step.py [--models linear] [--directions 10 50]``.
"""

from __future__ import annotations

import argparse
import math
import platform
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from classical.perturbed import NARROW_WIDTH, Workspace, accumulate, chunk_size, first_layer_shifts
from classical.specs import MnistConfig, build_mnist
from classical.supervised import SupervisedObjective
from zeroth_q.estimators import SPSAGradient
from zeroth_q.estimators.directions import DirectionStream
from zeroth_q.objective import Perturbations

RESULTS = Path(__file__).parent / "results" / "bench_mlp_spsa_step.md"
MODELS = {"linear": (), "784-128-10": (128,), "784-128-64-10": (128, 64), "784-1270-10": (1270,)}
C = 0.01
PARTS_T = 50  # directions in the table of what a one-sided step cannot avoid


def best_times(
    functions: dict[str, Callable[[], object]],
    repeats: int,
    clock: Callable[[], float] = time.perf_counter,
    min_seconds: float = 0.01,
) -> dict[str, float]:
    """Minimum over ``repeats`` rounds of each function's mean time per call; each round runs
    every function in turn, so that all see the same (shared, noisy) machine.

    A round times ``n`` back-to-back calls of a function, ``n`` set from the warm-up round so
    that they last ``min_seconds`` (at least one call): a training loop runs its steps back to
    back, while one ~1 ms call timed right after the other function mostly measures its caches
    refilling (linear, batch 50, T = 50 one-sided: 1.47 ms as single calls vs 0.86 ms back to
    back; the epoch of ``bench_mnist_one_epoch.py`` spends 1.04 ms per step with Adam and the
    loop included)."""
    calls: dict[str, int] = {}
    for name, fn in functions.items():  # round 0 warms up caches and allocations
        start = clock()
        fn()
        calls[name] = max(1, math.ceil(min_seconds / max(clock() - start, 1e-9)))
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = clock()
            for _ in range(calls[name]):
                fn()
            times[name].append((clock() - start) / calls[name])
    return {name: min(values) for name, values in times.items()}


def gemm_gflops(clock: Callable[[], float], size: int = 1024, repeats: int = 10) -> float:
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    return 2 * size**3 / best_times({"gemm": lambda: a @ b}, repeats, clock)["gemm"] / 1e9


def looped_spsa(
    objective: SupervisedObjective, theta: np.ndarray, batch: np.ndarray, count: int, one_sided: bool
) -> np.ndarray:
    """The SPSA estimate with one or two networks per iteration (the non-vectorized baseline)."""
    stream = DirectionStream(0, theta.size, "rademacher")
    gradient = np.zeros_like(theta)
    centre = objective.losses(theta[None], objective.train, batch)[0] if one_sided else 0.0
    for _ in range(count):
        direction = stream.block(1)[0]
        points = [theta + C * direction] if one_sided else [theta + C * direction, theta - C * direction]
        values = objective.losses(np.stack(points), objective.train, batch)
        gradient += (values[0] - (centre if one_sided else values[1])) * direction
    return gradient / (count * C * (1 if one_sided else 2))


def flops(objective: SupervisedObjective, count: int, one_sided: bool) -> tuple[float, float]:
    """Forward FLOPs of the ``B`` networks, and of the structured step (first layer ``T + 1``)."""
    network, batch = objective.network, objective.batch_size
    rows = count + 1 if one_sided else 2 * count
    first = network.sizes[0] * network.sizes[1]
    later = network.multiply_adds - first
    return 2.0 * network.multiply_adds * batch * rows, 2.0 * batch * (first * (count + 1) + later * rows)


def measure(
    objective: SupervisedObjective, count: int, one_sided: bool, repeats: int, clock: Callable[[], float]
) -> dict[str, float]:
    batch_size = objective.batch_size
    rng = np.random.default_rng(0)
    theta = objective.initial_point(rng)
    batch = rng.choice(len(objective.train), batch_size, replace=False)
    estimator = SPSAGradient(perturbations=count, one_sided=one_sided, c=C, gamma=0.0)
    return best_times(
        {
            "step": lambda: estimator(objective, theta, 0, rng),
            "loop": lambda: looped_spsa(objective, theta, batch, count, one_sided),
        },
        repeats,
        clock,
    )


def one_sided_parts(
    objective: SupervisedObjective, count: int, repeats: int, clock: Callable[[], float], rate: float
) -> dict[str, float]:
    """What a one-sided step cannot avoid, timed alone at its own shapes and chunks: the ``T``
    first-layer products ``c·x ΔW₁`` (as :func:`classical.perturbed.first_layer_shifts` runs
    them, on freshly drawn directions), drawing the ``T·P`` signs, and the combination GEMV
    over them (:func:`classical.perturbed.accumulate`). One-sided, the structured step computes
    the first layer for all ``T + 1`` networks, so it does the floor's FLOPs, and its time is at
    least ``bound`` = (products at their own rate + draw + GEMV) / floor, whatever the rest of
    the code costs."""
    network, dtype = objective.network, objective.dtype
    _, fan_in, width, head = network.layer_offsets[0]
    described = Perturbations(0, count, "rademacher", C, False, True)
    k = chunk_size(network, described, dtype, objective.direction_memory)
    x = objective.train.features(np.arange(objective.batch_size), dtype) * dtype.type(C)
    x_t = np.ascontiguousarray(x.T) if width <= NARROW_WIDTH else None
    directions = np.empty((k, network.dim), dtype)
    weights, combination = np.ones(k, dtype), np.zeros(network.dim)
    stream = DirectionStream(0, network.dim, "rademacher", dtype)
    chunks = [min(k, count - start) for start in range(0, count, k)]

    def draw() -> None:
        for rows in chunks:
            stream.fill([directions[:rows]])

    def multiply() -> None:
        for rows in chunks:
            stream.fill([directions[:rows]])  # fresh directions, as in the step; drawing subtracted
            first_layer_shifts(x, x_t, directions[:rows, :head].reshape(rows, fan_in, width))

    def combine() -> None:
        for rows in chunks:
            accumulate(combination, directions[:rows], weights[:rows])

    t = best_times({"draw": draw, "multiply": multiply, "combine": combine}, repeats, clock)
    products = max(t["multiply"] - t["draw"], 1e-12)
    gflops = 2.0 * objective.batch_size * fan_in * width * count / products / 1e9
    floor = flops(objective, count, True)[0] / rate / 1e9
    bound = (products * (count + 1) / count + t["draw"] + t["combine"]) / floor
    return {
        "gflops": gflops,
        "products": products,
        "draw": t["draw"],
        "combine": t["combine"],
        "bound": bound,
    }


def peak_memory(count: int = 100, hidden: int = 3150, batch_size: int = 50) -> dict[str, float]:
    """tracemalloc peak of one two-sided SPSA step at P ≈ 2.5M, beside θ and the data."""
    objective = build_mnist(MnistConfig(hidden=(hidden,), batch_size=batch_size))
    rng = np.random.default_rng(0)
    theta = objective.initial_point(rng)
    estimator = SPSAGradient(perturbations=count, c=C, gamma=0.0)
    estimator(objective, theta, 0, rng)  # imports and one-time caches
    objective.workspace = Workspace()  # the step's reused buffers count: allocated again below
    tracemalloc.start()
    start = time.perf_counter()
    estimator(objective, theta, 0, rng)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    dim = objective.dim
    activations = 4 * batch_size * (hidden + 10) * 4 * 2  # pre-activations + temporaries, 2 networks
    bound = 4 * dim * 4 + activations
    return {"dim": dim, "peak": peak, "bound": bound, "activations": activations, "s": seconds}


def blas_threads() -> int:
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--directions", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[50, 256])
    parser.add_argument("--threads", nargs="+", default=["1", "default"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true", help="skip the 2.5M-parameter memory table")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args()

    default_threads = blas_threads()
    memory = [] if args.no_memory else [peak_memory()]
    rows: list[str] = []
    parts: list[str] = []
    rates: list[str] = []
    for threads in args.threads:
        limit = 1 if threads == "1" else default_threads
        # One thread: CPU time, what the code costs whatever the shared machine's load.
        # Several: wall time (CPU time would add the threads up).
        clock = time.process_time if limit == 1 else time.perf_counter
        with threadpool_limits(limits=limit, user_api="blas"):
            rate = gemm_gflops(clock)
            rates.append(f"{limit} thread(s): {rate:.1f}")
            for model in args.models:
                repeats = max(2, args.repeats // 2) if model == "784-1270-10" else args.repeats
                for batch_size in args.batch_sizes:
                    m = one_sided_parts(build_mnist_cached(model, batch_size), PARTS_T, repeats, clock, rate)
                    cells = [limit, model, batch_size, f"{m['gflops']:.1f}", f"{m['gflops'] / rate:.2f}"]
                    cells += [f"{m[key] * 1e3:.2f}" for key in ("products", "draw", "combine")]
                    parts.append("| " + " | ".join(map(str, cells + [f"{m['bound']:.2f}"])) + " |")
                    print(parts[-1], flush=True)
                    for count in args.directions:
                        for one_sided in (True, False):
                            objective = build_mnist_cached(model, batch_size)
                            r = measure(objective, count, one_sided, repeats, clock)
                            naive, done = flops(objective, count, one_sided)
                            floor, floor_done = naive / rate / 1e9, done / rate / 1e9
                            cells = [limit, model, batch_size, count, "one" if one_sided else "two"]
                            step, loop = r["step"], r["loop"]
                            cells += [f"{step * 1e3:.2f}", f"{floor * 1e3:.2f}", f"{step / floor:.2f}"]
                            cells += [f"{step / floor_done:.2f}", f"{loop * 1e3:.2f}", f"{loop / step:.1f}"]
                            rows.append("| " + " | ".join(map(str, cells)) + " |")
                            print(rows[-1], flush=True)
                            write_table(
                                args.results, args.repeats, rates, rows, parts, memory
                            )  # partial table
    print(write_table(args.results, args.repeats, rates, rows, parts, memory))


def write_table(
    path: Path,
    repeats: int,
    rates: list[str],
    rows: list[str],
    parts: list[str],
    memory: list[dict[str, float]],
) -> str:
    table = "\n".join(
        [
            "# One SPSA step on the MNIST MLP: vs the GEMM floor and vs a loop over directions",
            "",
            f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, NumPy {np.__version__}, "
            f"float32, Rademacher, c = {C}. float32 GEMM rate (1024², same run and clock), GFLOP/s: "
            f"{'; '.join(rates)}. Times: minimum of interleaved repeats ({repeats}; half for "
            "784-1270-10) of the mean time per call over at least 10 ms of back-to-back calls, in ms, on "
            "a shared 2-core machine under load from other jobs: CPU time with 1 BLAS thread, wall time "
            "with more.",
            "",
            "`step`: `SPSAGradient` on the objective (structured evaluation). `floor`: forward FLOPs of the "
            "B networks / GEMM rate. `step/done`: step over the floor of the FLOPs the structured step does "
            "(first layer for T+1 networks). `loop`: Python loop over directions (1-2 networks per call).",
            "",
            "| BLAS threads | model | batch | T | sides | step ms | floor ms | step/floor | step/done "
            "| loop ms | loop/step |",
            "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"## What a one-sided step cannot avoid, T = {PARTS_T}, timed alone at the step's own shapes",
            "",
            "The T first-layer products c·xΔW₁ as the step runs them (stacked GEMMs on freshly drawn "
            "directions, in the step's chunks), drawing the T·P signs, and the combination GEMV over them. "
            "`bound`: (products for T+1 networks at their own rate + draw + GEMV) / floor, the least "
            "step/floor a one-sided step can reach, whatever the rest of the code costs.",
            "",
            "| BLAS threads | model | batch | products GFLOP/s | of 1024² rate | products ms | draw ms "
            "| GEMV ms | bound |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
            *parts,
            "",
            *(
                [
                    "## Peak memory of one SPSA step (tracemalloc), T = 100, two-sided, batch 50",
                    "",
                    "| P | peak MB | 4·P·4 B + activations, MB | activations MB | step s (wall) |",
                    "|---:|---:|---:|---:|---:|",
                    *(
                        f"| {m['dim']:,} | {m['peak'] / 2**20:.1f} | {m['bound'] / 2**20:.1f} "
                        f"| {m['activations'] / 2**20:.1f} | {m['s']:.2f} |"
                        for m in memory
                    ),
                ]
                if memory
                else []
            ),
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table + "\n")
    return table


_BUILT: dict[tuple[str, int], SupervisedObjective] = {}


def build_mnist_cached(model: str, batch_size: int) -> SupervisedObjective:
    key = (model, batch_size)
    if key not in _BUILT:
        _BUILT[key] = build_mnist(MnistConfig(hidden=MODELS[model], batch_size=batch_size))
    return _BUILT[key]


if __name__ == "__main__":
    main()
