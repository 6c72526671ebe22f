"""Benchmark: one SPSA step on a VQE through zeroth_q vs the bare simulator call and vs
the SPSA of qiskit-algorithms and PennyLane.

TFIM (open, h = 1), hardware-efficient ansatz with reps = 2 (P = 6n parameters), exact
expectations, n ∈ {4, 8, 12}. For every backend (Qiskit Aer EstimatorV2, PennyLane
lightning.qubit and default.qubit) and T ∈ {1, 50} directions:

* ``zeroth_q step``: ``get_optimizer("spsa", perturbations=T).step``: 2T points drawn,
  evaluated in ONE objective call, gradient assembled, update applied.
* ``bare call``: the simulator alone on the same 2T points, one batched call (Aer: one
  EstimatorV2 PUB with a (2T, P) parameter array; PennyLane: one broadcast QNode call).
  This is the floor: what any SPSA step must pay for the circuits.
* ``qiskit-algorithms``: ``qiskit_algorithms.optimizers.SPSA(resamplings=T)`` with
  ``max_evals_grouped = 2T + 1`` and the bare batched Aer call as its loss, seconds per
  iteration. It still calls the loss once per direction (2 points at a time).
* ``qml.SPSAOptimizer``: PennyLane's ``step`` on a QNode (T = 1 only: it has no
  resamplings), seconds per iteration.

Times are the minimum over interleaved repeats (the machine is shared; the minimum is
the least noisy estimate of what the code costs, and interleaving exposes all columns to
the same load); ratios are taken between columns of one run.
Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_vqe_spsa_step.py [--qubits 4 8 12]``.
On a loaded 2-core machine, lightning's and Aer's OpenMP threads busy-wait for each
other and for the other processes (lightning's 100-point call at n = 4 took 0.37 s with
the default threads and 0.077 s with one); the recorded results use one thread, and the
results header states the setting.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pennylane as qml
import qiskit_aer
from qiskit.primitives.containers import ObservablesArray
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import EstimatorV2
from qiskit_algorithms.optimizers import SPSA as QiskitSPSA

from circuits.ansatz import Circuit, hardware_efficient
from circuits.pennylane_backend import pennylane_operations
from circuits.pennylane_circuit import to_pennylane
from circuits.qiskit_backend import AER_OPTIONS
from circuits.qiskit_circuit import to_qiskit
from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import get_optimizer

RESULTS = Path(__file__).parent / "results" / "bench_vqe_spsa_step.md"
BACKENDS = {"aer": {"backend": "aer"}} | {
    device: {"backend": "pennylane", "device": device} for device in ("lightning.qubit", "default.qubit")
}
DIRECTIONS = (1, 50)
QISKIT_ITERATIONS = 4


def best_times(
    fns: dict[str, Callable[[], object]], budget: float = 6.0, rounds: tuple[int, int] = (5, 40)
) -> dict[str, float]:
    """Minimum wall time of each function, measured *interleaved* (one call of each per
    round) so that load changes on a shared machine hit all columns alike; at least
    rounds[0] and at most rounds[1] rounds, stopping after ``budget`` seconds."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    spent, done = 0.0, 0
    while done < rounds[0] or (spent < budget and done < rounds[1]):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            spent += times[name][-1]
        done += 1
    return {name: min(values) for name, values in times.items()}


def ansatz(config: VQEConfig) -> Circuit:
    """The built-in ansatz's gate list, as the objective renders it."""
    return hardware_efficient(config.qubits, config.reps)


def bare_energy_call(config: VQEConfig, objective) -> Callable[[np.ndarray], np.ndarray]:
    """The simulator's own batched call, built from the library APIs directly, with the
    same one-off preparation as the objective (transpiled circuit, coerced observable)."""
    hamiltonian = objective.hamiltonian
    if config.backend == "aer":
        estimator = EstimatorV2(options={"backend_options": AER_OPTIONS})
        circuit = generate_preset_pass_manager(optimization_level=1, backend=AerSimulator()).run(
            to_qiskit(ansatz(config))
        )
        observable = ObservablesArray.coerce(hamiltonian.apply_layout(circuit.layout))
        return lambda points: estimator.run([(circuit, observable, points)]).result()[0].data.evs
    observable = to_pennylane(hamiltonian)

    @qml.qnode(qml.device(config.device, wires=config.qubits), diff_method=None)
    def energy(theta):
        pennylane_operations(ansatz(config).gates, theta)
        return qml.expval(observable)

    return lambda points: energy(points.T)


