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

Times are the minimum over repeats (the machine is shared; the minimum is the least
noisy estimate of what the code costs); ratios are taken between columns of one run.
Usage: ``python benchmarks/bench_vqe_spsa_step.py [--qubits 4 8 12]``.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pennylane as qml
from qiskit_algorithms.optimizers import SPSA as QiskitSPSA

from circuits.pennylane_backend import pennylane_operations, to_pennylane
from circuits.qiskit_backend import AER_OPTIONS, to_qiskit
from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import get_optimizer

RESULTS = Path(__file__).parent / "results" / "bench_vqe_spsa_step.md"
BACKENDS = {"aer": {"backend": "aer"}} | {
    device: {"backend": "pennylane", "device": device} for device in ("lightning.qubit", "default.qubit")
}
DIRECTIONS = (1, 50)


def best_time(fn: Callable[[], object], budget: float = 1.5, repeats: tuple[int, int] = (3, 15)) -> float:
    """Minimum wall time of ``fn`` over at least repeats[0] and at most repeats[1] runs,
    stopping once ``budget`` seconds have been spent (after one warm-up call)."""
    fn()
    times: list[float] = []
    while len(times) < repeats[0] or (sum(times) < budget and len(times) < repeats[1]):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_energy_call(config: VQEConfig, objective) -> Callable[[np.ndarray], np.ndarray]:
    """The simulator's own batched call, built from the library APIs directly."""
    hamiltonian = objective.problem.hamiltonian()
    if config.backend == "aer":
        from qiskit_aer.primitives import EstimatorV2

        estimator, circuit = EstimatorV2(options={"backend_options": AER_OPTIONS}), to_qiskit(objective.circuit)
        return lambda points: estimator.run([(circuit, hamiltonian, points)]).result()[0].data.evs
    observable = to_pennylane(hamiltonian)

    @qml.qnode(qml.device(config.device, wires=config.qubits), diff_method=None)
    def energy(theta):
        pennylane_operations(objective.circuit.gates, theta)
        return qml.expval(observable)

    return lambda points: energy(points.T)


def our_step(objective, count: int) -> Callable[[], object]:
    optimizer = get_optimizer("spsa", perturbations=count)
    rng = np.random.default_rng(0)
    x = objective.initial_point(rng)
    state = optimizer.init(x)
    return lambda: optimizer.step(objective, x, state, 0, rng)


def qiskit_spsa_iteration(bare: Callable[[np.ndarray], np.ndarray], x: np.ndarray, count: int) -> float:
    iterations = 3
    spsa = QiskitSPSA(maxiter=iterations, learning_rate=0.01, perturbation=0.1, resamplings=count)
    spsa.set_max_evals_grouped(2 * count + 1)
    return best_time(lambda: spsa.minimize(lambda p: bare(np.atleast_2d(p)), x), repeats=(2, 5)) / iterations


def pennylane_spsa_iteration(config: VQEConfig, objective, x: np.ndarray) -> float:
    observable = to_pennylane(objective.problem.hamiltonian())

    @qml.qnode(qml.device(config.device, wires=config.qubits), diff_method=None)
    def energy(theta):
        pennylane_operations(objective.circuit.gates, theta)
        return qml.expval(observable)

    optimizer = qml.SPSAOptimizer(maxiter=100)
    params = qml.numpy.array(x, requires_grad=True)
    return best_time(lambda: optimizer.step(energy, params))


def measure(qubits: int) -> list[dict[str, object]]:
    rows = []
    for name, backend in BACKENDS.items():
        config = VQEConfig(problem="tfim", qubits=qubits, reps=2, shots="exact", **backend)
        objective = build_vqe(config)
        bare = bare_energy_call(config, objective)
        x = objective.initial_point(np.random.default_rng(0))
        for count in DIRECTIONS:
            points = x + 0.1 * np.random.default_rng(1).choice([-1.0, 1.0], size=(2 * count, objective.dim))
            row = {
                "n": qubits,
                "backend": name,
                "T": count,
                "ours": best_time(our_step(objective, count)),
                "bare": best_time(lambda p=points: bare(p)),
                "qiskit": qiskit_spsa_iteration(bare, x, count) if name == "aer" else None,
                "pennylane": pennylane_spsa_iteration(config, objective, x) if name != "aer" and count == 1 else None,
            }
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


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
    machine = f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# One SPSA step on a VQE (TFIM, reps=2, exact)\n\n"
        f"Machine: {machine}; qiskit-aer, pennylane {qml.version()}. Minimum over repeats; "
        "all columns measured side by side in one run.\n\n" + table + "\n"
    )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
