"""The problems and their exact references, checked against independent results."""

import numpy as np
import pennylane as qml
import pytest

from circuits.ground_state import ground_state
from circuits.hamiltonians import heisenberg_xxz, hydrogen_molecule, transverse_field_ising

H2_FCI_ENERGY = -1.137306  # Ha, STO-3G at 0.735 Å (total, with nuclear repulsion)


def free_fermion_tfim_energy(n: int, h: float) -> float:
    """Periodic TFIM ground energy from the Jordan-Wigner solution (Pfeuty 1970):
    E0 = -Σ_k sqrt(1 + h² - 2h cos k), k = (2m + 1)π/n (even-parity sector)."""
    k = (2 * np.arange(n) + 1) * np.pi / n
    return float(-np.sum(np.sqrt(1 + h**2 - 2 * h * np.cos(k))))


@pytest.mark.parametrize(("n", "h"), [(4, 0.5), (6, 1.0), (8, 1.7)])
def test_periodic_ising_ground_energy_matches_free_fermions(n, h):
    assert ground_state(transverse_field_ising(n, h, periodic=True)).energy == pytest.approx(
        free_fermion_tfim_energy(n, h), abs=1e-9
    )


def test_heisenberg_ring_of_four_is_minus_eight():
    # H = 4 Σ S_i·S_j; the 4-site ring's singlet has Σ S_i·S_j = -2.
    assert ground_state(heisenberg_xxz(4, 1.0, periodic=True)).energy == pytest.approx(-8.0, abs=1e-10)


def test_large_chain_uses_lanczos_and_agrees_with_free_fermions():
    assert ground_state(transverse_field_ising(10, 1.0, periodic=True)).energy == pytest.approx(
        free_fermion_tfim_energy(10, 1.0), abs=1e-8
    )


def test_term_counts_and_hermiticity():
    assert transverse_field_ising(5, 1.0).size == 4 + 5
    assert transverse_field_ising(5, 1.0, periodic=True).size == 5 + 5
    assert heisenberg_xxz(5, 0.5, periodic=True).size == 15
    for op in (transverse_field_ising(4, 0.3), heisenberg_xxz(4, 2.0), hydrogen_molecule(4)):
        matrix = op.to_matrix()
        np.testing.assert_allclose(matrix, matrix.conj().T, atol=1e-14)


def test_both_h2_forms_have_the_fci_ground_energy():
    two = ground_state(hydrogen_molecule(2)).energy
    four = ground_state(hydrogen_molecule(4)).energy
    assert two == pytest.approx(H2_FCI_ENERGY, abs=1e-6)
    assert four == pytest.approx(two, abs=1e-8)


def test_four_qubit_h2_coefficients_are_rederived_by_pennylane_hartree_fock():
    bohr = 0.735 / 0.529177210903
    hamiltonian, _ = qml.qchem.molecular_hamiltonian(
        ["H", "H"], np.array([0.0, 0.0, 0.0, 0.0, 0.0, bohr]), basis="sto-3g", method="dhf"
    )
    theirs = qml.matrix(hamiltonian, wire_order=range(4))
    # PennyLane's matrix puts wire 0 first; Qiskit's puts qubit 0 last: reverse the qubits.
    ours = hydrogen_molecule(4).to_matrix().reshape((2,) * 8)
    ours = ours.transpose(3, 2, 1, 0, 7, 6, 5, 4).reshape(16, 16)
    np.testing.assert_allclose(ours, theirs, atol=1e-8)


def test_degenerate_ground_space_is_kept_whole():
    # h = 0: |0…0> and |1…1> are both ground states; fidelity is the weight in their span.
    reference = ground_state(transverse_field_ising(4, 0.0))
    assert reference.space.shape[1] == 2
    all_zero = np.zeros(16)
    all_zero[0] = 1.0
    assert reference.fidelity(all_zero) == pytest.approx(1.0)
