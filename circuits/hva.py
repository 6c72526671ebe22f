"""The Hamiltonian variational ansatz (HVA): layers of the Hamiltonian's own terms, one angle each.

Start from the ground state of an easy part of H, then apply ``reps`` layers
Π_k exp(-i θ_{l,k} H_k) over a split H = Σ_k H_k into parts whose terms commute, with one
angle per part and layer shared by all its gates (Wecker, Hastings & Troyer, PRA 92,
042303 (2015)). It keeps the symmetries of H, and with depth ~ n/2 it represents the ground
states that a hardware-efficient ansatz of the same size cannot (Wiersema et al., PRX Quantum
1, 020319 (2020)). Angles enter as the gates' own (RZZ(θ) = exp(-iθ ZZ/2), RX(θ) =
exp(-iθ X/2)), so a part's coupling constant is absorbed in its angle.

- :func:`ising_hva` (TFIM H = -Σ Z_i Z_{i+1} - h Σ X_i): |+>^n, the ground state of the
  field term; layers RZZ(θ_l) on every bond then RX(φ_l) on every qubit. P = 2 reps.
- :func:`xxz_hva` (XXZ H = Σ X X + Y Y + Δ Z Z): singlets (|01> - |10>)/√2 on the even bonds
  (0,1), (2,3), …, the ground state of the even-bond part; layers ZZ(odd), XX+YY(odd), ZZ(even),
  XX+YY(even), as Wiersema et al. Fig. 1. P = 4 reps.
- :func:`hubbard_hva` (Fermi-Hubbard): on each snake-order dimer (sites 2k, 2k+1) one ↑ and one
  ↓ electron in the bonding orbital (|10> + |01>)/√2, the half-filled ground state of the
  hopping on those dimers; layers exp(-iθ_U Σ_i Z_i↑ Z_i↓/2) (the on-site term up to a constant in
  the sector) then exp(-iθ_c Σ_σ,(ij)∈c (XZ⋯ZX + YZ⋯ZY)/2) for each class c of disjoint bonds
  (Cade et al., PRB 102, 235122 (2020); Jones, Mineh & Montanaro, arXiv:2411.13742).
  P = (1 + classes) reps. The dimer start is exact for U = 0 on two sites; Cade et al. start
  from the non-interacting ground state (Givens rotations), which this does not build.
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector

from circuits.fermi_hubbard import HubbardLattice
from circuits.fermions import hopping
from circuits.pauli_rotations import append_commuting_evolution
from zeroth_q.config import require

Bond = tuple[int, int]


def chain_bonds(num_qubits: int, periodic: bool) -> tuple[Bond, ...]:
    """(i, i + 1) along the chain, and the closing (n - 1, 0) when periodic and new (n > 2)."""
    bonds = tuple((i, i + 1) for i in range(num_qubits - 1))
    return bonds + ((num_qubits - 1, 0),) if periodic and num_qubits > 2 else bonds


def ising_hva(num_qubits: int, reps: int, periodic: bool = False) -> QuantumCircuit:
    require(reps >= 1, f"the HVA needs reps >= 1 layers, got {reps}.")
    zz, x = ParameterVector("θ_zz", reps), ParameterVector("θ_x", reps)
    circuit = QuantumCircuit(num_qubits, name="ising_hva")
    circuit.h(range(num_qubits))
    for layer in range(reps):
        for i, j in chain_bonds(num_qubits, periodic):
            circuit.rzz(zz[layer], i, j)
        circuit.rx(x[layer], range(num_qubits))
    return circuit


def xxz_hva(num_qubits: int, reps: int, periodic: bool = False) -> QuantumCircuit:
    require(reps >= 1, f"the HVA needs reps >= 1 layers, got {reps}.")
    require(
        num_qubits % 2 == 0,
        f"the XXZ HVA starts from singlets on pairs of qubits: qubits must be even, got {num_qubits}.",
    )
    names = ("θ_zz_odd", "θ_xy_odd", "θ_zz_even", "θ_xy_even")
    angles = [ParameterVector(name, reps) for name in names]
    circuit = QuantumCircuit(num_qubits, name="xxz_hva")
    for i in range(0, num_qubits, 2):
        circuit.x(i)
        circuit.h(i)
        circuit.cx(i, i + 1)
        circuit.x(i + 1)
    bonds = chain_bonds(num_qubits, periodic)
    odd, even = [b for b in bonds if b[0] % 2 == 1], [b for b in bonds if b[0] % 2 == 0]
    for layer in range(reps):
        for part, (zz, xy) in ((odd, angles[:2]), (even, angles[2:])):
            for i, j in part:
                circuit.rzz(zz[layer], i, j)
            for i, j in part:
                circuit.rxx(xy[layer], i, j)
                circuit.ryy(xy[layer], i, j)
    return circuit


def hubbard_hva(lattice: HubbardLattice, reps: int) -> QuantumCircuit:
    require(reps >= 1, f"the HVA needs reps >= 1 layers, got {reps}.")
    n, sites = lattice.num_qubits, lattice.num_sites
    classes = lattice.bond_classes()
    on_site = ParameterVector("θ_u", reps)
    hops = [ParameterVector(f"θ_hop{c}", reps) for c in range(len(classes))]
    circuit = QuantumCircuit(n, name="hubbard_hva")
    for spin in (0, 1):
        for site in range(0, sites, 2):
            a, b = lattice.qubit(site, spin), lattice.qubit(site + 1, spin)
            circuit.h(a)  # (|0> + |1>)|0>/√2 → (|00> + |11>)/√2 → (|01> + |10>)/√2
            circuit.cx(a, b)
            circuit.x(b)
    for layer in range(reps):
        for site in range(sites):
            circuit.rzz(on_site[layer], lattice.qubit(site, 0), lattice.qubit(site, 1))
        for bonds, angle in zip(classes, hops, strict=True):
            for spin in (0, 1):
                for i, j in bonds:
                    term = hopping(lattice.qubit(i, spin), lattice.qubit(j, spin), n)
                    append_commuting_evolution(circuit, term, angle[layer])
    return circuit
