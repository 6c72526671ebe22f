"""The hardware-efficient ansatz as a backend-neutral gate list.

Both backends render the *same* tuple of :class:`Gate` records, so the parameter order
(``theta[k]`` drives the gate with ``parameter == k``) and the qubit order are identical
by construction, not by two hand-written copies kept in sync.

Hardware-efficient ansatz (Kandala et al., Nature 549, 242 (2017)): ``reps + 1`` layers
of single-qubit rotations RY(θ) then RZ(θ) on every qubit, separated by ``reps``
entanglers of CNOTs along the chain 0→1→…→n-1. Parameters: P = 2 n (reps + 1).
Every parameter enters one Pauli rotation exp(-iθσ/2), so the two-term parameter-shift
rule ∂f = [f(θ + π/2) - f(θ - π/2)] / 2 is exact (Schuld et al., PRA 99, 032331 (2019)).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

GateName = Literal["rx", "ry", "rz", "rxx", "ryy", "rzz", "cx", "cz", "h", "s", "sdg", "x"]


class Gate(NamedTuple):
    """One gate: ``name`` on ``qubits`` (control first), driven by the angle
    ``scale · theta[parameter]`` when ``parameter`` is not None (rotations exp(-i a P/2), Qiskit's
    and PennyLane's convention for every name above; a parameter may drive many gates)."""

    name: GateName
    qubits: tuple[int, ...]
    parameter: int | None = None
    scale: float = 1.0

    def angle(self, theta: Any) -> Any:
        """The gate's angle for parameters ``theta`` (numbers, (B,) arrays or Qiskit Parameters)."""
        assert self.parameter is not None
        value = theta[self.parameter]
        return value if self.scale == 1.0 else self.scale * value


class Circuit(NamedTuple):
    """``gates`` on ``num_qubits`` qubits driven by ``num_parameters`` angles, and where training
    starts (``initial_point``: ``small``, ``zeros`` or ``uniform``, as
    :meth:`circuits.objective.CircuitObjective.initial_point`; e.g. UCCSD at θ = 0, Hartree-Fock)."""

    num_qubits: int
    num_parameters: int
    gates: tuple[Gate, ...]
    initial_point: str = "small"


def hardware_efficient(num_qubits: int, reps: int) -> Circuit:
    num_parameters = 2 * num_qubits * (reps + 1)
    parameter = iter(range(num_parameters))
    gates: list[Gate] = []
    for layer in range(reps + 1):
        for rotation in ("ry", "rz"):
            gates += [Gate(rotation, (q,), next(parameter)) for q in range(num_qubits)]
        if layer < reps:
            gates += [Gate("cx", (q, q + 1)) for q in range(num_qubits - 1)]
    return Circuit(num_qubits, num_parameters, tuple(gates))


def measurement_basis_change(basis: str) -> tuple[Gate, ...]:
    """Gates rotating each qubit's measured Pauli onto Z, for a basis label such as
    ``"XZIY"`` (Qiskit order: the last character is qubit 0).

    X = H Z H, and Y = (S H) Z (S H)†: apply S† then H before a Z measurement.
    """
    gates: list[Gate] = []
    for q, pauli in enumerate(reversed(basis)):
        if pauli == "Y":
            gates.append(Gate("sdg", (q,)))
        if pauli in "XY":
            gates.append(Gate("h", (q,)))
    return tuple(gates)
