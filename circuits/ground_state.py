"""Exact ground energy and ground space of a Hamiltonian, the reference every run reports.

Computed once per Hamiltonian (cached by its Pauli labels and coefficients) by Lanczos on the
sparse matrix (``scipy.sparse.linalg.eigsh``), or by dense ``eigh`` for small systems
where Lanczos needs ``k < dim``. The ground space is kept whole (all eigenvectors within
``DEGENERACY_TOLERANCE`` of the minimum) so that ``fidelity`` is the weight of the
trial state in the ground *space*: a degenerate ground state (e.g. the Ising chain at
``h = 0``) has no unique vector to overlap with.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from qiskit.quantum_info import SparsePauliOp
from scipy.sparse.linalg import eigsh

DEGENERACY_TOLERANCE = 1e-8
_DENSE_LIMIT = 6  # qubits up to which dense diagonalization is cheaper and always valid
_LANCZOS_VECTORS = 4  # lowest eigenpairs computed; enough to detect small degeneracies


class GroundState(NamedTuple):
    """``energy`` (the minimum eigenvalue) and ``space`` (dim × d orthonormal columns
    spanning the eigenspace of that energy), in Qiskit's little-endian basis order."""

    energy: float
    space: np.ndarray

    def fidelity(self, state: np.ndarray) -> float:
        """Σ_i |<g_i|ψ>|², the probability that ψ is found in the ground space."""
        return float(np.sum(np.abs(self.space.conj().T @ state) ** 2))


def ground_state(hamiltonian: SparsePauliOp) -> GroundState:
    """The ground state of ``hamiltonian`` (cached: equal operators share one computation)."""
    labels = tuple(hamiltonian.paulis.to_labels())
    return _ground_state(labels, tuple(np.asarray(hamiltonian.coeffs).tolist()))


@functools.lru_cache(maxsize=32)
def _ground_state(labels: tuple[str, ...], coeffs: tuple[complex, ...]) -> GroundState:
    hamiltonian = SparsePauliOp(list(labels), np.array(coeffs))
    matrix = hamiltonian.to_matrix(sparse=True)
    if hamiltonian.num_qubits <= _DENSE_LIMIT:
        values, vectors = np.linalg.eigh(matrix.toarray())
    else:
        values, vectors = eigsh(matrix, k=_LANCZOS_VECTORS, which="SA")
    order = np.argsort(values)
    values, vectors = values[order], vectors[:, order]
    lowest = values[0]
    in_ground_space = values - lowest < DEGENERACY_TOLERANCE * max(1.0, abs(lowest))
    return GroundState(float(lowest), vectors[:, in_ground_space])
