"""Exact states, energies and the adjoint gradient of a parameterized Qiskit circuit, in NumPy.

Two uses: the reference the field-problem checks train with (exact gradients, no shots),
independent of both backends; and the exact path of :class:`circuits.qiskit_backend.QiskitBackend`
for small circuits, where a simulator call's fixed cost (~1 ms CPU for Aer at 4 qubits, however
little it computes) is many times the arithmetic (~0.07 ms for 2 rows).

E(θ) = <ψ(θ)|H|ψ(θ)> with ψ(θ) = U_N ⋯ U_1 |0>, and every rotation U_k = exp(-i a_k G_k / 2)
whose angle a_k is an affine ParameterExpression of θ. A batch of B parameter rows is simulated
at once, the rows as the first axis of a (B, 2^n) array. Every gate used here is a *monomial*
matrix (one non-zero per row: Paulis, CNOT, S) or a rotation around one, so it acts on a
little-endian basis index c as

    (M ψ)[c] = f[c] ψ[s[c]]                   (a gather and a product; M₂M₁: s₁[s₂], f₂ f₁[s₂])
    (U_k ψ) = cos(a_k/2) ψ - i sin(a_k/2) G_k ψ  (G_k a Pauli string: monomial, f = ±1, ±i)

so a run of fixed gates fuses into one gather, and a run of diagonal rotations (RZ, RZZ: G_k ψ
= d_k ⊙ ψ, d_k = ±1) into one phase exp(-i/2 Σ_k a_k d_k). The Hadamard gate alone is not
monomial; it is applied as a 2×2 matrix on its qubit. The Hamiltonian is a sparse matrix
(:func:`circuits.ground_state.pauli_matrix`), so E_b = Re ψ_b† (H ψ_b) is one sparse product for
the batch.

The adjoint method (Jones & Gacon, arXiv:2009.02823) sweeps back once with |λ> = H|ψ>:

    ∂E/∂a_k = Im <λ_k| G_k |φ_k>,   φ_k = U_k ⋯ U_1|0>,  λ_k = U_{k+1}† ⋯ U_N† H|ψ>,

and ∂E/∂θ_j = Σ_k (∂a_k/∂θ_j) ∂E/∂a_k (the chain rule over every gate a parameter drives),
at the cost of ~3 circuit simulations whatever the number of parameters. Parameters in
Qiskit's sorted order (``circuit.parameters``); states in Qiskit's little-endian order, with
the circuit's global phase (as Aer's saved statevector).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterExpression
from qiskit.quantum_info import SparsePauliOp

from circuits.ground_state import pauli_matrix
from circuits.measurement import apply_one_qubit

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]])
_Z = np.diag([1.0 + 0j, -1.0])
_FIXED = {
    "h": np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2),
    "x": _X,
    "y": _Y,
    "z": _Z,
    "s": np.diag([1, 1j]),
    "sdg": np.diag([1, -1j]),
    "cx": np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=complex),
    "cz": np.diag([1, 1, 1, -1]).astype(complex),
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


class UnsupportedCircuit(ValueError):
    """The circuit has a gate, angle or global phase that is not simulated here."""


class _Step(NamedTuple):
    name: str
    qubits: tuple[int, ...]
    angle: ParameterExpression | float | None


class _HalfAngles(NamedTuple):
    """a_k / 2 of every step for every row (B, S), cos(a_k / 2), and -i sin(a_k / 2)."""

    half: np.ndarray
    cos: np.ndarray
    sin: np.ndarray


class _Gather(NamedTuple):
    """Fixed monomial gates, fused: ψ'[c] = factor[c] ψ[source[c]]."""

    source: np.ndarray
    factor: np.ndarray

    def apply(self, states: np.ndarray, angles: _HalfAngles) -> np.ndarray:
        return self.factor * np.take(states, self.source, axis=1)

    def then(self, later: _Gather) -> _Gather:
        """``later`` applied after this one, as one gather."""
        return _Gather(self.source[later.source], later.factor * self.factor[later.source])


class _Matrix(NamedTuple):
    """A fixed one-qubit gate that is not monomial (H)."""

    matrix: np.ndarray
    qubit: int

    def apply(self, states: np.ndarray, angles: _HalfAngles) -> np.ndarray:
        return apply_one_qubit(states, self.matrix, self.qubit)


class _Rotation(NamedTuple):
    """exp(-i a_k G / 2) for a non-diagonal Pauli string G, G ψ = factor ⊙ ψ[source]."""

    step: int
    source: np.ndarray
    factor: np.ndarray

    def apply(self, states: np.ndarray, angles: _HalfAngles) -> np.ndarray:
        turned = self.factor * np.take(states, self.source, axis=1)
        return angles.cos[:, self.step, None] * states + angles.sin[:, self.step, None] * turned


class _Phases(NamedTuple):
    """Diagonal rotations in a row, fused: ψ' = ψ ⊙ exp(-i/2 Σ_k a_k d_k), d_k = ±1 (K, 2^n)."""

    steps: np.ndarray
    eigenvalues: np.ndarray

    def apply(self, states: np.ndarray, angles: _HalfAngles) -> np.ndarray:
        return states * np.exp(-1j * (angles.half[:, self.steps] @ self.eigenvalues))


_Operation = _Gather | _Matrix | _Rotation | _Phases


