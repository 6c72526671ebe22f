"""The Fermi-Hubbard model on a rows × cols lattice, Jordan-Wigner mapped, at half filling.

    H = -t Σ_<ij>,σ (c_iσ† c_jσ + c_jσ† c_iσ) + U Σ_i n_i↑ n_i↓

(Hubbard, Proc. R. Soc. A 276, 238 (1963)); the benchmark problem of variational
optimizers (Wecker et al., PRA 92, 042303 (2015); Cade et al., PRB 102, 235122 (2020);
Jones, Mineh & Montanaro, arXiv:2411.13742).

Spin-orbital order (stated because the circuit depth and the Z strings depend on it): sites
are numbered along a snake through the rows (row r left to right when r is even, right to
left when odd), and qubit ``site + σ·N`` holds spin σ (↑ = 0 on qubits 0…N-1, ↓ = 1 on
N…2N-1). Horizontal bonds and the snake's turns are then neighbouring qubits (no Z string)
and the on-site terms are Z Z between the two spin blocks, which need no string either.
PennyLane's ``qml.spin.fermi_hubbard`` orders spins interleaved (qubit 2·site + σ) with
row-major sites; ``tests/circuits/test_field_problems.py`` maps one onto the other.

Half filling: N electrons, N/2 of each spin, the sector where the exact reference is taken
(:func:`half_filling_sector`): H conserves both counts, and its lowest state over all
fillings is in general not at half filling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from zeroth_q.config import require

if TYPE_CHECKING:  # imported where used, so that the problem registry stays cheap to import
    from qiskit.quantum_info import SparsePauliOp

    from circuits.ground_state import ParticleSector

Bond = tuple[int, int]
MAX_QUBITS = 24


class HubbardLattice(NamedTuple):
    """A rows × cols lattice of sites, open or periodic in both directions."""

    rows: int
    cols: int
    periodic: bool = False

    @property
    def num_sites(self) -> int:
        return self.rows * self.cols

    @property
    def num_qubits(self) -> int:
        return 2 * self.num_sites

    def site(self, row: int, col: int) -> int:
        """The snake-order index of the site in ``row``, ``col``."""
        return row * self.cols + (col if row % 2 == 0 else self.cols - 1 - col)

    def qubit(self, site: int, spin: int) -> int:
        return site + spin * self.num_sites

    def bond_classes(self) -> tuple[tuple[Bond, ...], ...]:
        """The nearest-neighbour bonds (i < j, each once) split into classes of disjoint
        bonds: horizontal then vertical, each properly edge-coloured (even, odd, and a third
        class for the closing bond of an odd periodic ring). Hopping terms on disjoint bonds
        commute, so one class evolves exactly as a product (Cade et al. 2020, Fig. 2)."""
        horizontal = [
            ((r, c), (r, (c + 1) % self.cols))
            for r in range(self.rows)
            for c in range(_links(self.cols, self.periodic))
        ]
        vertical = [
            ((r, c), ((r + 1) % self.rows, c))
            for r in range(_links(self.rows, self.periodic))
            for c in range(self.cols)
        ]
        classes: list[tuple[Bond, ...]] = []
        for direction in (horizontal, vertical):
            bonds = [tuple(sorted((self.site(*a), self.site(*b)))) for a, b in direction]
            classes += _edge_colouring(bonds)
        return tuple(classes)

    def bonds(self) -> tuple[Bond, ...]:
        return tuple(bond for bond_class in self.bond_classes() for bond in bond_class)


def _links(length: int, periodic: bool) -> int:
    """Bonds along one direction of ``length`` sites: the closing bond only when it is new."""
    return length if periodic and length > 2 else length - 1


def _edge_colouring(bonds: list[Bond]) -> list[tuple[Bond, ...]]:
    """Greedy: each bond joins the first class that touches neither of its sites."""
    classes: list[list[Bond]] = []
    for bond in bonds:
        free = next((c for c in classes if not any(set(bond) & set(other) for other in c)), None)
        if free is None:
            classes.append(free := [])
        free.append(bond)
    return [tuple(c) for c in classes]


@dataclass(frozen=True)
class FermiHubbardConfig:
    """``rows`` × ``cols`` sites (2·rows·cols qubits), hopping ``t``, on-site repulsion ``u``,
    ``periodic`` boundaries in both directions."""

    rows: int = 1
    cols: int = 4
    t: float = 1.0
    u: float = 4.0
    periodic: bool = False

    def __post_init__(self) -> None:
        require(
            isinstance(self.rows, int) and isinstance(self.cols, int) and self.rows >= 1 and self.cols >= 1,
            f"rows and cols count lattice sites: integers >= 1, got rows={self.rows!r}, cols={self.cols!r}.",
        )
        sites = self.rows * self.cols
        require(sites >= 2, "the lattice needs at least 2 sites (e.g. rows=1, cols=2).")
        require(
            sites % 2 == 0,
            f"half filling with equal spin counts needs an even number of sites; rows × cols = {sites}: "
            "make rows or cols even.",
        )
        require(
            2 * sites <= MAX_QUBITS,
            f"{self.rows} × {self.cols} sites need {2 * sites} qubits; at most {MAX_QUBITS} "
            f"({MAX_QUBITS // 2} sites) fit a statevector here.",
        )
        for name in ("t", "u"):
            value = getattr(self, name)
            require(
                isinstance(value, int | float) and math.isfinite(value),
                f"{name} must be a finite number, got {value!r}.",
            )

    @property
    def num_qubits(self) -> int:
        return 2 * self.rows * self.cols

    @property
    def lattice(self) -> HubbardLattice:
        return HubbardLattice(self.rows, self.cols, self.periodic)


def fermi_hubbard_hamiltonian(config: FermiHubbardConfig) -> SparsePauliOp:
    """H = -t Σ_<ij>σ (c_iσ† c_jσ + h.c.) + U Σ_i n_i↑ n_i↓ in the order of the module docstring."""
    from circuits.fermions import hopping, number

    lattice = config.lattice
    n = lattice.num_qubits
    kinetic = [
        hopping(lattice.qubit(i, s), lattice.qubit(j, s), n) for i, j in lattice.bonds() for s in (0, 1)
    ]
    on_site = [
        number(lattice.qubit(i, 0), n) @ number(lattice.qubit(i, 1), n) for i in range(lattice.num_sites)
    ]
    return (-config.t * sum(kinetic) + config.u * sum(on_site)).simplify()


def half_filling_sector(lattice: HubbardLattice) -> ParticleSector:
    """N/2 electrons on the ↑ block and N/2 on the ↓ block."""
    from circuits.ground_state import ParticleSector

    up, down = (tuple(lattice.qubit(i, s) for i in range(lattice.num_sites)) for s in (0, 1))
    return ParticleSector((up, down), (lattice.num_sites // 2, lattice.num_sites // 2))
