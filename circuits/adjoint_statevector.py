"""Exact energy and adjoint gradient of a parameterized Qiskit circuit, in NumPy.

The reference the field-problem checks train with (exact gradients, no shots), independent
of both backends: E(θ) = <ψ(θ)|H|ψ(θ)> with ψ(θ) = U_N ⋯ U_1 |0>, and every rotation
U_k = exp(-i a_k G_k / 2) whose angle a_k is an affine ParameterExpression of θ. The adjoint
method (Jones & Gacon, arXiv:2009.02823) sweeps back once with |λ> = H|ψ>:

    ∂E/∂a_k = Im <λ_k| G_k |φ_k>,   φ_k = U_k ⋯ U_1|0>,  λ_k = U_{k+1}† ⋯ U_N† H|ψ>,

and ∂E/∂θ_j = Σ_k (∂a_k/∂θ_j) ∂E/∂a_k (the chain rule over every gate a parameter drives),
at the cost of ~3 circuit simulations whatever the number of parameters. Parameters in
Qiskit's sorted order (``circuit.parameters``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterExpression
from qiskit.quantum_info import SparsePauliOp

from circuits.ground_state import pauli_matrix

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]])
_Z = np.diag([1.0 + 0j, -1.0])
_FIXED = {
    "h": np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2),
    "x": _X,
    "s": np.diag([1, 1j]),
    "sdg": np.diag([1, -1j]),
    "cx": np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=complex),
}
# Generators G of the rotations exp(-i a G / 2); two-qubit ones on (first, second) = kron(first, second).
_GENERATORS = {
    "rx": _X,
    "ry": _Y,
    "rz": _Z,
    "rxx": np.kron(_X, _X),
    "ryy": np.kron(_Y, _Y),
    "rzz": np.kron(_Z, _Z),
}


class _Step(NamedTuple):
    name: str
    qubits: tuple[int, ...]
    angle: ParameterExpression | float | None


class AdjointStatevector:
    """E(θ) and ∇E(θ) of ``circuit`` for ``hamiltonian`` (gates: h, x, s, sdg, cx, rx, ry, rz,
    rxx, ryy, rzz; affine angles)."""

    def __init__(self, circuit: QuantumCircuit, hamiltonian: SparsePauliOp):
        self.num_qubits = circuit.num_qubits
        self.parameters = list(circuit.parameters)
        self.matrix = pauli_matrix(hamiltonian)
        self.steps: list[_Step] = []
        for instruction in circuit.data:
            name = instruction.operation.name
            if name not in _FIXED and name not in _GENERATORS:
                raise ValueError(
                    f"gate {name!r} is not simulated here; decompose it into "
                    f"{', '.join(sorted(_FIXED) + sorted(_GENERATORS))}."
                )
            qubits = tuple(circuit.find_bit(q).index for q in instruction.qubits)
            angle = instruction.operation.params[0] if name in _GENERATORS else None
            self.steps.append(_Step(name, qubits, angle))
        index = {p: j for j, p in enumerate(self.parameters)}
        # a_k = Σ_j slope_kj θ_j + a_k(0): affine angles, read off once
        self._slopes = [
            [(index[p], float(a.gradient(p))) for p in a.parameters]
            if isinstance(a, ParameterExpression)
            else []
            for _, _, a in self.steps
        ]

    @property
    def num_parameters(self) -> int:
        return len(self.parameters)

    def _angles(self, theta: np.ndarray) -> list[float]:
        binding = dict(zip(self.parameters, theta, strict=True))
        return [
            float(a.bind(binding, allow_unknown_parameters=True))
            if isinstance(a, ParameterExpression)
            else (a if a is not None else 0.0)
            for _, _, a in self.steps
        ]

    def statevector(self, theta: np.ndarray) -> np.ndarray:
        state = np.zeros(1 << self.num_qubits, dtype=complex)
        state[0] = 1.0
        for step, angle in zip(self.steps, self._angles(np.asarray(theta, dtype=float)), strict=True):
            state = self._apply(state, _unitary(step.name, angle), step.qubits)
        return state

    def energy(self, theta: np.ndarray) -> float:
        state = self.statevector(theta)
        return float(np.real(np.vdot(state, self.matrix @ state)))

    def energy_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        angles = self._angles(np.asarray(theta, dtype=float))
        state = self.statevector(theta)
        bra = self.matrix @ state
        energy = float(np.real(np.vdot(state, bra)))
        gradient = np.zeros(self.num_parameters)
        for step, angle, slopes in zip(
            reversed(self.steps), reversed(angles), reversed(self._slopes), strict=True
        ):
            if slopes:
                generated = self._apply(state, _GENERATORS[step.name], step.qubits)
                derivative = float(np.imag(np.vdot(bra, generated)))
                for j, slope in slopes:
                    gradient[j] += slope * derivative
            inverse = _unitary(step.name, angle).conj().T
            state = self._apply(state, inverse, step.qubits)
            bra = self._apply(bra, inverse, step.qubits)
        return energy, gradient

    def _apply(self, state: np.ndarray, matrix: np.ndarray, qubits: tuple[int, ...]) -> np.ndarray:
        """``matrix`` (first qubit most significant) on ``qubits`` of a little-endian state."""
        n, k = self.num_qubits, len(qubits)
        tensor = state.reshape((2,) * n)
        axes = [n - 1 - q for q in qubits]  # axis 0 is the highest qubit
        moved = np.moveaxis(tensor, axes, range(k))
        result = (matrix @ moved.reshape(1 << k, -1)).reshape(moved.shape)
        return np.moveaxis(result, range(k), axes).reshape(-1)


def _unitary(name: str, angle: float) -> np.ndarray:
    if name in _FIXED:
        return _FIXED[name]
    generator = _GENERATORS[name]
    identity = np.eye(len(generator))
    return np.cos(angle / 2) * identity - 1j * np.sin(angle / 2) * generator
