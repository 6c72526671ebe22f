"""The ansatz on a PennyLane device (``lightning.qubit``, ``default.qubit``, ...).

A batch θ of shape (B, P) is passed transposed, so every gate receives a (B,) vector of
angles: PennyLane's parameter broadcasting turns that into one tape of batch size B and
one device execution (``default.qubit`` simulates the batch as one array; lightning
splits it into B tapes inside the device pipeline, not in our code).

Shots: finite-shot sampling uses tape-level shots (``QuantumScript(..., shots=N)``; the
device-level ``shots=`` argument is deprecated in PennyLane 0.43+) on a device created per
call with ``seed=`` drawn from the objective's rng, so the draws are reproducible.
The exact gradient is PennyLane's adjoint differentiation (Jones & Gacon,
arXiv:2009.02823): one forward and one backward sweep over the statevector, the circuit
analogue of backpropagation.

Outcome probabilities (the default ``sampled`` path) come from one broadcast ``qml.state``
execution; the measurement bases are applied to those states in NumPy
(:mod:`circuits.measurement`), the same code as for Aer. With device noise
(:class:`circuits.noise.DepolarizingNoise`) the state is the density matrix of
``default.mixed``, with the channel's Kraus operators after every ansatz gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pennylane as qml
from pennylane import numpy as pnp
from qiskit.quantum_info import SparsePauliOp

from circuits.ansatz import Circuit, Gate, measurement_basis_change
from circuits.measurement import basis_probabilities, with_readout_error
from circuits.noise import DepolarizingNoise

_GATES: dict[str, Callable[..., qml.operation.Operator]] = {
    "ry": qml.RY,
    "rz": qml.RZ,
    "cx": qml.CNOT,
    "h": qml.Hadamard,
    "sdg": lambda wires: qml.adjoint(qml.S(wires)),
}


def pennylane_operations(gates: Sequence[Gate], theta: Any) -> list[qml.operation.Operator]:
    """The gates as PennyLane operations; ``theta[k]`` is a scalar or a (B,) batch.
    Inside a QNode the operations queue themselves; outside they form a tape's op list."""
    ops = []
    for gate in gates:
        angle = () if gate.parameter is None else (theta[gate.parameter],)
        ops.append(_GATES[gate.name](*angle, wires=list(gate.qubits)))
    return ops


def to_pennylane(operator: SparsePauliOp) -> qml.operation.Operator:
    """A ``SparsePauliOp`` as a PennyLane linear combination; Qiskit qubit q is wire q."""
    words = [
        qml.pauli.PauliWord({q: p for q, p in enumerate(reversed(label)) if p != "I"}).operation()
        for label in operator.paulis.to_labels()
    ]
    return qml.Hamiltonian(operator.coeffs.real.tolist(), words)


