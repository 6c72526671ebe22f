"""Benchmark: the noisy counts path before and after a change, beside the noiseless one (issue 27).

One ``CircuitObjective.evaluate`` of B = 101 rows (TFIM, HEA reps = 2, N = 1,000 shots per
group) on the counts path, noiseless and with ``noise="depolarizing"`` (λ_1q = 1e-3,
λ_2q = 1e-2, readout 1e-2), for the code of each source tree given (e.g. ``/work/main`` before,
this worktree after): each tree runs in its own subprocess, the trees alternate and each time
is the minimum over the repeats, so load changes on the shared machine hit both alike. The
ratio noisy / noiseless is the figure of merit (the issue's target: <= 3 at n <= 8).

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_noisy_before_after.py --trees before=/path after=.``;
appends a section to ``benchmarks/results/bench_sampling.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "bench_sampling.md"
ROWS = 101
NOISE = {"noise": "depolarizing", "depolarizing_1q": 1e-3, "depolarizing_2q": 1e-2, "readout_error": 1e-2}


def measure(qubits: int) -> dict[str, float]:
    """In the subprocess: seconds of one noiseless and one noisy evaluate (after a warm-up)."""
    import numpy as np

    from circuits.config import VQEConfig
    from circuits.vqe import build_vqe

    rng = np.random.default_rng(0)
    times = {}
    for name, noise in (("noiseless", {}), ("noisy", NOISE)):
        objective = build_vqe(VQEConfig(problem="tfim", qubits=qubits, reps=2, shots=1000, **noise))
        thetas = rng.normal(size=(ROWS, objective.dim))
        objective.evaluate(thetas[:2], rng)  # warm-up: the spectra, the first Aer call
        started = time.perf_counter()
        objective.evaluate(thetas, rng)
        times[name] = time.perf_counter() - started
    return times


def run(tree: Path, qubits: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", str(qubits)]
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs="+", default=["after=."], help="NAME=PATH of a source tree")
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    trees = dict(item.split("=", 1) for item in args.trees)
    best: dict[tuple[str, int], dict[str, float]] = {}
    for _ in range(args.repeats):
        for qubits in args.qubits:
            for name, path in trees.items():
                times = run(Path(path), qubits)
                previous = best.get((name, qubits), times)
                best[(name, qubits)] = {k: min(v, previous[k]) for k, v in times.items()}
    lines = [
        "",
        "## Noisy counts before / after issue 27 (bench_noisy_before_after.py)",
        "",
        f"x86_64, {os.cpu_count()} cores shared, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
        f"load average {os.getloadavg()[0]:.1f} at the end; B = {ROWS} rows, N = 1,000, one evaluate, "
        f"minimum over {args.repeats} interleaved repeats, each tree in its own subprocess.",
        "",
        "| n | code | noiseless counts (ms) | depolarizing counts (ms) | noisy / noiseless |",
        "|---|---|---:|---:|---:|",
    ]
    for qubits in args.qubits:
        for name in trees:
            t = best[(name, qubits)]
            lines.append(
                f"| {qubits} | {name} | {1e3 * t['noiseless']:.1f} | {1e3 * t['noisy']:.1f} | "
                f"{t['noisy'] / t['noiseless']:.1f} |"
            )
    print("\n".join(lines))
    with RESULTS.open("a") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