def our_step(objective, count: int) -> Callable[[], object]:
    optimizer = get_optimizer("spsa", perturbations=count)
    rng = np.random.default_rng(0)
    x = objective.initial_point(rng)
    state = optimizer.init(x)
    return lambda: optimizer.step(objective, x, state, 0, rng)


def qiskit_spsa_iterations(bare: Callable[[np.ndarray], np.ndarray], x: np.ndarray, count: int) -> Callable:
    """``QISKIT_ITERATIONS`` iterations of qiskit-algorithms' SPSA (gains given, so that it
    does not spend 50 evaluations calibrating them; the final ``fun(x)`` it evaluates is
    amortized over the iterations)."""
    spsa = QiskitSPSA(maxiter=QISKIT_ITERATIONS, learning_rate=0.01, perturbation=0.1, resamplings=count)
    spsa.set_max_evals_grouped(2 * count + 1)
    return lambda: spsa.minimize(lambda p: bare(np.atleast_2d(p)), x)


def pennylane_spsa_iteration(config: VQEConfig, objective, x: np.ndarray) -> Callable:
    observable = to_pennylane(objective.hamiltonian)

    @qml.qnode(qml.device(config.device, wires=config.qubits), diff_method=None)
    def energy(theta):
        pennylane_operations(ansatz(config).gates, theta)
        return qml.expval(observable)

    optimizer = qml.SPSAOptimizer(maxiter=100)
    params = qml.numpy.array(x, requires_grad=True)
    return lambda: optimizer.step(energy, params)


def measure(qubits: int) -> list[dict[str, object]]:
    rows = []
    for name, backend in BACKENDS.items():
        config = VQEConfig(problem="tfim", qubits=qubits, reps=2, shots="exact", **backend)
        objective = build_vqe(config)
        bare = bare_energy_call(config, objective)
        x = objective.initial_point(np.random.default_rng(0))
        for count in DIRECTIONS:
            points = x + 0.1 * np.random.default_rng(1).choice([-1.0, 1.0], size=(2 * count, objective.dim))
            fns = {"ours": our_step(objective, count), "bare": partial(bare, points)}
            if name == "aer":
                fns["qiskit"] = qiskit_spsa_iterations(bare, x, count)
            elif count == 1:
                fns["pennylane"] = pennylane_spsa_iteration(config, objective, x)
            row = {"n": qubits, "backend": name, "T": count, "qiskit": None, "pennylane": None}
            row |= best_times(fns)
            if "qiskit" in fns:
                row["qiskit"] /= QISKIT_ITERATIONS
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


def machine_note() -> str:
    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"qiskit-aer {qiskit_aer.__version__}, pennylane {qml.version()}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, load average "
        f"{os.getloadavg()[0]:.1f} at the end. Minimum over interleaved repeats; all columns "
        "measured side by side in one run."
    )


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{1e3 * seconds:.1f}"


def ratio(a: float, b: float | None) -> str:
    return "—" if b is None else f"{a / b:.2f}"


HEADER = (
    "| n | backend | T | zeroth_q step (ms) | bare batched call (ms) | step / bare "
    "| qiskit-algorithms SPSA (ms/iter) | qml.SPSAOptimizer (ms/iter) | step / other SPSA |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def format_row(row: dict[str, object]) -> str:
    other = row["qiskit"] if row["qiskit"] is not None else row["pennylane"]
    return (
        f"| {row['n']} | {row['backend']} | {row['T']} | {ms(row['ours'])} | {ms(row['bare'])} "
        f"| {ratio(row['ours'], row['bare'])} | {ms(row['qiskit'])} | {ms(row['pennylane'])} "
        f"| {ratio(row['ours'], other)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 8, 12])
    args = parser.parse_args()
    print(HEADER)
    rows = [row for n in args.qubits for row in measure(n)]
    table = "\n".join([HEADER, *map(format_row, rows)])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# One SPSA step on a VQE (TFIM, reps=2, exact)\n\n" + machine_note() + "\n\n" + table + "\n"
    )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
