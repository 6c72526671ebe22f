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
        # a_k = a_k(0) + Σ_j slope_kj θ_j: affine angles, read off once (a non-affine one is refused)
        index = {p: j for j, p in enumerate(self.parameters)}
        self._offsets = np.zeros(len(self.steps))
        self._slopes = np.zeros((len(self.steps), len(self.parameters)))
        for k, (_, _, angle) in enumerate(self.steps):
            if not isinstance(angle, ParameterExpression):
                self._offsets[k] = 0.0 if angle is None else float(angle)
                continue
            for p in angle.parameters:
                slope = angle.gradient(p)
                if isinstance(slope, ParameterExpression) and slope.parameters:
                    raise ValueError(f"angle {angle} is not affine in {p}; only c·θ + d is simulated.")
                self._slopes[k, index[p]] = float(slope)
            self._offsets[k] = float(angle.bind({p: 0.0 for p in angle.parameters}))

    @property
    def num_parameters(self) -> int:
        return len(self.parameters)

    def _angles(self, theta: np.ndarray) -> np.ndarray:
        return self._offsets + self._slopes @ np.asarray(theta, dtype=float)

    def statevector(self, theta: np.ndarray) -> np.ndarray:
        state = np.zeros(1 << self.num_qubits, dtype=complex)
        state[0] = 1.0
        for step, angle in zip(self.steps, self._angles(theta), strict=True):
            state = self._apply(state, _unitary(step.name, angle), step.qubits)
        return state

    def energy(self, theta: np.ndarray) -> float:
        state = self.statevector(theta)
        return float(np.real(np.vdot(state, self.matrix @ state)))

    def energy_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        angles = self._angles(theta)
        state = self.statevector(theta)
        bra = self.matrix @ state
        energy = float(np.real(np.vdot(state, bra)))
        gradient = np.zeros(self.num_parameters)
        for k in reversed(range(len(self.steps))):
            step, angle = self.steps[k], angles[k]
            if isinstance(step.angle, ParameterExpression):
                generated = self._apply(state, _GENERATORS[step.name], step.qubits)
                gradient += self._slopes[k] * float(np.imag(np.vdot(bra, generated)))
            inverse = _unitary(step.name, angle).conj().T
            state = self._apply(state, inverse, step.qubits)
            bra = self._apply(bra, inverse, step.qubits)
        return energy, gradient

    def _apply(self, state: np.ndarray, matrix: np.ndarray, qubits: tuple[int, ...]) -> np.ndarray:
        """``matrix`` (first qubit most significant) on ``qubits`` of a little-endian state:
        the state viewed as (rest, qubit, rest[, qubit, rest]), the gate's axes moved first, one
        (2^k × 2^k) @ (2^k × 2^(n-k)) product, moved back."""
        n = self.num_qubits
        if len(qubits) == 1:
            (q,) = qubits
            view = state.reshape(1 << (n - 1 - q), 2, 1 << q)
            moved = matrix @ view.transpose(1, 0, 2).reshape(2, -1)
            return moved.reshape(2, *view.shape[::2]).transpose(1, 0, 2).reshape(-1)
        high, low = max(qubits), min(qubits)
        if qubits[0] == low:  # make the first index the higher qubit
            matrix = matrix.reshape(2, 2, 2, 2).transpose(1, 0, 3, 2).reshape(4, 4)
        view = state.reshape(1 << (n - 1 - high), 2, 1 << (high - low - 1), 2, 1 << low)
        moved = matrix @ view.transpose(1, 3, 0, 2, 4).reshape(4, -1)
        return moved.reshape(2, 2, *view.shape[::2]).transpose(2, 0, 3, 1, 4).reshape(-1)


def _unitary(name: str, angle: float) -> np.ndarray:
    if name in _FIXED:
        return _FIXED[name]
    generator = _GENERATORS[name]
    identity = np.eye(len(generator))
    return np.cos(angle / 2) * identity - 1j * np.sin(angle / 2) * generator
