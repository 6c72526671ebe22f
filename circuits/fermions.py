"""Fermionic operators on qubits by the Jordan-Wigner transformation, as ``SparsePauliOp``.

Mode j is qubit j (|1> = occupied) and a_j = Z_0 ⋯ Z_{j-1} (X_j + iY_j)/2 (Jordan & Wigner,
Z. Phys. 47, 631 (1928)): the Z string gives the anticommutation {a_i, a_j†} = δ_ij. This is
PennyLane's convention (``qml.jordan_wigner``: wire j = mode j, string on the lower wires),
so the Hubbard and molecular Hamiltonians and the UCCSD generators built here and there
agree term by term. Products are formed with Qiskit's Pauli algebra, so every operator is
exact by construction rather than a hand-written table of strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from qiskit.quantum_info import SparsePauliOp


def annihilation(mode: int, num_modes: int) -> SparsePauliOp:
    """a_j = Z_0 ⋯ Z_{j-1} (X_j + iY_j)/2, which maps |1>_j to |0>_j."""
    string = [
        ("Z" * mode + pauli, list(range(mode + 1)), weight) for pauli, weight in (("X", 0.5), ("Y", 0.5j))
    ]
    return SparsePauliOp.from_sparse_list(string, num_modes)


def creation(mode: int, num_modes: int) -> SparsePauliOp:
    return annihilation(mode, num_modes).adjoint()


def number(mode: int, num_modes: int) -> SparsePauliOp:
    """n_j = a_j† a_j = (1 - Z_j)/2."""
    return SparsePauliOp.from_sparse_list([("", [], 0.5), ("Z", [mode], -0.5)], num_modes)


def hopping(p: int, q: int, num_modes: int) -> SparsePauliOp:
    """a_p† a_q + a_q† a_p = (X_p Z⋯Z X_q + Y_p Z⋯Z Y_q)/2 (for p < q)."""
    term = creation(p, num_modes) @ annihilation(q, num_modes)
    return (term + term.adjoint()).simplify()


def excitation_generator(occupied: Sequence[int], virtual: Sequence[int], num_modes: int) -> SparsePauliOp:
    """G = i (T - T†) with T = a_{v1}† ⋯ a_{vk}† a_{ok} ⋯ a_{o1}, the Hermitian generator of the
    unitary coupled-cluster factor exp(θ (T - T†)) = exp(-iθ G) (Romero et al., Quantum Sci.
    Technol. 4, 014008 (2018)). Its Pauli terms (2 for a single, 8 for a double excitation)
    commute, so exp(-iθ G) is exactly the product of their rotations."""
    excitation = SparsePauliOp.from_sparse_list([("", [], 1.0)], num_modes)
    for mode in virtual:
        excitation = excitation @ creation(mode, num_modes)
    for mode in reversed(occupied):
        excitation = excitation @ annihilation(mode, num_modes)
    return (1j * (excitation - excitation.adjoint())).simplify()
