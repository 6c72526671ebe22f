"""The problems ``vqe`` minimizes: a registry of Hamiltonian builders, each with typed parameters.

A problem is registered with :func:`register_problem` (name, description, a frozen dataclass of
its parameters, a builder ``build(parameters) -> Problem``) and chosen by name (``--set
problem=tfim``); an unknown name is refused with the valid choices. The parameters are read from
the same-named fields of :class:`circuits.config.VQEConfig` (``qubits``, ``h``, ``delta``,
``periodic``, ...), so a new problem whose parameters need new ``--set`` keys adds those fields to
``VQEConfig`` with defaults, and validates its own values in its dataclass's ``__post_init__``.

The builder returns a :class:`Problem`: the Hamiltonian and whatever structure an ansatz needs
from it (an ansatz builder receives the whole ``Problem``, not only the operator). ``terms`` are
the Hamiltonian's parts in the order a Hamiltonian-variational ansatz exponentiates them (e.g.
TFIM: the ZZ bonds, then the X fields); a problem with more structure (a lattice, a graph, a
Hartree-Fock state) subclasses :class:`Problem` with those fields (:class:`HubbardProblem`,
:class:`MoleculeProblem`, :class:`MaxCutProblem`). ``sector`` is the particle-number sector where
its exact reference lies, and :meth:`Problem.metrics` adds its own metrics. The parameter class
states ``num_qubits`` (so memory is checked before anything is built, :func:`problem_qubits`) and
may name its ``main_metric`` (default ``energy_error``; MaxCut's is ``approximation_ratio``), the
metric the progress bar, summary and sweeps show. Example::

    @dataclass(frozen=True)
    class RingParameters:
        qubits: int = 8

        @property
        def num_qubits(self) -> int:
            return self.qubits

    register_problem("ring", "ZZ ring in a transverse field", RingParameters, build_ring)

Cheap to import: the builders import qiskit (and PennyLane for a molecule not yet cached) when called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from circuits.fermi_hubbard import FermiHubbardConfig
from circuits.molecules import MoleculeConfig
from circuits.registry import Registered, Registry
from zeroth_q.config import require

if TYPE_CHECKING:
    from qiskit.quantum_info import SparsePauliOp

    from circuits.fermi_hubbard import HubbardLattice
    from circuits.ground_state import ParticleSector
    from circuits.maxcut import Graph, MaxCutConfig


@dataclass(frozen=True)
class Problem:
    """A built problem: its registered ``name``, its ``parameters``, the ``hamiltonian``, its
    ``terms`` (parts whose sum is the Hamiltonian, for ansätze that follow its structure) and the
    particle-number ``sector`` its exact reference is taken in (None: all 2^n states)."""

    name: str
    parameters: Any
    hamiltonian: SparsePauliOp
    terms: tuple[SparsePauliOp, ...] = ()
    sector: ParticleSector | None = None

    @property
    def num_qubits(self) -> int:
        return self.hamiltonian.num_qubits

    def metrics(self, energy: float) -> dict[str, float]:
        """Diagnostics of an exact energy that only this problem defines (none here)."""
        return {}


@dataclass(frozen=True, kw_only=True)
class HubbardProblem(Problem):
    """Fermi-Hubbard on ``lattice`` (qubit order of :mod:`circuits.fermi_hubbard`), reference at
    half filling."""

    lattice: HubbardLattice


@dataclass(frozen=True, kw_only=True)
class MoleculeProblem(Problem):
    """A molecule's ``electrons`` in ``orbitals`` spatial orbitals, Jordan-Wigner, α/β interleaved
    (:mod:`circuits.molecules`), reference at S_z = 0 with that electron count."""

    electrons: int
    orbitals: int


@dataclass(frozen=True, kw_only=True)
class MaxCutProblem(Problem):
    """MaxCut of ``graph`` (H = -C, :mod:`circuits.maxcut`) with its exact ``best_cut``."""

    graph: Graph
    best_cut: float

    def metrics(self, energy: float) -> dict[str, float]:
        """``approximation_ratio`` r = <C>/C_max = -E/C_max (Farhi et al. 2014)."""
        from circuits.maxcut import approximation_ratio

        return {"approximation_ratio": approximation_ratio(energy, self.best_cut)}


ProblemBuilder = Callable[[Any], Problem]
PROBLEMS: Registry[ProblemBuilder] = Registry("problem")


def register_problem(
    name: str, description: str, parameters: type, build: ProblemBuilder
) -> Registered[ProblemBuilder]:
    """Make ``--set problem=name`` build ``build(parameters)``; see the module docstring."""
    return PROBLEMS.register(name, description, parameters, build)


def problem_spec(name: str) -> Registered[ProblemBuilder]:
    return PROBLEMS[name]


def build_problem(name: str, parameters: Any) -> Problem:
    return PROBLEMS[name].build(parameters)


def problem_qubits(parameters: Any) -> int | None:
    """The qubits a problem's parameters say it needs (None: a parameter class that does not say)."""
    return getattr(parameters, "num_qubits", None)


def problem_main_metric(name: str) -> str:
    """The metric that summarizes a run on problem ``name`` (its parameters' ``main_metric``)."""
    return getattr(PROBLEMS[name].parameters, "main_metric", "energy_error")


