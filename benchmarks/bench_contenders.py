"""Benchmark: zeroth-q ``rotosolve`` / ``nft`` against PennyLane's ``RotosolveOptimizer`` and
qiskit-algorithms' ``NFT`` (issue 26 §6).

Two problems, exact expectations (no shot noise), the same gate list rendered on each library:

* ``tfim``: what our ``vqe`` objective builds for ``{"problem": "tfim", "qubits": 4, "reps": 1,
  "shots": "exact"}`` (open chain, h = 1, hardware-efficient ansatz, P=16), 2 sweeps;
* ``qiskit-nft-test``: qiskit-algorithms' own NFT test (``test/optimizers/test_optimizer_nft.py``:
  the 2-qubit H2 operator II, IZ, ZI, ZZ, XX, ``RealAmplitudes(2)`` = RY layers with a CX, reps
  3, P=8; ground energy -1.857275), 2 sweeps.

Per seed the start point is θ ~ U(-π, π) from ``numpy.random.default_rng(seed)`` (N(0, 0.1²)
for TFIM, the objective's own). Runs:

* ``ours rotosolve`` / ``ours nft``: ``zeroth_q.minimize`` for sweeps·P coordinate steps; the
  objective evaluates each step's 3 (rotosolve) or 2 (nft) points in ONE batched call; ``numpy``
  is the objective as the library builds it (``shots="exact"`` on the Qiskit backend: below
  :data:`circuits.qiskit_backend.NUMPY_QUBITS` qubits a batched NumPy statevector, equal to Aer's
  to 1e-10, ``tests/circuits/test_numpy_statevector.py``), ``aer`` the same objective with every
  call sent to Aer (``QiskitBackend(numpy_qubits=0)``: an Aer EstimatorV2 job per batch);
  evaluations include the final one the loop charges.
* ``pennylane rotosolve``: ``qml.RotosolveOptimizer().step_and_cost`` for the same sweeps on a
  ``default.qubit`` QNode of the same gates and Hamiltonian, ``nums_frequency`` 1 for every
  parameter; evaluations counted by ``qml.Tracker``.
* ``qiskit nft``: ``qiskit_algorithms.optimizers.NFT(maxiter=sweeps·P)`` on
  ``StatevectorEstimator`` (qiskit's reference primitive), ``reset_interval`` 32 as ours;
  evaluations are its ``nfev`` (its final evaluation included, as ours).

Every final point is scored with the same exact energy. Time per evaluation is the run's CPU
time (``time.process_time``: every thread of the process) over its evaluations, each library on
its own stack, measured in the same process one after the other; each run is repeated
``--repeats`` times (the same iterates every time) and its fastest time kept, as ``timeit``
does. CPU time, not wall time: a run of ours takes 3-30 ms, and on a shared 2-core machine at a
load of 10-15 its wall time is decided by the scheduler (the same run took 2.5 ms or 7-11 ms).

Under each table, the floors: the CPU time of one simulator call alone (ours on each backend,
Aer running a trivial circuit, qiskit's estimator on one row), fastest of 50.

Usage: ``python benchmarks/bench_contenders.py [--seeds 3] [--repeats 5] [--quick]``.
"""

from __future__ import annotations

import argparse
import copy
import platform
import time
from functools import partial
from pathlib import Path

import numpy as np
import pennylane as qml
from pennylane import numpy as pnp
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_algorithms.optimizers import NFT

from circuits import circuit_objective
from circuits.ansatz import Circuit, Gate, hardware_efficient
from circuits.objective import CircuitObjective
from circuits.pennylane_backend import pennylane_operations, to_pennylane
from circuits.problems import IsingParameters, build_problem
from circuits.qiskit_backend import QiskitBackend
from circuits.qiskit_circuit import to_qiskit
from zeroth_q import Budget, minimize

RESULTS = Path(__file__).parent / "results" / "bench_contenders.md"
QISKIT_NFT_TEST_H2 = SparsePauliOp.from_list(
    [
        ("II", -1.052373245772859),
        ("IZ", 0.39793742484318045),
        ("ZI", -0.39793742484318045),
        ("ZZ", -0.01128010425623538),
        ("XX", 0.18093119978423156),
    ]
)


