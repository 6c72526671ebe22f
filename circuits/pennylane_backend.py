"""A circuit on a PennyLane device (``lightning.qubit``, ``default.qubit``, ...).

The circuit is a :class:`~circuits.pennylane_circuit.PennyLaneCircuit`: a quantum function, a
user's or a built-in ansatz rendered from its gate list. A batch θ of shape (B, P) becomes B tapes
(a user's function takes one row), or, for a broadcasting function (the built-in ansätze), one tape
whose every gate receives a (B,) vector of angles; either way one ``qml.execute`` call runs the batch
(``default.qubit`` simulates a broadcast tape as one array; lightning splits it into B tapes
inside the device pipeline).

Shots: finite-shot sampling uses tape-level shots (``QuantumScript(..., shots=N)``; the
device-level ``shots=`` argument is deprecated in PennyLane 0.43+) on a device created per
call with ``seed=`` drawn from the objective's rng, so the draws are reproducible.
The exact gradient is PennyLane's adjoint differentiation (Jones & Gacon,
arXiv:2009.02823): one forward and one backward sweep over the statevector, the circuit
analogue of backpropagation.

Outcome probabilities (the default ``sampled`` path) come from one ``qml.state``
execution; the measurement bases are applied to those states in NumPy
(:mod:`circuits.measurement`), the same code as for Aer. With device noise
(:class:`circuits.noise.DepolarizingNoise`) the state is the density matrix of
``default.mixed``, with the channel's Kraus operators after every 1- and 2-qubit gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pennylane as qml
from pennylane import numpy as pnp
from qiskit.quantum_info import SparsePauliOp

from circuits.ansatz import Gate, measurement_basis_change
from circuits.measurement import basis_probabilities, with_readout_error
from circuits.noise import DepolarizingNoise
from circuits.pennylane_circuit import PennyLaneCircuit, to_pennylane

_GATES: dict[str, Callable[..., qml.operation.Operator]] = {
    "ry": qml.RY,
    "rz": qml.RZ,
    "cx": qml.CNOT,
    "h": qml.Hadamard,
    "s": qml.S,
    "sdg": lambda wires: qml.adjoint(qml.S(wires)),
    "rx": qml.RX,
    "rzz": qml.IsingZZ,
    "rxx": qml.IsingXX,
    "ryy": qml.IsingYY,
    "cz": qml.CZ,
    "x": qml.X,
}


def pennylane_operations(gates: Sequence[Gate], theta: Any) -> list[qml.operation.Operator]:
    """The gates as PennyLane operations; ``theta[k]`` is a scalar or a (B,) batch.
    Inside a QNode the operations queue themselves; outside they form a tape's op list."""
    ops = []
    for gate in gates:
        angle = () if gate.parameter is None else (gate.angle(theta),)
        ops.append(_GATES[gate.name](*angle, wires=list(gate.qubits)))
    return ops


