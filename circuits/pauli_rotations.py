"""exp(-i φ P / 2) for any Pauli string P, in the gates every backend runs natively.

P = V† (Z ⊗ … ⊗ Z) V with V = H on X qubits and H S† on Y qubits (H Z H = X, S X S† = Y),
and Z ⊗ … ⊗ Z rotates as a CNOT parity ladder around one RZ(φ) (Nielsen & Chuang §4.7.3).
The angle may be a ``ParameterExpression`` (e.g. 2cθ for a shared coupled-cluster
amplitude); it drives exactly one RZ, so the two-term parameter-shift rule holds per
occurrence.
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import ParameterExpression
from qiskit.quantum_info import Pauli, SparsePauliOp


def append_pauli_rotation(circuit: QuantumCircuit, pauli: Pauli, angle: float | ParameterExpression) -> None:
    """Append exp(-i angle P / 2) (P's phase must be +1: a Hermitian string)."""
    support = [q for q in range(pauli.num_qubits) if pauli.x[q] or pauli.z[q]]
    if not support:
        return  # a global phase
    change = QuantumCircuit(circuit.num_qubits)
    for q in support:
        if pauli.x[q] and pauli.z[q]:
            change.sdg(q)
        if pauli.x[q]:
            change.h(q)
    ladder = QuantumCircuit(circuit.num_qubits)
    for control, target in zip(support, support[1:], strict=False):
        ladder.cx(control, target)
    circuit.compose(change, inplace=True)
    circuit.compose(ladder, inplace=True)
    circuit.rz(angle, support[-1])
    circuit.compose(ladder.inverse(), inplace=True)
    circuit.compose(change.inverse(), inplace=True)


def append_commuting_evolution(
    circuit: QuantumCircuit, generator: SparsePauliOp, theta: ParameterExpression
) -> None:
    """Append exp(-i θ G) for G = Σ_k c_k P_k with commuting terms and real c_k: exactly the
    product of the rotations exp(-i (2 c_k θ) P_k / 2), in any order."""
    for pauli, coefficient in zip(generator.paulis, generator.coeffs, strict=True):
        if abs(coefficient.imag) > 1e-12:
            raise ValueError(
                f"the generator's term {pauli} has a complex coefficient {coefficient}: not Hermitian."
            )
        append_pauli_rotation(circuit, pauli, 2 * float(coefficient.real) * theta)
