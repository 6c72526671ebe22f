"""Benchmark: sampled energies from counts of exact probabilities vs Aer's SamplerV2 vs exact.

TFIM (open, h = 1), hardware-efficient ansatz with reps = 2, B = 101 parameter rows (a
parameter-shift batch at n = 8 is 97 rows), 2 measurement groups, N shots per group.
One ``CircuitObjective.evaluate`` of the whole batch on each path, all through the objective:

* ``exact``: ``shots="exact"``, Aer EstimatorV2 expectations (the floor: one simulation per row).
* ``counts``: ``sampler="counts"`` (the default): one Aer statevector run of the batch, the
  X basis rotated in NumPy, counts per eigenvalue ~ Multinomial(N, q).
* ``SamplerV2``: ``sampler="primitive"``: Aer's SamplerV2 draws B·G·N bitstrings.

Noisy rows (n ∈ {4, 8}): ``noise="depolarizing"`` with λ_1q = 1e-3, λ_2q = 1e-2, readout
flips 1e-2: counts from Aer density matrices vs SamplerV2 with the same noise model; the
``exact`` column stays the noiseless expectation (the reference of the ratio).

SamplerV2 is skipped where one call is predicted (linearly in N from the last N measured)
to exceed ``SAMPLER_LIMIT`` seconds. Times are minima over interleaved repeats, so load
changes on the shared machine hit all columns alike; ratios are between columns of one run.
Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_sampling.py [--qubits 4 8 12]``.
"""

from __future__ import annotations

import argparse
import os
import platform
from functools import partial
from pathlib import Path

import numpy as np
import qiskit_aer
from bench_vqe_spsa_step import best_times

from circuits.specs import VQEConfig
from circuits.vqe import build_vqe

RESULTS = Path(__file__).parent / "results" / "bench_sampling.md"
ROWS = 101
SHOTS = (10**2, 10**3, 10**4, 10**5)
SAMPLER_LIMIT = 30.0
NOISE = {"noise": "depolarizing", "depolarizing_1q": 1e-3, "depolarizing_2q": 1e-2, "readout_error": 1e-2}
NOISY_QUBITS = (4, 8)


def evaluate(objective, thetas: np.ndarray, rng: np.random.Generator) -> None:
    objective.evaluate(thetas, rng)


def measure(qubits: int, noisy: bool, sampler_limit: float) -> list[dict[str, object]]:
    noise = NOISE if noisy else {}
    base = {"problem": "tfim", "qubits": qubits, "reps": 2}
    exact = build_vqe(VQEConfig(**base, shots="exact"))
    rng = np.random.default_rng(0)
    thetas = rng.normal(size=(ROWS, exact.dim))
    rows, sampler_seconds, last_shots = [], None, None
    for shots in SHOTS:
        counts = build_vqe(VQEConfig(**base, shots=shots, **noise))
        fns = {
            "exact": partial(evaluate, exact, thetas, rng),
            "counts": partial(evaluate, counts, thetas, rng),
        }
        predicted = None if sampler_seconds is None else sampler_seconds * shots / last_shots
        if predicted is None or predicted < sampler_limit:
            primitive = build_vqe(VQEConfig(**base, shots=shots, sampler="primitive", **noise))
            fns["sampler"] = partial(evaluate, primitive, thetas, rng)
        times = best_times(fns, budget=4.0, rounds=(1, 20))
        if "sampler" in times:
            sampler_seconds, last_shots = times["sampler"], shots
        row = {"n": qubits, "noise": "depolarizing" if noisy else "none", "N": shots, "sampler": None}
        row |= times
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


def machine_note(sampler_limit: float) -> str:
    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"qiskit-aer {qiskit_aer.__version__}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"load average {os.getloadavg()[0]:.1f} at the end. B = {ROWS} rows, 2 groups; minimum over "
        f"interleaved repeats, all columns side by side in one run; SamplerV2 skipped (—) where one call "
        f"would take > {sampler_limit:.0f} s."
    )


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{1e3 * seconds:.1f}"


def ratio(a: float | None, b: float) -> str:
    return "—" if a is None else f"{a / b:.2f}"


HEADER = (
    "| n | noise | N | exact (ms) | counts (ms) | counts / exact | SamplerV2 (ms) | SamplerV2 / counts |\n"
    "|---|---|---|---|---|---|---|---|"
)


def format_row(row: dict[str, object]) -> str:
    return (
        f"| {row['n']} | {row['noise']} | {row['N']:.0e} | {ms(row['exact'])} | {ms(row['counts'])} "
        f"| {ratio(row['counts'], row['exact'])} | {ms(row['sampler'])} "
        f"| {ratio(row['sampler'], row['counts'])} |"
    )


def summary(rows: list[dict[str, object]]) -> str:
    """The three targets of issue 13, read off the table."""
    clean = [r for r in rows if r["noise"] == "none"]
    worst = max(r["counts"] / r["exact"] for r in clean)
    lines = [f"* counts / exact, worst over every noiseless n and N: {worst:.2f} (target ≤ 1.5)"]
    for r in clean:
        if r["N"] == 10**4 and r["sampler"] is not None:
            lines.append(f"* n = {r['n']}, N = 1e4: SamplerV2 / counts = {r['sampler'] / r['counts']:.1f}")
    for n in sorted({r["n"] for r in rows}):
        for noise in ("none", "depolarizing"):
            by_shots = {r["N"]: r["counts"] for r in rows if r["n"] == n and r["noise"] == noise}
            if by_shots:
                growth = by_shots[SHOTS[-1]] / by_shots[SHOTS[0]]
                lines.append(f"* n = {n}, noise {noise}: counts time at N = 1e5 / at N = 1e2 = {growth:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 8, 12])
    parser.add_argument(
        "--sampler-limit", type=float, default=SAMPLER_LIMIT, help="seconds per SamplerV2 call"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    print(HEADER)
    rows = [
        row
        for n in args.qubits
        for noisy in (False, True)
        if not noisy or n in NOISY_QUBITS
        for row in measure(n, noisy, args.sampler_limit)
    ]
    text = "\n".join([HEADER, *map(format_row, rows)]) + "\n\n" + summary(rows)
    print("\n" + summary(rows))
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(
        "# Sampled energies: counts of exact probabilities vs Aer SamplerV2 vs exact (TFIM, reps=2)\n\n"
        + machine_note(args.sampler_limit)
        + "\n\n"
        + text
        + "\n"
    )
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