def real_amplitudes(qubits: int, reps: int) -> Circuit:
    """qiskit's ``RealAmplitudes(qubits, reps)``: RY on every qubit, a CX chain, repeated."""
    gates: list[Gate] = []
    parameter = 0
    for layer in range(reps + 1):
        for q in range(qubits):
            gates.append(Gate("ry", (q,), parameter))
            parameter += 1
        if layer < reps:
            gates += [Gate("cx", (q, q + 1)) for q in range(qubits - 1)]
    return Circuit(qubits, parameter, tuple(gates))


def on_aer(objective: CircuitObjective, circuit: QuantumCircuit) -> CircuitObjective:
    """The same objective with every simulation on Aer (no NumPy path)."""
    forced = copy.copy(objective)
    forced.backend = QiskitBackend(circuit, objective.hamiltonian, numpy_qubits=0)
    return forced


def problems() -> dict[str, tuple[Circuit, SparsePauliOp, str, int]]:
    """name -> (gate list, Hamiltonian, initial point, sweeps)."""
    tfim = build_problem("tfim", IsingParameters(qubits=4))
    return {
        "tfim": (hardware_efficient(4, 1), tfim.hamiltonian, "small", 2),
        "qiskit-nft-test": (real_amplitudes(2, 3), QISKIT_NFT_TEST_H2, "uniform", 2),
    }


def run_ours(objective, name: str, x0: np.ndarray, coordinates: int) -> tuple[np.ndarray, int, float]:
    start = time.process_time()
    result = minimize(
        objective, name, Budget(steps=coordinates), x0=x0, metrics_every=0, metrics_per_decade=0
    )
    return result.x, result.cost.evaluations, time.process_time() - start


def run_pennylane(
    circuit: Circuit, hamiltonian, x0: np.ndarray, sweeps: int
) -> tuple[np.ndarray, int, float]:
    device = qml.device("default.qubit", wires=circuit.num_qubits)
    observable = to_pennylane(hamiltonian)

    @qml.qnode(device)
    def energy(theta):
        pennylane_operations(circuit.gates, theta)
        return qml.expval(observable)

    calls = []

    def counted(theta):  # qml.Tracker counts one execution per measured group, not per call
        calls.append(1)
        return energy(theta)

    optimizer = qml.RotosolveOptimizer()
    frequencies = {"theta": {(i,): 1 for i in range(circuit.num_parameters)}}
    theta = pnp.array(x0, requires_grad=True)
    start = time.process_time()
    for _ in range(sweeps):
        theta, _ = optimizer.step_and_cost(counted, theta, nums_frequency=frequencies)
    return np.asarray(theta), len(calls), time.process_time() - start


def run_qiskit(
    qc: QuantumCircuit, hamiltonian, x0: np.ndarray, coordinates: int
) -> tuple[np.ndarray, int, float]:
    estimator = StatevectorEstimator()

    def energy(x: np.ndarray) -> float:
        return float(estimator.run([(qc, hamiltonian, x)]).result()[0].data.evs)

    start = time.process_time()
    result = NFT(maxiter=coordinates, reset_interval=32).minimize(energy, x0.copy())
    return np.asarray(result.x), int(result.nfev), time.process_time() - start