class PennyLaneBackend:
    """Exact expectations, adjoint gradients and seeded samples on one named device."""

    def __init__(
        self,
        circuit: Circuit,
        hamiltonian: SparsePauliOp,
        observables: Sequence[SparsePauliOp] = (),
        bases: Sequence[str] = (),
        *,
        device: str = "lightning.qubit",
        noise: DepolarizingNoise | None = None,
    ):
        self._circuit = circuit
        self._device_name = device
        self._device = qml.device(device, wires=circuit.num_qubits)
        self._bases = tuple(bases)
        self._basis_changes = [measurement_basis_change(basis) for basis in bases]
        measure_energy = self._measure(lambda: qml.expval(to_pennylane(hamiltonian)))
        aux = [to_pennylane(o) for o in observables]
        self._energy = qml.QNode(measure_energy, self._device, diff_method=None)
        self._adjoint_energy = qml.QNode(measure_energy, self._device, diff_method="adjoint")
        self._expectations = qml.QNode(
            self._measure(lambda: [qml.expval(o) for o in aux]), self._device, diff_method=None
        )
        self._state = qml.QNode(self._measure(qml.state), self._device, diff_method=None)
        self._noise = noise
        if noise is not None:
            mixed = qml.device("default.mixed", wires=circuit.num_qubits)
            self._density_matrix = qml.QNode(self._noisy_state, mixed, diff_method=None)

    def _noisy_state(self, theta: Any) -> Any:
        """The ansatz with the noise channel after every gate; returns ρ."""
        assert self._noise is not None
        kraus = {k: self._noise.kraus(k) for k in (1, 2)}
        with qml.QueuingManager.stop_recording():
            operations = pennylane_operations(self._circuit.gates, theta)
        for gate, operation in zip(self._circuit.gates, operations, strict=True):
            qml.apply(operation)
            qml.QubitChannel(kraus[len(gate.qubits)], wires=list(gate.qubits))
        return qml.state()

    def _measure(self, measurements: Callable[[], Any]) -> Callable[[Any], Any]:
        def qfunc(theta: Any) -> Any:
            pennylane_operations(self._circuit.gates, theta)
            return measurements()

        return qfunc

    def energy(self, thetas: np.ndarray) -> np.ndarray:
        return np.reshape(self._energy(thetas.T), len(thetas))

    def expectations(self, thetas: np.ndarray) -> np.ndarray:
        """(B, K): the QNode returns K arrays of shape (B,)."""
        return np.reshape(np.stack(self._expectations(thetas.T), axis=-1), (len(thetas), -1))

    def energy_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """<H> and ∇<H> at one θ by adjoint differentiation (``qml.grad`` keeps the forward
        value it computed on the way, so the energy costs no extra circuit)."""
        differentiate = qml.grad(self._adjoint_energy)
        gradient = differentiate(pnp.array(theta, requires_grad=True))
        return float(differentiate.forward), np.asarray(gradient, dtype=float)

    def sample(self, thetas: np.ndarray, shots: int, seed: int) -> list[np.ndarray]:
        """All measurement bases as tapes of one ``qml.execute`` call on a fresh device
        seeded with ``seed``; bits (B, shots, qubits), column q = wire q."""
        n = self._circuit.num_qubits
        tapes = [
            qml.tape.QuantumScript(
                pennylane_operations((*self._circuit.gates, *change), thetas.T),
                [qml.sample(wires=range(n))],
                shots=shots,
            )
            for change in self._basis_changes
        ]
        device = qml.device(self._device_name, wires=n, seed=seed)
        return [np.reshape(bits, (len(thetas), shots, n)).astype(bool) for bits in qml.execute(tapes, device)]

    def basis_probabilities(self, thetas: np.ndarray) -> np.ndarray:
        """(B, G, 2^n): one broadcast state execution, rotated into each basis in NumPy
        (with noise: of the density matrices, then the readout error)."""
        if self._noise is None:
            return basis_probabilities(self._states(thetas.T, len(thetas)), self._bases)
        n, rows = self._circuit.num_qubits, len(thetas)
        rho = np.asarray(self._density_matrix(thetas.T)).reshape((rows,) + (2,) * (2 * n))
        little_endian = (0, *reversed(range(1, n + 1)), *reversed(range(n + 1, 2 * n + 1)))
        rho = rho.transpose(little_endian).reshape(rows, 1 << n, 1 << n)
        probabilities = basis_probabilities(rho, self._bases)
        return with_readout_error(probabilities, self._noise.confusion(n))

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """(B, 2^n) states ψ(θ_b) reordered to Qiskit's little-endian order (PennyLane puts
        wire 0 first), one broadcast execution."""
        return self._states(thetas.T, len(thetas))

    def _states(self, theta: Any, rows: int) -> np.ndarray:
        """(rows, 2^n) little-endian states: reversing the n wire axes puts qubit 0 last."""
        n = self._circuit.num_qubits
        states = np.asarray(self._state(theta)).reshape((rows,) + (2,) * n)
        return states.transpose(0, *reversed(range(1, n + 1))).reshape(rows, -1)
