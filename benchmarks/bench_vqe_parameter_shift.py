"""Benchmark: a parameter-shift gradient (2P circuits in one call) vs the libraries' own.

TFIM (open, h = 1), hardware-efficient ansatz with reps = 2 (P = 6n), exact
expectations, n ∈ {4, 8, 12}. Per backend:

* ``zeroth_q``: ``CoordinateGradient(shift=π/2, rule="parameter-shift",
  evaluate_center=False)``: the 2P shifted points in ONE objective call.
* ``bare``: the simulator alone on the same 2P points (one batched call): the floor.
* ``library parameter-shift``: Aer: ``qiskit_algorithms.gradients.ParamShiftEstimatorGradient``
  on the same EstimatorV2; PennyLane: ``qml.grad`` of a QNode with
  ``diff_method="parameter-shift"`` on the same device (2P tapes plus the forward pass).
* ``adjoint``: PennyLane's adjoint gradient (the objective's ``gradient``), for reference:
  what an exact simulator gradient costs without any shifted circuits.

Timing as in ``bench_vqe_spsa_step.py`` (minimum over interleaved repeats).
Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_vqe_parameter_shift.py [--qubits 4 8 12]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pennylane as qml
from bench_vqe_spsa_step import (
    AER_OPTIONS,
    BACKENDS,
    ansatz,
    bare_energy_call,
    best_times,
    machine_note,
    ms,
    ratio,
)
from qiskit_aer.primitives import EstimatorV2
from qiskit_algorithms.gradients import ParamShiftEstimatorGradient

from circuits.pennylane_backend import pennylane_operations
from circuits.pennylane_circuit import to_pennylane
from circuits.qiskit_circuit import to_qiskit
from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import CoordinateGradient

RESULTS = Path(__file__).parent / "results" / "bench_vqe_parameter_shift.md"
SHIFT = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift", evaluate_center=False)


def library_parameter_shift(config: VQEConfig, objective, x: np.ndarray) -> Callable[[], object]:
    hamiltonian = objective.hamiltonian
    if config.backend == "aer":
        gradient = ParamShiftEstimatorGradient(EstimatorV2(options={"backend_options": AER_OPTIONS}))
        circuit = to_qiskit(ansatz(config))
        return lambda: gradient.run([circuit], [hamiltonian], [x]).result().gradients[0]
    observable = to_pennylane(hamiltonian)

    @qml.qnode(qml.device(config.device, wires=config.qubits), diff_method="parameter-shift")
    def energy(theta):
        pennylane_operations(ansatz(config).gates, theta)
        return qml.expval(observable)

    params = qml.numpy.array(x, requires_grad=True)
    return lambda: qml.grad(energy)(params)


def measure(qubits: int) -> list[dict[str, object]]:
    rows = []
    for name, backend in BACKENDS.items():
        config = VQEConfig(problem="tfim", qubits=qubits, reps=2, shots="exact", **backend)
        objective = build_vqe(config)
        x = objective.initial_point(np.random.default_rng(0))
        rng = np.random.default_rng(0)
        points = np.concatenate([x + np.pi / 2 * np.eye(x.size), x - np.pi / 2 * np.eye(x.size)])
        fns = {
            "ours": partial(SHIFT, objective, x, 0, rng),
            "bare": partial(bare_energy_call(config, objective), points),
            "library": library_parameter_shift(config, objective, x),
        }
        if name != "aer":
            fns["adjoint"] = partial(objective.gradient, x, rng)
        row = {"n": qubits, "backend": name, "P": objective.dim, "adjoint": None} | best_times(fns)
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


HEADER = (
    "| n | backend | P | zeroth_q parameter-shift (ms) | bare call, 2P points (ms) | ours / bare "
    "| library parameter-shift (ms) | ours / library | adjoint (ms) |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def format_row(row: dict[str, object]) -> str:
    return (
        f"| {row['n']} | {row['backend']} | {row['P']} | {ms(row['ours'])} | {ms(row['bare'])} "
        f"| {ratio(row['ours'], row['bare'])} | {ms(row['library'])} | {ratio(row['ours'], row['library'])} "
        f"| {ms(row['adjoint'])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 8, 12])
    args = parser.parse_args()
    print(HEADER)
    rows = [row for n in args.qubits for row in measure(n)]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# Parameter-shift gradient on a VQE (TFIM, reps=2, exact)\n\n"
        f"{machine_note()} Library parameter-shift: qiskit-algorithms ParamShiftEstimatorGradient "
        "(Aer rows), qml.grad with diff_method='parameter-shift' (PennyLane rows).\n\n"
        + "\n".join([HEADER, *map(format_row, rows)])
        + "\n"
    )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