class AdjointStatevector:
    """States, E(θ) and ∇E(θ) of ``circuit`` for ``hamiltonian`` (gates: h, x, y, z, s, sdg, cx,
    cz, rx, ry, rz, rxx, ryy, rzz; affine angles; anything else raises :class:`UnsupportedCircuit`)."""

    def __init__(self, circuit: QuantumCircuit, hamiltonian: SparsePauliOp):
        self.num_qubits = circuit.num_qubits
        self.parameters = list(circuit.parameters)
        if isinstance(circuit.global_phase, ParameterExpression) and circuit.global_phase.parameters:
            raise UnsupportedCircuit(f"the global phase {circuit.global_phase} depends on parameters.")
        self._global_phase = np.exp(1j * float(circuit.global_phase))
        self.steps: list[_Step] = []
        for instruction in circuit.data:
            name = instruction.operation.name
            if name not in _FIXED and name not in _GENERATORS:
                raise UnsupportedCircuit(
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
                    raise UnsupportedCircuit(
                        f"angle {angle} is not affine in {p}; only c·θ + d is simulated."
                    )
                self._slopes[k, index[p]] = float(slope)
            self._offsets[k] = float(angle.bind({p: 0.0 for p in angle.parameters}))
        self._program = _compile(self.steps, self.num_qubits)
        self.matrix = pauli_matrix(hamiltonian)

    @property
    def num_parameters(self) -> int:
        return len(self.parameters)

    def _angles(self, theta: np.ndarray) -> np.ndarray:
        return self._offsets + self._slopes @ np.asarray(theta, dtype=float)

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """ψ(θ_b) for the rows of ``thetas`` (B, P): (B, 2^n), the batch through the fused program."""
        half = (np.asarray(thetas, dtype=float) @ self._slopes.T + self._offsets) / 2
        angles = _HalfAngles(half, np.cos(half), -1j * np.sin(half))
        states = np.zeros((len(half), 1 << self.num_qubits), dtype=complex)
        states[:, 0] = self._global_phase
        for operation in self._program:
            states = operation.apply(states, angles)
        return states

    def energies(self, thetas: np.ndarray) -> np.ndarray:
        """E(θ_b) for the rows of ``thetas`` (B, P): (B,)."""
        return expectations(self.statevectors(thetas), self.matrix)

    def statevector(self, theta: np.ndarray) -> np.ndarray:
        return self.statevectors(np.asarray(theta, dtype=float)[None, :])[0]

    def energy(self, theta: np.ndarray) -> float:
        return float(self.energies(np.asarray(theta, dtype=float)[None, :])[0])

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


def expectations(states: np.ndarray, matrix: object) -> np.ndarray:
    """Re <ψ_b|O|ψ_b> for the rows of ``states`` (B, 2^n) and a (sparse) matrix O: (B,)."""
    applied = (matrix @ states.T).T
    return np.einsum("bi,bi->b", states.conj(), applied).real


def _compile(steps: Sequence[_Step], num_qubits: int) -> list[_Operation]:
    """The gate list as operations on a batch: fixed monomial gates in a row fused into one
    gather, diagonal rotations in a row into one phase (module docstring)."""
    identity = np.arange(1 << num_qubits)
    program: list[_Operation] = []
    for k, step in enumerate(steps):
        last = program[-1] if program else None
        if step.name in _FIXED:
            gather = _monomial(_FIXED[step.name], step.qubits, num_qubits)
            if gather is None:
                program.append(_Matrix(_FIXED[step.name], step.qubits[0]))
            elif isinstance(last, _Gather):
                program[-1] = last.then(gather)
            else:
                program.append(gather)
            continue
        generator = _monomial(_GENERATORS[step.name], step.qubits, num_qubits)
        assert generator is not None  # Pauli strings are monomial
        if not np.array_equal(generator.source, identity):
            program.append(_Rotation(k, generator.source, generator.factor))
        elif isinstance(last, _Phases):
            program[-1] = _Phases(
                np.append(last.steps, k), np.vstack([last.eigenvalues, generator.factor.real])
            )
        else:
            program.append(_Phases(np.array([k]), generator.factor.real[None, :]))
    return program


def _monomial(matrix: np.ndarray, qubits: tuple[int, ...], num_qubits: int) -> _Gather | None:
    """``matrix`` (first qubit most significant) on ``qubits`` of n as a gather over all 2^n
    basis indices, or None when a row has more than one non-zero (H)."""
    nonzero = np.abs(matrix) > 1e-12
    if not np.all(nonzero.sum(axis=1) == 1):
        return None
    column = nonzero.argmax(axis=1)
    value = matrix[np.arange(len(matrix)), column]
    index = np.arange(1 << num_qubits)
    width = len(qubits)
    local = sum(((index >> q) & 1) << (width - 1 - j) for j, q in enumerate(qubits))
    source = index & ~sum(1 << q for q in qubits)
    for j, q in enumerate(qubits):
        source |= ((column[local] >> (width - 1 - j)) & 1) << q
    return _Gather(source, value[local])


def _unitary(name: str, angle: float) -> np.ndarray:
    if name in _FIXED:
        return _FIXED[name]
    generator = _GENERATORS[name]
    identity = np.eye(len(generator))
    return np.cos(angle / 2) * identity - 1j * np.sin(angle / 2) * generator
