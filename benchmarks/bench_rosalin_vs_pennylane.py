"""Benchmark: zeroth-q ``rosalin`` against PennyLane's ``qml.ShotAdaptiveOptimizer`` (Rosalin).

Issue 14 §3. Same problem (TFIM n=4, h=1, open chain; H2 in STO-3G, 4-qubit Jordan-Wigner),
same hardware-efficient ansatz (``circuits.ansatz.hardware_efficient(4, reps=1)``, P=16, the
same gate list rendered on both libraries), same initial point per seed (θ ~ N(0, 0.1²) from
``numpy.random.default_rng(seed)``), same Rosalin settings: ``min_shots=10``, μ=0.99,
b=1e-6, weighted random sampling of terms, step size ``LR[problem]`` (below 2/L for both).

Three optimizers per seed:

* ``pennylane``: ``qml.ShotAdaptiveOptimizer(min_shots, term_sampling="weighted_random_sampling",
  stepsize)`` on a ``default.qubit`` QNode measuring ``qml.expval(H)``; shots are its own
  ``total_shots_used``.
* ``ours-terms``: zeroth-q ``rosalin`` sampling single Pauli terms, as PennyLane does (every
  term is its own measured group), on Aer's sampler.
* ``ours-groups``: zeroth-q ``rosalin`` on the objective's qubit-wise commuting groups (the
  default ``vqe`` objective): one shot of a group measures all its terms.

Recorded after every step: cumulative shots and the exact energy error of the iterate
(statevector, not charged). The table gives, at fixed cumulative shots, the median energy
error over seeds [min, max] (the last iterate at or below that many shots), and the wall time
per step (median over all steps). Each (problem, seed) is one job that runs the three
optimizers one after the other in one process, so both libraries' step times are measured
under the same load; jobs run in a process pool (``--workers``).

Usage: ``python benchmarks/bench_rosalin_vs_pennylane.py [--seeds 5] [--steps 40] [--workers 2] [--quick]``.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pennylane as qml
from pennylane import numpy as pnp
from qiskit.quantum_info import SparsePauliOp

from circuits.ansatz import hardware_efficient
from circuits.grouping import qubit_wise_groups
from circuits.objective import CircuitObjective, ShotAllocatingCircuitObjective
from circuits.pennylane_backend import pennylane_operations
from circuits.pennylane_circuit import to_pennylane
from circuits.qiskit_backend import QiskitBackend
from circuits.qiskit_circuit import circuit_frequencies, to_qiskit
from circuits.shot_models import SampledMeasurement
from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import Budget, minimize

RESULTS = Path(__file__).parent / "results" / "rosalin_vs_pennylane.md"
PROBLEMS = {
    "tfim": VQEConfig(problem="tfim", qubits=4, reps=1),
    "h2": VQEConfig(problem="h2", qubits=4, reps=1),
}
LR = {"tfim": 0.07, "h2": 0.3}
MIN_SHOTS = 10
CHECKPOINTS = (1_000, 2_000, 5_000, 10_000, 20_000)


def single_term_objective(config: VQEConfig) -> CircuitObjective:
    """The ``vqe`` objective with every Pauli term measured on its own (PennyLane's terms)."""
    grouped = build_vqe(config)
    offset, _ = qubit_wise_groups(grouped.hamiltonian)
    hamiltonian = grouped.hamiltonian.simplify()
    terms = [SparsePauliOp(p, c) for p, c in zip(hamiltonian.paulis, hamiltonian.coeffs, strict=True)]
    groups = tuple(g for term in terms for g in qubit_wise_groups(term)[1])
    model = SampledMeasurement(config.shots, offset, groups)
    circuit = to_qiskit(hardware_efficient(config.qubits, config.reps))
    backend = QiskitBackend(circuit, hamiltonian, (), model.bases)
    return ShotAllocatingCircuitObjective(
        backend, model, hamiltonian, grouped.dim, lambda: circuit_frequencies(circuit)
    )


def run_ours(objective: CircuitObjective, x0: np.ndarray, lr: float, steps: int, seed: int) -> dict:
    result = minimize(
        objective,
        "rosalin",
        Budget(steps=steps),
        optimizer_params={"lr": lr, "min_shots": MIN_SHOTS},
        seed=seed,
        x0=x0,
        metrics_every=1,
    )
    rows = result.history[:-1]  # the last row is the loop's own final evaluation
    shots = np.array([r["shots"] for r in rows])
    errors = np.array([r["energy_error"] for r in rows[1:]] + [result.metrics["energy_error"]])
    times = np.diff([0.0] + [r["wall_time"] for r in rows])
    return {"shots": shots, "errors": errors, "step_time": float(np.median(times))}


def run_pennylane(
    objective: CircuitObjective, config: VQEConfig, x0: np.ndarray, lr: float, steps: int, seed: int
) -> dict:
    """PennyLane's Rosalin from ``x0``; errors measured exactly by ``objective.metrics``."""
    circuit = hardware_efficient(config.qubits, config.reps)
    # Without the identity term (PennyLane cannot sample an expectation of a wireless
    # Identity); a constant shifts neither the gradient nor the errors, measured by ``objective``.
    _, groups = qubit_wise_groups(objective.hamiltonian)
    hamiltonian = to_pennylane(SparsePauliOp.sum([g.observable for g in groups]))
    device = qml.device("default.qubit", wires=circuit.num_qubits, seed=seed)

    @qml.set_shots(shots=MIN_SHOTS)
    @qml.qnode(device)
    def energy(theta):
        pennylane_operations(circuit.gates, theta)
        return qml.expval(hamiltonian)

    np.random.seed(seed)  # noqa: NPY002 (PennyLane samples terms from the global NumPy state)
    optimizer = qml.ShotAdaptiveOptimizer(
        min_shots=MIN_SHOTS, term_sampling="weighted_random_sampling", stepsize=lr
    )
    theta = pnp.array(x0, requires_grad=True)
    shots, errors, times = [], [], []
    for _ in range(steps):
        start = time.perf_counter()
        theta = optimizer.step(energy, theta)
        times.append(time.perf_counter() - start)
        shots.append(optimizer.total_shots_used)
        errors.append(objective.metrics(np.asarray(theta))["energy_error"])
    return {"shots": np.array(shots), "errors": np.array(errors), "step_time": float(np.median(times))}


def error_at(run: dict, budget: int) -> float:
    """Energy error of the last iterate whose cumulative shots are <= budget (NaN if none)."""
    fits = np.flatnonzero(run["shots"] <= budget)
    return float(run["errors"][fits[-1]]) if len(fits) else float("nan")


def summarize(runs: list[dict], budget: int) -> str:
    values = np.array([error_at(r, budget) for r in runs])
    if np.all(np.isnan(values)):
        return "—"
    if np.any(np.isnan(values)):
        return f"({np.sum(np.isnan(values))} seeds not there)"
    return f"{np.median(values):.3f} [{values.min():.3f}, {values.max():.3f}]"


def job(name: str, seed: int, steps: int) -> dict[str, dict]:
    """The three optimizers on one problem from one seed's start point."""
    warnings.simplefilter("ignore", DeprecationWarning)
    config, lr = PROBLEMS[name], LR[name]
    grouped, terms = build_vqe(config), single_term_objective(config)
    x0 = grouped.initial_point(np.random.default_rng(seed))
    return {
        "pennylane": run_pennylane(grouped, config, x0, lr, steps, seed),
        "ours-terms": run_ours(terms, x0, lr, steps, seed),
        "ours-groups": run_ours(grouped, x0, lr, steps, seed),
    }


def table(name: str, runs: dict[str, list[dict]]) -> list[str]:
    grouped = build_vqe(PROBLEMS[name])
    reference = grouped.metrics(grouped.initial_point(np.random.default_rng(0)))
    pl_time = np.median([r["step_time"] for r in runs["pennylane"]])
    lines = [
        f"## {name} (lr={LR[name]}, E0={reference['exact_ground_energy']:.4f}, "
        f"start error (seed 0) {reference['energy_error']:.3f})",
        "",
        "| optimizer | "
        + " | ".join(f"{c:,} shots" for c in CHECKPOINTS)
        + " | shots after all steps | error after all steps | s/step | PennyLane s/step ÷ this |",
        "|---|" + "---|" * (len(CHECKPOINTS) + 4),
    ]
    for label, group in runs.items():
        step_time = np.median([r["step_time"] for r in group])
        total = np.median([r["shots"][-1] for r in group])
        finals = np.array([r["errors"][-1] for r in group])
        cells = [summarize(group, c) for c in CHECKPOINTS]
        lines.append(
            f"| {label} | "
            + " | ".join(cells)
            + f" | {total:,.0f} | {np.median(finals):.3f} [{finals.min():.3f}, {finals.max():.3f}]"
            + f" | {step_time:.3f} | {pl_time / step_time:.1f} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 seeds, 5 steps, TFIM only (smoke)")
    args = parser.parse_args()
    seeds, steps = (2, 5) if args.quick else (args.seeds, args.steps)
    problems = ["tfim"] if args.quick else list(PROBLEMS)
    start = time.perf_counter()
    header = [
        "# zeroth-q rosalin vs PennyLane ShotAdaptiveOptimizer (Rosalin)",
        "",
        f"{seeds} seeds, {steps} steps, min_shots={MIN_SHOTS}, mu=0.99, b=1e-6, weighted random term "
        f"sampling; hardware-efficient ansatz reps=1 (P=16); {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}, {args.workers} workers. "
        "Energy error = exact E(θ) − E0 of the iterate, median [min, max] over seeds, at the last "
        "step within the cumulative shots of the column.",
        "",
    ]
    sections: list[str] = []
    with ProcessPoolExecutor(args.workers) as pool:
        futures = {(n, s): pool.submit(job, n, s, steps) for n in problems for s in range(seeds)}
        for name in problems:  # each problem's table is written as soon as its seeds are done
            results = [futures[name, s].result() for s in range(seeds)]
            sections += table(name, {label: [r[label] for r in results] for label in results[0]})
            text = "\n".join(
                [*header, *sections, f"Total wall time {time.perf_counter() - start:.0f} s.", ""]
            )
            print(text, flush=True)
            if not args.quick:
                RESULTS.write_text(text)


if __name__ == "__main__":
    main()