class PennyLaneBackend:
    """Exact expectations, adjoint gradients and seeded samples on one named device."""

    def __init__(
        self,
        circuit: PennyLaneCircuit,
        hamiltonian: SparsePauliOp,
        observables: Sequence[SparsePauliOp] = (),
        bases: Sequence[str] = (),
        *,
        device: str = "lightning.qubit",
        noise: DepolarizingNoise | None = None,
    ):
        self._circuit = circuit
        self._wires = circuit.wires
        self._device_name = device
        self._device = qml.device(device, wires=self._wires)
        self._bases = tuple(bases)
        self._basis_changes = [self._on_wires(measurement_basis_change(basis)) for basis in bases]
        self._hamiltonian = to_pennylane(hamiltonian, self._wires)
        self._observables = [to_pennylane(o, self._wires) for o in observables]
        self._adjoint_energy = qml.QNode(self._energy_function, self._device, diff_method="adjoint")
        self._noise = noise
        if noise is not None:
            self._mixed = qml.device("default.mixed", wires=self._wires)

    def _on_wires(self, gates: Sequence[Gate]) -> list[qml.operation.Operator]:
        """Gates on qubit indices as operations on the circuit's wires."""
        return pennylane_operations(
            [g._replace(qubits=tuple(self._wires[q] for q in g.qubits)) for g in gates], ()
        )

    def _energy_function(self, theta: Any) -> Any:
        for operation in self._circuit.record(theta):
            qml.apply(operation)
        return qml.expval(self._hamiltonian)

    def _run(self, thetas: np.ndarray, measurements: Callable[[], list[Any]], width: int) -> np.ndarray:
        """One ``qml.execute`` of the batch's tapes; (B, width) results."""
        results = qml.execute(self._circuit.batch_tapes(thetas, measurements), self._device)
        rows = [np.stack(r, axis=-1) if isinstance(r, tuple | list) else np.asarray(r) for r in results]
        return np.concatenate([np.reshape(r, (-1, width)) for r in rows])

    def energy(self, thetas: np.ndarray) -> np.ndarray:
        return self._run(thetas, lambda: [qml.expval(self._hamiltonian)], 1)[:, 0]

    def expectations(self, thetas: np.ndarray) -> np.ndarray:
        """(B, K): K expectations per row."""
        observables = self._observables
        return self._run(thetas, lambda: [qml.expval(o) for o in observables], len(observables))

    def energy_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """<H> and ∇<H> at one θ by adjoint differentiation (``qml.grad`` keeps the forward
        value it computed on the way, so the energy costs no extra circuit)."""
        differentiate = qml.grad(self._adjoint_energy)
        gradient = differentiate(pnp.array(theta, requires_grad=True))
        return float(differentiate.forward), np.asarray(gradient, dtype=float)

    def sample(self, thetas: np.ndarray, shots: int, seed: int) -> list[np.ndarray]:
        """All measurement bases as tapes of one ``qml.execute`` call on a fresh device
        seeded with ``seed``; bits (B, shots, qubits), column q = wire q."""
        n, wires = self._circuit.num_qubits, self._wires
        per_basis = [
            self._circuit.batch_tapes(thetas, lambda: [qml.sample(wires=wires)], change, shots)
            for change in self._basis_changes
        ]
        device = qml.device(self._device_name, wires=wires, seed=seed)
        results = qml.execute([t for tapes in per_basis for t in tapes], device)
        count = len(per_basis[0]) if per_basis else 0
        return [
            np.concatenate(
                [np.reshape(r, (-1, shots, n)) for r in results[g * count : (g + 1) * count]]
            ).astype(bool)
            for g in range(len(per_basis))
        ]

    def basis_probabilities(self, thetas: np.ndarray) -> np.ndarray:
        """(B, G, 2^n): one state execution of the batch, rotated into each basis in NumPy
        (with noise: of the density matrices, then the readout error)."""
        if self._noise is None:
            return basis_probabilities(self.statevectors(thetas), self._bases)
        n, rows = self._circuit.num_qubits, len(thetas)
        rho = self._noisy_states(thetas).reshape((rows,) + (2,) * (2 * n))
        little_endian = (0, *reversed(range(1, n + 1)), *reversed(range(n + 1, 2 * n + 1)))
        rho = rho.transpose(little_endian).reshape(rows, 1 << n, 1 << n)
        probabilities = basis_probabilities(rho, self._bases)
        return with_readout_error(probabilities, self._noise.confusion(n))

    def _noisy_states(self, thetas: np.ndarray) -> np.ndarray:
        """Density matrices on ``default.mixed``: the noise channel after every 1- and 2-qubit gate."""
        assert self._noise is not None
        kraus = {k: self._noise.kraus(k) for k in (1, 2)}
        tapes = [
            qml.tape.QuantumScript(
                [part for op in ops for part in (op, *_channel(kraus, op))],
                [qml.state()],
            )
            for ops in self._circuit.operations(thetas)
        ]
        dimension = 1 << self._circuit.num_qubits
        return np.concatenate(
            [np.reshape(r, (-1, dimension, dimension)) for r in qml.execute(tapes, self._mixed)]
        )

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """(B, 2^n) states ψ(θ_b) reordered to Qiskit's little-endian order (PennyLane puts
        wire 0 first; reversing the n wire axes puts qubit 0 last), one execution."""
        n, rows = self._circuit.num_qubits, len(thetas)
        states = self._run(thetas, lambda: [qml.state()], 1 << n).reshape((rows,) + (2,) * n)
        return states.transpose(0, *reversed(range(1, n + 1))).reshape(rows, -1)


def _channel(
    kraus: dict[int, list[np.ndarray]], op: qml.operation.Operator
) -> tuple[qml.operation.Operator, ...]:
    """The depolarizing channel after a 1- or 2-qubit gate (none after wider gates)."""
    width = len(op.wires)
    return (qml.QubitChannel(kraus[width], wires=op.wires),) if width in kraus else ()
