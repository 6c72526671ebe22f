"""What the objective and the shot models need from a simulator backend.

Two implementations: :class:`circuits.qiskit_backend.QiskitBackend` (Aer or any Qiskit
primitives V2) and :class:`circuits.pennylane_backend.PennyLaneBackend`. Everything that
does not depend on θ (circuits, observables, measurement bases) is fixed at
construction, so each method below is one simulator call for the whole batch.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class CircuitBackend(Protocol):
    def energy(self, thetas: np.ndarray) -> np.ndarray:
        """Exact <H> for each row of ``thetas`` (B, P): shape (B,)."""
        ...

    def expectations(self, thetas: np.ndarray) -> np.ndarray:
        """Exact expectations of the K auxiliary observables named at construction: (B, K)."""
        ...

    def sample(self, thetas: np.ndarray, shots: int, seed: int) -> list[np.ndarray]:
        """For each measurement basis named at construction, bits (B, shots, qubits)
        (column q = qubit q) drawn with ``seed``."""
        ...

    def basis_probabilities(self, thetas: np.ndarray) -> np.ndarray:
        """Outcome probabilities (B, G, 2^n) of each measurement basis named at
        construction (little-endian outcome index), from one simulation of the batch."""
        ...

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """Noiseless states ψ(θ_b) (B, 2^n) for the rows of ``thetas``, in Qiskit's
        little-endian basis order, from one simulation of the batch."""
        ...
