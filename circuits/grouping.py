"""Measuring a Hamiltonian: qubit-wise commuting groups and energies from bitstrings.

A Pauli sum H = c_0 I + Σ_k c_k P_k is measured in groups of terms that commute qubit by
qubit (on every qubit they act as the same Pauli or as I). One circuit per group rotates
each measured qubit's Pauli onto Z (see :func:`circuits.ansatz.measurement_basis_change`)
and samples bitstrings b; every term of the group is then diagonal, with eigenvalue
(-1)^(b · s_k) where s_k marks the qubits P_k acts on. Each shot therefore yields one
eigenvalue of the group observable O_g = Σ_{k∈g} c_k P_k, and the N-shot mean is an
unbiased estimate of <O_g> with variance (<O_g²> - <O_g>²) / N (Kandala et al., Nature
549, 242 (2017), Methods; McClean et al., NJP 18, 023023 (2016) for the shot count).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from qiskit.quantum_info import SparsePauliOp


class MeasurementGroup(NamedTuple):
    """Terms measured by one circuit.

    basis: the measured Pauli per qubit as a Qiskit label (last character = qubit 0; I =
        qubit not needed). observable: O_g. support: (terms, qubits) 0/1 matrix s_k.
    coeffs: (terms,) real c_k.
    """

    basis: str
    observable: SparsePauliOp
    support: np.ndarray
    coeffs: np.ndarray

    def square(self) -> SparsePauliOp:
        """O_g², again a sum of Paulis of this basis (products of qubit-wise commuting
        Paulis are Paulis of the same basis); its expectation gives the shot variance."""
        return (self.observable @ self.observable).simplify()

    def shot_values(self, bits: np.ndarray) -> np.ndarray:
        """The eigenvalue of O_g each shot yields: bits (rows, shots, qubits) -> (rows, shots)."""
        parity = (bits.astype(np.int32) @ self.support.T) & 1  # (rows, shots, terms)
        return (1 - 2 * parity) @ self.coeffs

    def mean_from_bits(self, bits: np.ndarray) -> np.ndarray:
        """Shot mean of O_g per row: bits (rows, shots, qubits), column q = qubit q."""
        return self.shot_values(bits).mean(axis=1)


def qubit_wise_groups(hamiltonian: SparsePauliOp) -> tuple[float, tuple[MeasurementGroup, ...]]:
    """Split H into its identity coefficient (needs no measurement) and measurement groups,
    grouped by Qiskit's greedy graph colouring (``group_commuting(qubit_wise=True)``)."""
    hamiltonian = hamiltonian.simplify()
    if np.any(np.abs(hamiltonian.coeffs.imag) > 1e-12):
        raise ValueError("the Hamiltonian has complex coefficients; it must be Hermitian.")
    identity = ~(hamiltonian.paulis.x | hamiltonian.paulis.z).any(axis=1)
    offset = float(hamiltonian.coeffs[identity].real.sum())
    measured = SparsePauliOp(hamiltonian.paulis[~identity], hamiltonian.coeffs[~identity])
    if measured.size == 0:
        return offset, ()
    return offset, tuple(_group(part) for part in measured.group_commuting(qubit_wise=True))


def _group(observable: SparsePauliOp) -> MeasurementGroup:
    x, z = observable.paulis.x, observable.paulis.z  # (terms, qubits), qubit 0 first
    on_x, on_z = x.any(axis=0), z.any(axis=0)
    letters = np.where(on_x & on_z, "Y", np.where(on_x, "X", np.where(on_z, "Z", "I")))
    basis = "".join(reversed(letters.tolist()))
    support = (x | z).astype(np.int32)
    return MeasurementGroup(basis, observable, support, observable.coeffs.real.copy())