@dataclass(frozen=True)
class ChainParameters:
    """A spin chain of ``qubits`` spins, open or ``periodic``."""

    qubits: int = 6
    periodic: bool = False

    def __post_init__(self) -> None:
        require(
            isinstance(self.qubits, int) and self.qubits >= 2,
            f"qubits is the chain's length, an integer >= 2, got {self.qubits!r}.",
        )

    @property
    def num_qubits(self) -> int:
        return self.qubits


@dataclass(frozen=True)
class IsingParameters(ChainParameters):
    """Transverse-field Ising chain of ``qubits`` spins, field ``h``, open or ``periodic``."""

    h: float = 1.0


@dataclass(frozen=True)
class XXZParameters(ChainParameters):
    """Heisenberg XXZ chain of ``qubits`` spins, anisotropy ``delta``, open or ``periodic``."""

    delta: float = 1.0


@dataclass(frozen=True)
class HydrogenParameters:
    """H2 at 0.735 Å in STO-3G on 2 (parity) or 4 (Jordan-Wigner) ``qubits``."""

    qubits: int = 2

    @property
    def num_qubits(self) -> int:
        return self.qubits

    def __post_init__(self) -> None:
        require(
            self.qubits in (2, 4),
            f"problem 'h2' has a 2-qubit (parity) and a 4-qubit (Jordan-Wigner) form; "
            f"set qubits=2 or qubits=4 (got {self.qubits}).",
        )


@dataclass(frozen=True)
class MaxCutParameters:
    """A random ``degree``-regular graph on ``nodes`` vertices drawn from ``graph_seed`` (not
    ``seed``, which is the run's), or the graph of ``edges``; checked by
    :class:`circuits.maxcut.MaxCutConfig`."""

    nodes: int = 10
    degree: int = 3
    graph_seed: int = 0
    edges: tuple[tuple[int, ...], ...] | None = None

    main_metric: ClassVar[str] = "approximation_ratio"

    def __post_init__(self) -> None:
        self.config()

    @property
    def num_qubits(self) -> int:
        return self.nodes

    def config(self) -> MaxCutConfig:
        from circuits.maxcut import MaxCutConfig

        return MaxCutConfig(self.nodes, self.degree, self.graph_seed, self.edges)


def _ising(p: IsingParameters) -> Problem:
    from circuits.hamiltonians import ising_terms

    terms = ising_terms(p.qubits, p.h, p.periodic)
    return Problem("tfim", p, sum(terms[1:], terms[0]).simplify(), terms)


def _xxz(p: XXZParameters) -> Problem:
    from circuits.hamiltonians import heisenberg_xxz

    return Problem("xxz", p, heisenberg_xxz(p.qubits, p.delta, p.periodic))


def _hydrogen(p: HydrogenParameters) -> Problem:
    from circuits.hamiltonians import hydrogen_molecule
    from circuits.molecules import electron_sector

    hamiltonian = hydrogen_molecule(p.qubits)
    if p.qubits == 2:  # parity-mapped and reduced: no longer one qubit per spin orbital
        return Problem("h2", p, hamiltonian)
    return MoleculeProblem("h2", p, hamiltonian, sector=electron_sector(2, 2), electrons=2, orbitals=2)


def _fermi_hubbard(p: FermiHubbardConfig) -> Problem:
    from circuits.fermi_hubbard import fermi_hubbard_hamiltonian, half_filling_sector

    hamiltonian = fermi_hubbard_hamiltonian(p)
    return HubbardProblem(
        "fermi-hubbard", p, hamiltonian, sector=half_filling_sector(p.lattice), lattice=p.lattice
    )


def _molecule(p: MoleculeConfig) -> Problem:
    from circuits.molecules import electron_sector, molecule_hamiltonian

    sector = electron_sector(p.electrons, p.orbitals)
    return MoleculeProblem(
        "molecule", p, molecule_hamiltonian(p), sector=sector, electrons=p.electrons, orbitals=p.orbitals
    )


def _maxcut(p: MaxCutParameters) -> Problem:
    from circuits.maxcut import maxcut_hamiltonian, maximum_cut

    graph = p.config().graph()
    return MaxCutProblem("maxcut", p, maxcut_hamiltonian(graph), graph=graph, best_cut=maximum_cut(graph))


register_problem("tfim", "transverse-field Ising chain, H = -Σ ZZ - h Σ X", IsingParameters, _ising)
register_problem("xxz", "Heisenberg XXZ chain, H = Σ XX + YY + Δ ZZ", XXZParameters, _xxz)
register_problem("h2", "H2 at 0.735 Å, STO-3G (2 or 4 qubits)", HydrogenParameters, _hydrogen)
register_problem(
    "fermi-hubbard",
    "Fermi-Hubbard on rows × cols sites (hopping t, on-site u), Jordan-Wigner, half filling",
    FermiHubbardConfig,
    _fermi_hubbard,
)
register_problem(
    "molecule",
    "molecule (H2, LiH, BeH2, H4) in STO-3G, active space, Jordan-Wigner",
    MoleculeConfig,
    _molecule,
)
register_problem(
    "maxcut", "MaxCut on a random d-regular graph or an edge list, H = -C", MaxCutParameters, _maxcut
)
