"""Problems and ansätze are registries: unknown names refused with the choices, and a new problem
with an ansatz that follows its structure joins by registering (what the next problems will do)."""

import re
from dataclasses import dataclass

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp

from circuits.ansatz import Circuit, Gate
from circuits.ansatze import register_ansatz
from circuits.config import VQEConfig
from circuits.problems import Problem, register_problem
from circuits.vqe import build_vqe
from zeroth_q import ConfigError
from zeroth_q.estimators import CoordinateGradient


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"problem": "tfimm"}, "'tfimm'. Did you mean 'tfim'? Valid choices: fermi-hubbard, h2, maxcut, "),
        ({"ansatz": "hae"}, "unknown ansatz 'hae'. Did you mean 'hva' or 'hea'? Valid choices: hea, hva, "),
        ({"problem": "h2", "qubits": 3}, "set qubits=2 or qubits=4"),
        ({"reps": -1}, "reps must be >= 0"),
    ],
)
def test_bad_names_and_parameters_are_refused_never_defaulted(params, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        VQEConfig(**params)


@dataclass(frozen=True)
class RingParameters:
    qubits: int = 4


def ring_problem(p: RingParameters) -> Problem:
    bonds = SparsePauliOp.from_sparse_list(
        [("ZZ", [i, (i + 1) % p.qubits], 0.5) for i in range(p.qubits)], p.qubits
    )
    fields = SparsePauliOp.from_sparse_list([("X", [i], -0.4) for i in range(p.qubits)], p.qubits)
    return Problem("test-ring", p, (bonds + fields).simplify(), (bonds, fields))


@dataclass(frozen=True)
class LayeredParameters:
    reps: int = 2


def layered_ansatz(problem: Problem, p: LayeredParameters) -> Circuit:
    """One angle per term group and layer, shared by all the group's gates and scaled by 2."""
    n, gates = problem.num_qubits, [Gate("h", (q,)) for q in range(problem.num_qubits)]
    bonds, fields = problem.terms
    for layer in range(p.reps):
        gates += [Gate("rzz", tuple(np.flatnonzero(z).tolist()), 2 * layer, 2.0) for z in bonds.paulis.z]
        gates += [Gate("rx", tuple(np.flatnonzero(x).tolist()), 2 * layer + 1, 2.0) for x in fields.paulis.x]
    return Circuit(n, 2 * p.reps, tuple(gates))


register_problem("test-ring", "ZZ ring in a field (test)", RingParameters, ring_problem)
register_ansatz("test-layered", "one shared angle per term group (test)", LayeredParameters, layered_ansatz)


@pytest.mark.parametrize("backend", [{"backend": "aer"}, {"backend": "pennylane", "device": "default.qubit"}])
def test_a_registered_problem_and_structured_ansatz_train_with_exact_shift_rules(backend):
    objective = build_vqe(
        VQEConfig(problem="test-ring", ansatz="test-layered", qubits=4, shots="exact", **backend)
    )
    assert objective.dim == 4
    assert objective.frequencies() == ((2.0, 4.0, 6.0, 8.0),) * 4
    theta, rng = np.array([0.3, -0.2, 0.5, 0.1]), np.random.default_rng(0)
    gradient = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift")(objective, theta, 0, rng).gradient
    step = 1e-5
    points = np.concatenate([theta + step * np.eye(4), theta - step * np.eye(4)])
    values = objective.evaluate(points, rng).values
    np.testing.assert_allclose(gradient, (values[:4] - values[4:]) / (2 * step), atol=1e-6)
    assert "energy_error" in objective.metrics(theta)
