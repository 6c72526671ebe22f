"""The NumPy path of the Qiskit backend equals the real Aer and the real PennyLane.

Small noiseless circuits are simulated in NumPy (:class:`circuits.adjoint_statevector.AdjointStatevector`
inside :class:`circuits.qiskit_backend.QiskitBackend`); the same backend with ``numpy_qubits=0``
sends every call to Aer, and a PennyLane objective of the same gate list is the third opinion.
"""

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp

from circuits import circuit_objective
from circuits.ansatz import hardware_efficient
from circuits.fermi_hubbard import FermiHubbardConfig, fermi_hubbard_hamiltonian
from circuits.grouping import qubit_wise_groups
from circuits.hamiltonians import heisenberg_xxz, hydrogen_molecule, transverse_field_ising
from circuits.hva import hubbard_hva, ising_hva, xxz_hva
from circuits.maxcut import MaxCutConfig, maxcut_hamiltonian
from circuits.pennylane_backend import pennylane_operations
from circuits.qaoa import qaoa
from circuits.qiskit_backend import QiskitBackend
from circuits.qiskit_circuit import from_qiskit, to_qiskit
from circuits.uccsd import uccsd

TOLERANCE = 1e-10


def _cases() -> dict[str, tuple[QuantumCircuit, SparsePauliOp]]:
    hubbard = FermiHubbardConfig(1, 2, u=2.0)
    graph = MaxCutConfig(nodes=6, degree=3, seed=1).graph()
    return {
        "hea": (to_qiskit(hardware_efficient(4, 2)), transverse_field_ising(4, 0.7)),
        "ising_hva": (ising_hva(5, 2, periodic=True), transverse_field_ising(5, 0.8, periodic=True)),
        "xxz_hva": (xxz_hva(6, 1), heisenberg_xxz(6, 0.5)),
        "hubbard_hva": (hubbard_hva(hubbard.lattice, 1), fermi_hubbard_hamiltonian(hubbard)),
        "qaoa": (qaoa(graph, 2), maxcut_hamiltonian(graph)),
        "uccsd": (uccsd(2, 2), hydrogen_molecule(4)),
        "every_gate": _every_gate(),
    }


def _every_gate() -> tuple[QuantumCircuit, SparsePauliOp]:
    """Every gate NumPy simulates, affine angles with offsets and a global phase (no PennyLane
    rendering: the built-in gate list has no Y, Z or offsets)."""
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(3, global_phase=0.4)
    qc.h(0)
    qc.x(1)
    qc.y(2)
    qc.rx(2 * a + 0.3, 0)
    qc.cz(0, 2)
    qc.ry(a - b, 1)
    qc.s(1)
    qc.rzz(b, 2, 0)
    qc.rxx(0.5 * a, 1, 2)
    qc.sdg(0)
    qc.z(2)
    qc.ryy(-b + 1.0, 0, 1)
    qc.cx(2, 1)
    qc.rz(3 * b, 2)
    return qc, SparsePauliOp(["XYZ", "ZZI", "IXX", "YIY"], [0.7, -1.1, 0.4, 0.25])


CASES = _cases()


@cache
def backends(name: str) -> tuple[QiskitBackend, QiskitBackend, object | None]:
    """(NumPy, Aer, PennyLane) for one circuit; the NumPy and Aer ones prepare the auxiliary
    observables and measurement bases of the Hamiltonian's qubit-wise groups."""
    circuit, hamiltonian = CASES[name]
    _, groups = qubit_wise_groups(hamiltonian)
    observables = [g.observable for g in groups]
    bases = [g.basis for g in groups]
    numpy = QiskitBackend(circuit, hamiltonian, observables, bases)
    aer = QiskitBackend(circuit, hamiltonian, observables, bases, numpy_qubits=0)
    if name == "every_gate":
        return numpy, aer, None
    gates = from_qiskit(circuit).gates
    pennylane = circuit_objective(
        lambda theta: pennylane_operations(gates, theta),
        hamiltonian,
        wires=circuit.num_qubits,
        num_params=circuit.num_parameters,
        shots="exact",
        exact_reference=False,
    ).backend
    return numpy, aer, pennylane


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 4))
def test_numpy_energies_states_and_probabilities_equal_aer_and_pennylane(name, seed, rows):
    numpy, aer, pennylane = backends(name)
    assert numpy._numpy is not None and aer._numpy is None  # the two paths under test
    thetas = np.random.default_rng(seed).uniform(-np.pi, np.pi, (rows, CASES[name][0].num_parameters))
    energies = numpy.energy(thetas)
    np.testing.assert_allclose(energies, aer.energy(thetas), atol=TOLERANCE, rtol=0)
    if pennylane is not None:
        np.testing.assert_allclose(energies, pennylane.energy(thetas), atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(numpy.expectations(thetas), aer.expectations(thetas), atol=TOLERANCE, rtol=0)
    # Aer's saved statevector carries the global phase too: equal amplitudes, not just overlaps
    np.testing.assert_allclose(numpy.statevectors(thetas), aer.statevectors(thetas), atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(
        numpy.basis_probabilities(thetas), aer.basis_probabilities(thetas), atol=TOLERANCE, rtol=0
    )


def test_aer_runs_what_numpy_does_not_simulate():
    """A gate outside NumPy's set (T, a composite gate), a non-affine angle, a larger circuit
    or a user's estimator go to Aer, with the same answers as a direct Statevector; the circuit
    is transpiled only when Aer cannot run it as it is."""
    from qiskit.quantum_info import Statevector
    from qiskit_aer.primitives import EstimatorV2

    theta = Parameter("θ")
    hamiltonian = SparsePauliOp(["ZZ", "XI"], [0.5, -1.0])
    cases = {}
    with_t = QuantumCircuit(2)
    with_t.ry(theta, 0)
    with_t.t(0)
    with_t.cx(0, 1)
    cases["t gate"] = (with_t, {})
    squared = QuantumCircuit(2)
    squared.ry(theta * theta, 0)
    squared.cx(0, 1)
    cases["non-affine angle"] = (squared, {})
    plain = QuantumCircuit(2)
    plain.ry(theta, 0)
    plain.cx(0, 1)
    cases["user estimator"] = (plain, {"estimator": EstimatorV2()})
    cases["numpy_qubits=1"] = (plain, {"numpy_qubits": 1})
    composite = QuantumCircuit(2)
    composite.append(plain.to_gate(label="block"), [0, 1])  # neither NumPy nor Aer runs it as it is
    cases["composite gate"] = (composite, {})
    for label, (circuit, options) in cases.items():
        backend = QiskitBackend(circuit, hamiltonian, **options)
        assert backend._numpy is None, label
        values = np.array([[0.3], [-1.2]])
        expected = [
            Statevector(circuit.assign_parameters(v)).expectation_value(hamiltonian).real for v in values
        ]
        np.testing.assert_allclose(backend.energy(values), expected, atol=TOLERANCE, err_msg=label)
        # transpiled only when Aer cannot run the circuit as it is (the composite gate)
        assert (backend._isa is circuit) == (label != "composite gate"), label
