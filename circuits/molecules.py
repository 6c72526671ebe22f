"""Molecular Hamiltonians in STO-3G (H2, LiH, BeH2, H4), Jordan-Wigner mapped, in an active space.

Built offline by PennyLane's differentiable Hartree-Fock (``qml.qchem.molecular_hamiltonian``
with ``method="dhf"``; Arrazola et al., Quantum 6, 742 (2022)): integrals in pure NumPy, no
PySCF, no network. Spin orbitals are interleaved, α on even and β on odd qubits, by
increasing orbital energy (PennyLane's order: wire w is qubit w), energies in Hartree with
the nuclear and frozen-core energy in the identity term.

Why built lazily and cached, not shipped: the bond length is a parameter (dissociation
curves are the point of the molecule benchmarks), so no finite set of files covers it; the
build takes 1-5 s (LiH 6 qubits 2.1 s, BeH2 12 qubits 4.2 s, measured) plus PennyLane's 2.8 s
import. So PennyLane is imported only here, only when a ``molecule`` Hamiltonian is not yet
in the disk cache (:mod:`circuits.disk_cache`, keyed by molecule, geometry and active
space): the other problems, and every later run of the same molecule, never import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple, get_args

import numpy as np

from circuits import disk_cache
from zeroth_q.config import require
from zeroth_q.errors import did_you_mean

if TYPE_CHECKING:  # imported where used, so that the problem registry stays cheap to import
    from qiskit.quantum_info import SparsePauliOp

    from circuits.ground_state import ParticleSector

MoleculeName = Literal["H2", "LiH", "BeH2", "H4"]
MOLECULES: tuple[str, ...] = get_args(MoleculeName)
ANGSTROM_IN_BOHR = 1 / 0.529177210903  # CODATA 2018 Bohr radius
CACHE_KIND = "molecules"


class Species(NamedTuple):
    """Atoms on the z axis at ``positions`` × bond length; equilibrium-like default bond
    length (Å), and the default active space (electrons, spatial orbitals)."""

    symbols: tuple[str, ...]
    positions: tuple[float, ...]
    electrons: int
    orbitals: int
    bond_length: float
    active_electrons: int
    active_orbitals: int


# H2 at 0.735 Å (Qiskit's and PennyLane's tutorials); LiH at 1.5949 Å with 2 electrons in 3
# orbitals (6 qubits, E0 = -7.86308 Ha); BeH2 linear at 1.3264 Å with the Be 1s frozen (4
# electrons in 6 orbitals, 12 qubits); H4 a linear chain of spacing 1.0 Å, all 8 spin orbitals.
SPECIES: dict[str, Species] = {
    "H2": Species(("H", "H"), (0.0, 1.0), 2, 2, 0.735, 2, 2),
    "LiH": Species(("Li", "H"), (0.0, 1.0), 4, 6, 1.5949, 2, 3),
    "BeH2": Species(("H", "Be", "H"), (-1.0, 0.0, 1.0), 6, 7, 1.3264, 4, 6),
    "H4": Species(("H", "H", "H", "H"), (0.0, 1.0, 2.0, 3.0), 4, 4, 1.0, 4, 4),
}


@dataclass(frozen=True)
class MoleculeConfig:
    """``molecule`` (H2, LiH, BeH2, H4) with atoms ``bond_length`` Å apart (None: the table's
    default), ``active_electrons`` in ``active_orbitals`` spatial orbitals (None: the table's
    default active space); 2 · active_orbitals qubits."""

    molecule: MoleculeName = "H2"
    bond_length: float | None = None
    active_electrons: int | None = None
    active_orbitals: int | None = None

    def __post_init__(self) -> None:
        require(
            self.molecule in SPECIES,
            f"unknown molecule {self.molecule!r}.{did_you_mean(self.molecule, MOLECULES)}",
        )
        species = SPECIES[self.molecule]
        require(
            self.bond_length is None
            or (isinstance(self.bond_length, int | float) and 0.1 <= self.bond_length <= 10),
            f"bond_length is in Å, between 0.1 and 10, got {self.bond_length!r}.",
        )
        electrons, orbitals = self.electrons, self.orbitals
        require(
            isinstance(electrons, int) and 0 < electrons <= species.electrons and electrons % 2 == 0,
            f"active_electrons must be even (closed shell) and in 2..{species.electrons} "
            f"for {self.molecule}, "
            f"got {electrons!r}.",
        )
        frozen = (species.electrons - electrons) // 2
        require(
            isinstance(orbitals, int) and electrons // 2 < orbitals <= species.orbitals - frozen,
            f"active_orbitals must hold the {electrons} active electrons and leave at least one empty "
            f"orbital: {electrons // 2 + 1}..{species.orbitals - frozen} for {self.molecule} with "
            f"{electrons} active electrons, got {orbitals!r}.",
        )

    @property
    def electrons(self) -> int:
        default = SPECIES[self.molecule].active_electrons
        return default if self.active_electrons is None else self.active_electrons

    @property
    def orbitals(self) -> int:
        default = SPECIES[self.molecule].active_orbitals
        return default if self.active_orbitals is None else self.active_orbitals

    @property
    def num_qubits(self) -> int:
        return 2 * self.orbitals

    @property
    def length(self) -> float:
        return SPECIES[self.molecule].bond_length if self.bond_length is None else float(self.bond_length)

    def coordinates(self) -> np.ndarray:
        """(atoms, 3) positions in Bohr, on the z axis."""
        z = np.array(SPECIES[self.molecule].positions) * self.length * ANGSTROM_IN_BOHR
        return np.column_stack([np.zeros_like(z), np.zeros_like(z), z])


def molecule_hamiltonian(config: MoleculeConfig) -> SparsePauliOp:
    """The qubit Hamiltonian of ``config`` (Hartree), from the disk cache or built once."""
    from qiskit.quantum_info import SparsePauliOp

    key = disk_cache.digest(
        ["molecule-v1", config.molecule, repr(config.length), str(config.electrons), str(config.orbitals)]
    )
    stored = disk_cache.load(CACHE_KIND, key)
    if stored is None:
        stored = _build(config)
        disk_cache.save(CACHE_KIND, key, stored)
    labels = [str(label) for label in stored["labels"]]
    return SparsePauliOp(labels, stored["coefficients"])


def _build(config: MoleculeConfig) -> dict[str, np.ndarray]:
    import pennylane as qml  # only here: see the module docstring
    from qiskit.quantum_info import SparsePauliOp

    hamiltonian, num_qubits = qml.qchem.molecular_hamiltonian(
        list(SPECIES[config.molecule].symbols),
        config.coordinates().ravel(),
        basis="sto-3g",
        method="dhf",
        active_electrons=config.electrons,
        active_orbitals=config.orbitals,
        mapping="jordan_wigner",
    )
    terms = [
        ("".join(word[w] for w in word), [int(w) for w in word], float(np.real(c)))
        for word, c in hamiltonian.pauli_rep.items()
    ]
    op = SparsePauliOp.from_sparse_list(terms, num_qubits).simplify()
    return {"labels": np.array(op.paulis.to_labels()), "coefficients": op.coeffs.real.copy()}


def hartree_fock_occupation(electrons: int) -> tuple[int, ...]:
    """The occupied spin orbitals (qubits) of the Hartree-Fock determinant: the lowest
    ``electrons``, alternating α and β (PennyLane's ``qml.qchem.hf_state``)."""
    return tuple(range(electrons))


def electron_sector(electrons: int, orbitals: int) -> ParticleSector:
    """electrons/2 α electrons on the even qubits and electrons/2 β on the odd ones (S_z = 0,
    where the closed-shell singlet ground states of these molecules lie)."""
    from circuits.ground_state import ParticleSector

    alpha, beta = tuple(range(0, 2 * orbitals, 2)), tuple(range(1, 2 * orbitals, 2))
    return ParticleSector((alpha, beta), (electrons // 2, electrons // 2))
