"""Benchmark: the first-layer products of an SPSA step, in the step's layout and in two others.

A structured SPSA step (:mod:`classical.perturbed`) multiplies the shared mini-batch ``x``
(``N × d``) by the first-layer weights of ``k`` directions. Three ways to lay that out, each
timed with the drawing of the directions into its layout (Rademacher, float32), since a
layout is only as good as the fill that produces it:

* ``step``: what the step does, directions ``(k, d, h)`` as the random stream writes them
  (parameter order, ``W₁`` row-major ``d × h``), multiplied by
  :func:`classical.perturbed.first_layer_shifts` (``k`` stacked GEMMs; as ``(ΔW₁ᵀ xᵀ)ᵀ`` in
  blocks of 64 examples when ``h`` ≤ 32).
* ``concatenated``: ONE GEMM ``x · [ΔW₁⁽¹⁾ | … | ΔW₁⁽ᵏ⁾]`` with the directions side by side
  along the output axis, which needs a ``(d, k, h)`` buffer: the stream fills it through a
  strided view.
* ``out-major``: the same single GEMM if ``W₁`` were stored ``h × d`` (out-major, as
  ``torch.nn.Linear`` stores it): the stream's contiguous ``(k, h, d)`` block IS the
  ``(k·h) × d`` operand, so the concatenation costs nothing; computed as ``[ΔW₁ᵀ…] · xᵀ``.
  Not what the library does (its parameter layout is in-major): this measures what that
  layout change would buy.

Times: CPU time, one BLAS thread, minimum over interleaved rounds of the mean of
back-to-back calls (:func:`bench_mlp_spsa_step.best_times`).

Usage: ``python benchmarks/bench_first_layer_products.py``.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np
from bench_mlp_spsa_step import best_times, gemm_gflops
from threadpoolctl import threadpool_limits

from classical.perturbed import NARROW_WIDTH, first_layer_shifts
from zeroth_q.estimators.directions import DirectionStream

RESULTS = Path(__file__).parent / "results" / "bench_first_layer_products.md"
INPUTS = 784
# (examples N, width h, directions k): the linear model's T = 10 and 50, narrow and 128-wide
# hidden layers with the step's k = 1024 // h, at the two batch sizes of bench_mlp_spsa_step.
SHAPES = [(n, h, k) for n in (50, 256) for h, k in ((10, 10), (10, 50), (32, 32), (64, 16), (128, 8))]


def layouts(examples: int, width: int, count: int) -> dict[str, object]:
    """The three fill-and-multiply functions for one shape (same x, same random stream)."""
    x = np.random.default_rng(0).random((examples, INPUTS), dtype=np.float32)
    x_t = np.ascontiguousarray(x.T)
    dim = INPUTS * width
    stream = DirectionStream(0, dim, "rademacher", np.float32)
    in_major = np.empty((count, INPUTS, width), np.float32)
    side_by_side = np.empty((INPUTS, count, width), np.float32)
    out_major = np.empty((count * width, INPUTS), np.float32)

    def step() -> None:
        stream.fill([in_major])
        first_layer_shifts(x, x_t if width <= NARROW_WIDTH else None, in_major)

    def concatenated() -> None:
        stream.fill([side_by_side.transpose(1, 0, 2)])
        x @ side_by_side.reshape(INPUTS, count * width)

    def out_major_layout() -> None:
        stream.fill([out_major.reshape(count, dim)])
        out_major @ x_t

    return {"step": step, "concatenated": concatenated, "out-major": out_major_layout}


def main() -> None:
    clock = time.process_time
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        rate = gemm_gflops(clock)
        for examples, width, count in SHAPES:
            t = best_times(layouts(examples, width, count), 7, clock)
            flops = 2.0 * examples * INPUTS * width * count
            cells = [examples, width, count, *(f"{t[name] * 1e3:.3f}" for name in t)]
            cells += [f"{flops / t['step'] / 1e9:.0f}", f"{t['step'] / t['concatenated']:.2f}"]
            cells += [f"{t['step'] / t['out-major']:.2f}"]
            rows.append("| " + " | ".join(map(str, cells)) + " |")
            print(rows[-1], flush=True)
    table = "\n".join(
        [
            "# First-layer products of an SPSA step: the step's layout vs one concatenated GEMM",
            "",
            f"Machine: {platform.machine()}, NumPy {np.__version__}, one BLAS thread, float32, d = {INPUTS}; "
            f"1024² GEMM rate {rate:.1f} GFLOP/s in the same run. Each time includes drawing the k "
            "Rademacher directions into that layout. CPU ms per call; `GFLOP/s`: the step's products "
            "and fill together.",
            "",
            "| N | h | k | step ms | concatenated ms | out-major ms | step GFLOP/s | step / concatenated "
            "| step / out-major |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    RESULTS.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
