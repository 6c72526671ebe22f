"""Unitary coupled cluster with singles and doubles (UCCSD) on the Hartree-Fock reference.

|ψ(θ)> = Π_k exp(θ_k (T_k - T_k†)) |HF>, one factor per spin-conserving single (i → a) and
double (i j → a b) excitation from occupied to virtual spin orbitals (Peruzzo et al., Nat.
Commun. 5, 4213 (2014); Romero et al., Quantum Sci. Technol. 4, 014008 (2018)), doubles
first, then singles, each factor once (one Trotter step, as PennyLane's and Qiskit Nature's
UCCSD). Each factor is exp(-iθ G) with G = i(T - T†) Jordan-Wigner mapped
(:func:`circuits.fermions.excitation_generator`): 2 (single) or 8 (double) commuting Pauli
strings, so one θ_k drives 2 or 8 RZ gates at angles ±θ_k or ±θ_k/4.

Spin orbitals as in :mod:`circuits.molecules`: qubit 2k is α and 2k+1 is β of spatial orbital
k, and the Hartree-Fock state fills qubits 0 … electrons - 1. θ = 0 is the Hartree-Fock state.
Parameters (Qiskit's sorted order): θ_d[0…] (doubles) then θ_s[0…] (singles).
"""

from __future__ import annotations

from itertools import combinations

from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector

from circuits.fermions import excitation_generator
from circuits.pauli_rotations import append_commuting_evolution
from zeroth_q.config import require

Excitation = tuple[tuple[int, ...], tuple[int, ...]]


def excitations(electrons: int, orbitals: int) -> tuple[tuple[Excitation, ...], tuple[Excitation, ...]]:
    """(doubles, singles) that conserve S_z: the spins (qubit parity) of the occupied and of
    the virtual spin orbitals agree as multisets."""
    qubits = 2 * orbitals
    occupied, virtual = range(electrons), range(electrons, qubits)

    def spins(modes: tuple[int, ...]) -> list[int]:
        return sorted(m % 2 for m in modes)

    def allowed(rank: int) -> tuple[Excitation, ...]:
        return tuple(
            (i, a)
            for i in combinations(occupied, rank)
            for a in combinations(virtual, rank)
            if spins(i) == spins(a)
        )

    return allowed(2), allowed(1)


def uccsd(electrons: int, orbitals: int) -> QuantumCircuit:
    """UCCSD for ``electrons`` in ``orbitals`` spatial orbitals (2 · orbitals qubits)."""
    require(
        0 < electrons < 2 * orbitals,
        f"UCCSD needs 0 < electrons < 2 · orbitals = {2 * orbitals} (some occupied and some "
        f"virtual spin orbital), got electrons={electrons}.",
    )
    qubits = 2 * orbitals
    doubles, singles = excitations(electrons, orbitals)
    circuit = QuantumCircuit(qubits, name="uccsd")
    circuit.x(range(electrons))
    for name, chosen in (("θ_d", doubles), ("θ_s", singles)):
        theta = ParameterVector(name, len(chosen))
        for k, (occupied, virtual) in enumerate(chosen):
            append_commuting_evolution(circuit, excitation_generator(occupied, virtual, qubits), theta[k])
    return circuit