def compare(name: str, seeds: int, repeats: int) -> list[str]:
    circuit, hamiltonian, start, sweeps = problems()[name]
    qc = to_qiskit(circuit)
    objective = circuit_objective(qc, hamiltonian, shots="exact", initial_point=start)
    aer = on_aer(objective, qc)
    ground = objective.metrics(np.zeros(objective.dim))["exact_ground_energy"]
    coordinates = sweeps * objective.dim
    rng = np.random.default_rng(0)

    def exact(x: np.ndarray) -> float:
        return float(objective.evaluate(np.asarray(x, dtype=float)[None, :], rng).values[0])

    runs: dict[str, list[tuple[float, int, float]]] = {}
    for seed in range(seeds):
        x0 = objective.initial_point(np.random.default_rng(seed))
        for label, run in (
            ("ours rotosolve, numpy", partial(run_ours, objective, "rotosolve", x0, coordinates)),
            ("ours rotosolve, aer", partial(run_ours, aer, "rotosolve", x0, coordinates)),
            ("pennylane rotosolve", partial(run_pennylane, circuit, hamiltonian, x0, sweeps)),
            ("ours nft, numpy", partial(run_ours, objective, "nft", x0, coordinates)),
            ("ours nft, aer", partial(run_ours, aer, "nft", x0, coordinates)),
            ("qiskit nft", partial(run_qiskit, qc, hamiltonian, x0, coordinates)),
        ):
            x, evaluations, seconds = run()
            seconds = min([seconds] + [run()[2] for _ in range(repeats - 1)])
            runs.setdefault(label, []).append((exact(x) - ground, evaluations, seconds / evaluations))
    lines = [
        f"## {name}: P={objective.dim}, {sweeps} sweeps ({coordinates} coordinate updates), "
        f"E0 = {ground:.6f}, {seeds} seeds",
        "",
        "| method | evaluations | energy error, median [min, max] | ms / evaluation (median) | "
        "theirs / ours (numpy, aer) |",
        "|---|---|---|---|---|",
    ]
    per_eval = {label: float(np.median([r[2] for r in rows])) for label, rows in runs.items()}
    for label, rows in runs.items():
        errors = np.array([r[0] for r in rows])
        evaluations = sorted({r[1] for r in rows})
        method = label.split()[1].rstrip(",")
        ours = [per_eval[f"ours {method}, {backend}"] for backend in ("numpy", "aer")]
        ratio = "" if label.startswith("ours") else " / ".join(f"{per_eval[label] / t:.1f}x" for t in ours)
        lines.append(
            f"| {label} | {'/'.join(map(str, evaluations))} | {np.median(errors):.2e} "
            f"[{errors.min():.2e}, {errors.max():.2e}] | {per_eval[label] * 1e3:.2f} | {ratio} |"
        )
    return [*lines, "", *floors(objective, aer, qc, hamiltonian), ""]


def floors(objective: CircuitObjective, aer: CircuitObjective, qc: QuantumCircuit, hamiltonian) -> list[str]:
    """What one simulator call costs here, outside any optimizer (CPU ms, fastest of 50): the
    floor under each row's time per evaluation."""
    rng = np.random.default_rng(1)
    rows = rng.uniform(-np.pi, np.pi, (2, objective.dim))
    estimator = StatevectorEstimator()
    angle = Parameter("a")
    trivial = QuantumCircuit(1)
    trivial.ry(angle, 0)
    trivial.save_expectation_value(SparsePauliOp("Z"), [0], label="z")
    simulator = AerSimulator(method="statevector")
    calls = {
        "ours, numpy: 2 rows in one evaluate": lambda: objective.evaluate(rows, rng),
        "ours, aer: 2 rows in one evaluate (one AerSimulator.run)": lambda: aer.evaluate(rows, rng),
        "Aer alone: one run of a 1-qubit, 1-gate circuit, 1 row": lambda: simulator.run(
            trivial, parameter_binds=[{angle: [0.3]}]
        ).result(),
        "qiskit StatevectorEstimator: 1 row (what NFT calls per evaluation)": lambda: estimator.run(
            [(qc, hamiltonian, rows[0])]
        ).result(),
    }
    lines = ["| one call | CPU ms (fastest of 50) |", "|---|---|"]
    for label, call in calls.items():
        call()
        fastest = []
        for _ in range(50):
            start = time.process_time()
            call()
            fastest.append(time.process_time() - start)
        lines.append(f"| {label} | {min(fastest) * 1e3:.3f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing; the fastest is kept")
    parser.add_argument("--quick", action="store_true", help="1 seed, qiskit's test problem only (smoke)")
    args = parser.parse_args()
    names = ["qiskit-nft-test"] if args.quick else ["qiskit-nft-test", "tfim"]
    seeds = 1 if args.quick else args.seeds
    start = time.perf_counter()
    sections = [
        "# zeroth-q rotosolve / nft vs PennyLane RotosolveOptimizer and qiskit-algorithms NFT",
        "",
        f"Exact expectations; {platform.machine()}, {time.strftime('%Y-%m-%d')}; see the script's "
        "docstring for the setup. Energy error = exact E(x) − E0 of the returned point.",
        "",
    ]
    for name in names:
        sections += compare(name, seeds, args.repeats)
        print("\n".join(sections), flush=True)
    text = "\n".join([*sections, f"Total wall time {time.perf_counter() - start:.0f} s.", ""])
    if not args.quick:
        RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
