"""Benchmark: TFIM at n = 12-24 qubits on one machine, zeroth-q beside bare Aer and qiskit-algorithms.

The default problem and ansatz (open TFIM, h = 1; hardware-efficient ansatz, reps = 2,
P = 6n parameters), each configuration in a fresh subprocess so that start-up and peak memory
(``resource.getrusage``, the process's maximum resident set) are its own:

* ``zeroth-q``: ``build_vqe`` with the defaults (1,000 shots per group, counts drawn from
  Aer's outcome probabilities), one SPSA step's batch (2 rows) per ``evaluate``.
* ``zeroth-q exact``: the same with ``shots="exact"`` (Aer EstimatorV2 inside).
* ``Aer EstimatorV2``: a bare ``qiskit_aer.primitives.EstimatorV2().run([(circuit, H, thetas)])``
  on the same circuit and Hamiltonian, the same 2 rows.
* ``qiskit-algorithms VQE``: ``VQE(EstimatorV2(), circuit, SPSA(maxiter, learning_rate=0.01,
  perturbation=0.1))`` (gains given, so no calibration); time per step = the whole
  ``compute_minimum_eigenvalue`` / maxiter (each step evaluates 2 points; VQE adds a final one).

Start-up: from the subprocess's first line to the objective (or circuit and operator) built,
imports and the measured eigenvalue classes (computed on first use) included. Per step: the
minimum over repeats (fewer at n = 24). Then the command line itself, ``python -m zeroth_q.run
--objective vqe --set problem=tfim --set qubits=N --optimizer spsa --steps 3`` under
``/usr/bin/time -v`` (wall including start-up and SPSA's 50-row gain calibration; peak RSS), for
the n given by ``--cli`` (``N``, or ``N:key=value,...`` for more ``--set``: at n = 24
``calibration_steps=2`` keeps the calibration to 4 rows, as 50 rows of 24 qubits take ~15 CPU
minutes).

Usage: ``python benchmarks/bench_scale.py [--qubits 12 16 20 24] [--cli 20 24:calibration_steps=2]``;
writes ``benchmarks/results/bench_scale.md`` after every row (a kill loses nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "bench_scale.md"
METHODS = ("zeroth-q", "zeroth-q exact", "Aer EstimatorV2", "qiskit-algorithms VQE")
ROWS = 2  # one SPSA step's batch: θ ± c Δ


def repeats(qubits: int) -> int:
    return 1 if qubits >= 24 else 3


def measure(method: str, qubits: int) -> dict[str, float]:
    """Run in the subprocess: start-up, seconds per step, peak RSS of this process."""
    import resource

    import numpy as np

    rng = np.random.default_rng(0)
    if method.startswith("zeroth-q"):
        from circuits.config import VQEConfig
        from circuits.vqe import build_vqe

        shots = "exact" if method.endswith("exact") else 1000
        objective = build_vqe(VQEConfig(problem="tfim", qubits=qubits, shots=shots))
        getattr(objective.shot_model, "spectra", None)  # eigenvalue classes, computed on first use
        startup = time.perf_counter() - START
        thetas = objective.initial_point(rng) + 0.1 * rng.choice([-1.0, 1.0], size=(ROWS, objective.dim))

        def step() -> float:
            started = time.perf_counter()
            objective.evaluate(thetas, rng)
            return time.perf_counter() - started

    else:
        from qiskit_aer.primitives import EstimatorV2

        from circuits.ansatze import ansatz_spec
        from circuits.config import VQEConfig
        from circuits.problems import problem_spec
        from circuits.qiskit_circuit import to_qiskit

        config = VQEConfig(problem="tfim", qubits=qubits)
        problem = problem_spec("tfim").build(problem_spec("tfim").parameters_from(config))
        circuit = to_qiskit(ansatz_spec("hea").build(problem, ansatz_spec("hea").parameters_from(config)))
        hamiltonian = problem.hamiltonian
        startup = time.perf_counter() - START
        thetas = 0.1 * rng.standard_normal((ROWS, circuit.num_parameters))
        if method == "Aer EstimatorV2":

            def step() -> float:
                started = time.perf_counter()
                EstimatorV2().run([(circuit, hamiltonian, thetas)]).result()
                return time.perf_counter() - started

        else:
            from qiskit_algorithms import VQE
            from qiskit_algorithms.optimizers import SPSA

            maxiter = 2

            def step() -> float:
                optimizer = SPSA(maxiter=maxiter, learning_rate=0.01, perturbation=0.1)
                vqe = VQE(EstimatorV2(), circuit, optimizer, initial_point=thetas[0])
                started = time.perf_counter()
                vqe.compute_minimum_eigenvalue(hamiltonian)
                return (time.perf_counter() - started) / maxiter

    times = [step() for _ in range(repeats(qubits))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"startup": startup, "step": min(times), "peak": peak}


def run_subprocess(method: str, qubits: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", method, str(qubits)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_cli(qubits: int, settings: list[str]) -> dict[str, float]:
    """The command line's own run under /usr/bin/time -v: wall, peak RSS, loop start;
    ``settings``: more ``--set`` assignments."""
    with tempfile.TemporaryDirectory() as directory:
        command = [
            "/usr/bin/time", "-v", sys.executable, "-m", "zeroth_q.run", "--objective", "vqe",
            "--set", "problem=tfim", "--set", f"qubits={qubits}", "--optimizer", "spsa", "--steps", "3",
            "--out", f"{directory}/run", "--no-progress",
            *[part for setting in settings for part in ("--set", setting)],
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        wall = time.perf_counter() - started
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) * 1024
        history = (Path(directory) / "run" / "history.csv").read_text().splitlines()
        column = history[0].split(",").index("wall_time")
        loop = [float(line.split(",")[column]) for line in history[1:]]
    return {"wall": wall, "peak": peak, "step0": loop[0], "steps": (loop[-1] - loop[0]) / (len(loop) - 1)}


def gb(size: float) -> str:
    return f"{size / 2**30:.2f}"


def write(rows: list[str], cli_rows: list[str]) -> None:
    load = os.getloadavg()[0]
    text = [
        "# TFIM at 12-24 qubits: zeroth-q beside a bare Aer EstimatorV2 and qiskit-algorithms' VQE + SPSA",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs (load average "
        f"{load:.1f} when this was written), Python {platform.python_version()}, {_versions()}. Open TFIM "
        f"(h = 1), hardware-efficient ansatz reps = 2 (P = 6n). Each row is a fresh subprocess; step = "
        f"one SPSA step's {ROWS} rows, minimum over {repeats(12)} repeats ({repeats(24)} at n = 24); peak "
        "= the process's maximum RSS. Absolute seconds move with the load of the shared box: compare "
        "within a row.",
        "",
        "| n | method | start-up (s) | per step (s) | peak RSS (GB) |",
        "|---|---|---:|---:|---:|",
        *rows,
    ]
    if cli_rows:
        text += [
            "",
            "## The command line: `python -m zeroth_q.run --objective vqe --set problem=tfim "
            "--set qubits=N --optimizer spsa --steps 3`",
            "",
            "Wall: the whole process under `/usr/bin/time -v` (start-up, SPSA's 50-row gain calibration "
            "at step 0, 3 steps, metrics, end files). Targets (issue 27): n = 20 in <= 90 s and <= 2.5 GB.",
            "",
            "| n | more settings | wall (s) | loop at step 0 (s) | per later step (s) | peak RSS (GB) |",
            "|---|---|---:|---:|---:|---:|",
            *cli_rows,
        ]
    RESULTS.write_text("\n".join(text) + "\n")


def _versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{p} {version(p)}" for p in ("qiskit", "qiskit-aer", "qiskit-algorithms"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[12, 16, 20, 24])
    parser.add_argument(
        "--cli", nargs="*", default=["20"], help="command-line runs: N or N:key=value,key=value (more --set)"
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "QUBITS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    rows: list[str] = []
    cli_rows: list[str] = []
    for qubits in args.qubits:
        for method in args.methods:
            result = run_subprocess(method, qubits)
            rows.append(
                f"| {qubits} | {method} | {result['startup']:.1f} | {result['step']:.2f} | "
                f"{gb(result['peak'])} |"
            )
            print(rows[-1], flush=True)
            write(rows, cli_rows)
    for item in args.cli:
        qubits, _, settings = item.partition(":")
        result = run_cli(int(qubits), settings.split(",") if settings else [])
        cli_rows.append(
            f"| {qubits} | {settings or '(defaults)'} | {result['wall']:.1f} | {result['step0']:.1f} | "
            f"{result['steps']:.2f} | {gb(result['peak'])} |"
        )
        print(cli_rows[-1], flush=True)
        write(rows, cli_rows)
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
