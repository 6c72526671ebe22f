"""Problems and ansätze are registries: unknown names refused with the choices, and a new problem
with an ansatz that follows its structure joins by registering (what the next problems will do)."""

import re
from dataclasses import dataclass

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp

from circuits.ansatz import Circuit, Gate
from circuits.ansatze import ANSATZE, register_ansatz
from circuits.config import VQEConfig
from circuits.problems import PROBLEMS, Problem, register_problem
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
        ({"problem": "tfim", "qubits": 1}, "qubits is the chain's length, an integer >= 2, got 1"),
        ({"problem": "xxz", "qubits": 40}, "problem 'xxz' on 40 qubits (statevectors of 2^40 amplitudes)"),
    ],
)
def test_bad_names_and_parameters_are_refused_never_defaulted(params, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        VQEConfig(**params)


def test_the_memory_refusal_names_the_fix():
    with pytest.raises(ConfigError, match="of memory but .* is available; use fewer qubits"):
        VQEConfig(problem="tfim", qubits=40)


@pytest.mark.parametrize(
    "params",
    [
        {"problem": "maxcut", "ansatz": "qaoa", "nodes": 6},
        {"problem": "fermi-hubbard", "ansatz": "hva", "rows": 1, "cols": 2},
        {"problem": "molecule", "ansatz": "uccsd", "molecule": "H2"},
    ],
)
def test_problems_that_take_their_size_elsewhere_ignore_qubits(params):
    """``qubits`` is a chain's length: a graph, a lattice or a molecule sizes itself."""
    VQEConfig(**params, qubits=1)  # refused while qubits was checked for every problem


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


@pytest.fixture
def ring_and_layered():
    """The test's problem and ansatz, registered for one test and removed after it (else every
    later test, and the registered-names checks, would see them)."""
    register_problem("test-ring", "ZZ ring in a field (test)", RingParameters, ring_problem)
    register_ansatz("test-layered", "one angle per term group (test)", LayeredParameters, layered_ansatz)
    yield
    PROBLEMS.unregister("test-ring")
    ANSATZE.unregister("test-layered")


def test_test_entries_do_not_outlive_their_test():
    assert "test-ring" not in PROBLEMS.names() and "test-layered" not in ANSATZE.names()


@pytest.mark.usefixtures("ring_and_layered")
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
