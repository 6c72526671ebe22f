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
Hartree-Fock state) subclasses :class:`Problem` with those fields. Example::

    @dataclass(frozen=True)
    class MaxCutParameters:
        qubits: int = 8
        seed: int = 0

    register_problem("maxcut", "MaxCut on a random 3-regular graph", MaxCutParameters, build_maxcut)

Cheap to import: the builders import qiskit when called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from circuits.registry import Registered, Registry
from zeroth_q.config import require

if TYPE_CHECKING:
    from qiskit.quantum_info import SparsePauliOp


@dataclass(frozen=True)
class Problem:
    """A built problem: its registered ``name``, its ``parameters``, the ``hamiltonian`` and its
    ``terms`` (parts whose sum is the Hamiltonian, for ansätze that follow its structure)."""

    name: str
    parameters: Any
    hamiltonian: SparsePauliOp
    terms: tuple[SparsePauliOp, ...] = ()

    @property
    def num_qubits(self) -> int:
        return self.hamiltonian.num_qubits


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


@dataclass(frozen=True)
class IsingParameters:
    """Transverse-field Ising chain of ``qubits`` spins, field ``h``, open or ``periodic``."""

    qubits: int = 6
    h: float = 1.0
    periodic: bool = False


@dataclass(frozen=True)
class XXZParameters:
    """Heisenberg XXZ chain of ``qubits`` spins, anisotropy ``delta``, open or ``periodic``."""

    qubits: int = 6
    delta: float = 1.0
    periodic: bool = False


@dataclass(frozen=True)
class HydrogenParameters:
    """H2 at 0.735 Å in STO-3G on 2 (parity) or 4 (Jordan-Wigner) ``qubits``."""

    qubits: int = 2

    def __post_init__(self) -> None:
        require(
            self.qubits in (2, 4),
            f"problem 'h2' has a 2-qubit (parity) and a 4-qubit (Jordan-Wigner) form; "
            f"set qubits=2 or qubits=4 (got {self.qubits}).",
        )


def _ising(p: IsingParameters) -> Problem:
    from circuits.hamiltonians import ising_terms

    terms = ising_terms(p.qubits, p.h, p.periodic)
    return Problem("tfim", p, sum(terms[1:], terms[0]).simplify(), terms)


def _xxz(p: XXZParameters) -> Problem:
    from circuits.hamiltonians import heisenberg_xxz

    return Problem("xxz", p, heisenberg_xxz(p.qubits, p.delta, p.periodic))


def _hydrogen(p: HydrogenParameters) -> Problem:
    from circuits.hamiltonians import hydrogen_molecule

    return Problem("h2", p, hydrogen_molecule(p.qubits))


register_problem("tfim", "transverse-field Ising chain, H = -Σ ZZ - h Σ X", IsingParameters, _ising)
register_problem("xxz", "Heisenberg XXZ chain, H = Σ XX + YY + Δ ZZ", XXZParameters, _xxz)
register_problem("h2", "H2 at 0.735 Å, STO-3G (2 or 4 qubits)", HydrogenParameters, _hydrogen)
