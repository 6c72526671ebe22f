"""The anchors' own test problems as zeroth-q objectives, so their optimizers and ours run side by side.

qiskit-algorithms' ``test/optimizers/test_spsa.py::test_pauli_two_design``: the expectation
of ``ZZI`` in a 3-qubit ``PauliTwoDesign(3, reps=1, seed=1)`` (6 parameters) from its fixed
start point, exact statevector, minimum -1. PennyLane's ``SPSAOptimizer`` example: see
:class:`PennyLaneSPSAExampleObjective`.
"""

from __future__ import annotations

import numpy as np
from qiskit.circuit.library import PauliTwoDesign
from qiskit.quantum_info import SparsePauliOp, Statevector

from zeroth_q.objective import Cost, Evaluation, check_thetas

QISKIT_SPSA_START = np.array([0.82311034, 0.02611798, 0.21077064, 0.61842177, 0.09828447, 0.62013131])


class PauliTwoDesignObjective:
    """<ZZI> of a Pauli two-design circuit (exact); ``loss(x)`` is the scalar form anchors call."""

    def __init__(self, qubits: int = 3, reps: int = 1, seed: int = 1, start: np.ndarray = QISKIT_SPSA_START):
        self.circuit = PauliTwoDesign(qubits, reps=reps, seed=seed)
        self.parameters = list(self.circuit.parameters)
        self.observable = SparsePauliOp("Z" * 2 + "I" * (qubits - 2))
        self.start = np.asarray(start, dtype=float)

    @property
    def dim(self) -> int:
        return len(self.parameters)

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.start.copy()

    def state(self, x: np.ndarray) -> Statevector:
        return Statevector(self.circuit.assign_parameters(dict(zip(self.parameters, x, strict=True))))

    def loss(self, x: np.ndarray) -> float:
        return float(self.state(x).expectation_value(self.observable).real)

    def fidelity_cost(self, rows: int) -> Cost:
        return self.cost(rows)

    def fidelity(self, theta: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """Exact ``|<ψ(θ)|ψ(θ')>|²`` for each row θ' of ``others`` (what QN-SPSA measures)."""
        reference = self.state(theta).data
        values = [abs(np.vdot(reference, self.state(other).data)) ** 2 for other in others]
        return Evaluation(np.array(values), self.fidelity_cost(len(others)))

    def pairwise_fidelities(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """The same overlaps in the form qiskit's ``QNSPSA`` calls its ``fidelity``: row by row."""
        xs, ys = np.reshape(xs, (-1, self.dim)), np.reshape(ys, (-1, self.dim))
        return np.array(
            [abs(np.vdot(self.state(x).data, self.state(y).data)) ** 2 for x, y in zip(xs, ys, strict=True)]
        )

    def cost(self, rows: int) -> Cost:
        return Cost(evaluations=rows, circuits=rows)

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        thetas = check_thetas(thetas, self.dim)
        return Evaluation(np.array([self.loss(row) for row in thetas]), self.cost(len(thetas)))


class PennyLaneSPSAExampleObjective:
    """PennyLane's ``SPSAOptimizer`` example (its docstring and release notes): ``<X + Z>`` after
    ``RX(a) RY(b)`` on one qubit, 50 iterations, start ``N(0, π)``; minimum ``-√2``.

    From ``|0>``, ``RX(a)`` gives the Bloch vector ``(0, -sin a, cos a)`` and ``RY(b)`` turns it to
    ``(cos a sin b, ·, cos a cos b)``, so ``<X + Z> = cos a (sin b + cos b)`` in closed form
    (checked against the qnode in the test). ``loss`` is written with ``pennylane.numpy`` so that
    PennyLane's gradient optimizers differentiate it with autograd, as they would the qnode.
    """

    dim = 2

    def __init__(self, start: np.ndarray):
        self.start = np.asarray(start, dtype=float)

    @staticmethod
    def loss(x):
        from pennylane import numpy as pnp

        return pnp.cos(x[0]) * (pnp.sin(x[1]) + pnp.cos(x[1]))

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.start.copy()

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        thetas = check_thetas(thetas, self.dim)
        values = np.cos(thetas[:, 0]) * (np.sin(thetas[:, 1]) + np.cos(thetas[:, 1]))
        return Evaluation(values, Cost(evaluations=len(thetas), circuits=len(thetas)))
