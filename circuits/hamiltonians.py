"""The Hamiltonians of the registered problems (:mod:`circuits.problems`) as Qiskit ``SparsePauliOp``.

Qubit ``q`` of every operator is qubit ``q`` of the ansatz on both backends (Qiskit's
little-endian label order: the rightmost character of a Pauli label acts on qubit 0);
``from_sparse_list`` keeps that bookkeeping out of the coefficient tables below.
"""

from __future__ import annotations

from qiskit.quantum_info import SparsePauliOp

# H2 at R = 0.735 Å, STO-3G, energies in Hartree *including* the nuclear repulsion
# E_nuc = 0.7199689944489797 Ha, so both forms share the ground energy -1.137306 Ha (FCI).
#
# 2 qubits: parity mapping with two-qubit reduction, the operator printed in Qiskit's
# "Introduction to algorithms" / VQE tutorials (electronic part: II -1.052373245772859,
# IZ 0.39793742484318045, ZI -0.39793742484318045, ZZ -0.01128010425623538,
# XX 0.18093119978423156); the identity coefficient below adds E_nuc.
# 4 qubits: Jordan-Wigner mapping (spin orbitals 0α, 0β, 1α, 1β on qubits 0..3), the
# 15-term operator of O'Malley et al., PRX 6, 031007 (2016) and Qiskit Nature's
# JordanWignerMapper; coefficients as produced by PennyLane's differentiable Hartree-Fock
# (Arrazola et al., arXiv:2111.09967), which ``tests/circuits`` re-derives.
H2_NUCLEAR_REPULSION = 0.7199689944489797
_H2_TWO_QUBIT: list[tuple[str, list[int], float]] = [
    ("", [], -1.052373245772859 + H2_NUCLEAR_REPULSION),
    ("Z", [0], 0.39793742484318045),
    ("Z", [1], -0.39793742484318045),
    ("ZZ", [0, 1], -0.01128010425623538),
    ("XX", [0, 1], 0.18093119978423156),
]
_H2_FOUR_QUBIT: list[tuple[str, list[int], float]] = [
    ("", [], -0.09057899432625807),
    ("Z", [0], 0.1721839329696129),
    ("Z", [1], 0.17218393296961293),
    ("Z", [2], -0.2257534879426229),
    ("Z", [3], -0.22575348794262284),
    ("ZZ", [0, 1], 0.16892753907070213),
    ("ZZ", [0, 2], 0.12091263253334389),
    ("ZZ", [1, 2], 0.16614543232862047),
    ("ZZ", [0, 3], 0.16614543232862047),
    ("ZZ", [1, 3], 0.12091263253334389),
    ("ZZ", [2, 3], 0.1746434299034974),
    ("YXXY", [0, 1, 2, 3], 0.04523279979527658),
    ("YYXX", [0, 1, 2, 3], -0.04523279979527658),
    ("XXYY", [0, 1, 2, 3], -0.04523279979527658),
    ("XYYX", [0, 1, 2, 3], 0.04523279979527658),
]


def _bonds(n: int, periodic: bool) -> list[tuple[int, int]]:
    """Nearest-neighbour pairs of a chain; the closing bond only when it is a new pair."""
    bonds = [(i, i + 1) for i in range(n - 1)]
    return bonds + [(n - 1, 0)] if periodic and n > 2 else bonds


def ising_terms(n: int, h: float, periodic: bool = False) -> tuple[SparsePauliOp, SparsePauliOp]:
    """The two commuting parts of the transverse-field Ising chain: -Σ_<ij> Z_i Z_j and -h Σ_i X_i."""
    bonds = SparsePauliOp.from_sparse_list([("ZZ", list(b), -1.0) for b in _bonds(n, periodic)], n)
    return bonds, SparsePauliOp.from_sparse_list([("X", [i], -h) for i in range(n)], n)


def transverse_field_ising(n: int, h: float, periodic: bool = False) -> SparsePauliOp:
    """H = -Σ_<ij> Z_i Z_j - h Σ_i X_i (coupling J = 1; critical at h = 1 for large n)."""
    bonds, fields = ising_terms(n, h, periodic)
    return (bonds + fields).simplify()


def heisenberg_xxz(n: int, delta: float, periodic: bool = False) -> SparsePauliOp:
    """H = Σ_<ij> (X_i X_j + Y_i Y_j + Δ Z_i Z_j) (antiferromagnetic, J = 1; Δ = 1 is XXX)."""
    couplings = (("XX", 1.0), ("YY", 1.0), ("ZZ", delta))
    terms = [(pauli, list(b), c) for b in _bonds(n, periodic) for pauli, c in couplings]
    return SparsePauliOp.from_sparse_list(terms, n).simplify()


def hydrogen_molecule(n: int) -> SparsePauliOp:
    """H2 at 0.735 Å in STO-3G: the 2-qubit (parity, reduced) or 4-qubit (Jordan-Wigner) form."""
    table = {2: _H2_TWO_QUBIT, 4: _H2_FOUR_QUBIT}[n]
    return SparsePauliOp.from_sparse_list(table, n)
