"""The circuits ``vqe`` trains: a registry of ansatz builders, each with typed parameters.

An ansatz is registered with :func:`register_ansatz` (name, description, a frozen dataclass of its
parameters, a builder ``build(problem, parameters) -> Circuit``) and chosen by name (``--set
ansatz=hea``); an unknown name is refused with the valid choices. The builder receives the built
:class:`circuits.problems.Problem` (its Hamiltonian, its ``terms``, and whatever structure a
problem subclass carries: a lattice, a graph, a reference state), so a Hamiltonian-variational or
QAOA ansatz can follow the problem. It returns a backend-neutral :class:`circuits.ansatz.Circuit`:
gates from :data:`circuits.ansatz.GateName`, each angle ``scale · θ[parameter]``, a parameter may
drive many gates (the objective computes the frequencies, and so the exact parameter-shift rule,
from the rendered circuit). Parameters are read from the same-named fields of
:class:`circuits.config.VQEConfig`, as for problems. Example::

    @dataclass(frozen=True)
    class BrickParameters:
        reps: int = 1

    register_ansatz("brick", "brick-wall RZZ layers between RX layers", BrickParameters, build_brick)

The field's ansätze (``hva``, ``qaoa``, ``uccsd``) are built as Qiskit circuits
(:mod:`circuits.hva`, :mod:`circuits.qaoa`, :mod:`circuits.uccsd`) and converted once by
:func:`circuits.qiskit_circuit.from_qiskit`; their parameter order is Qiskit's sorted order, which
each module states. Each follows one kind of problem and refuses the others by name.

Cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from circuits.ansatz import Circuit, hardware_efficient
from circuits.problems import HubbardProblem, MaxCutProblem, MoleculeProblem, Problem
from circuits.registry import Registered, Registry
from zeroth_q.config import require
from zeroth_q.errors import ConfigError

AnsatzBuilder = Callable[[Problem, Any], Circuit]
ANSATZE: Registry[AnsatzBuilder] = Registry("ansatz")


def register_ansatz(
    name: str, description: str, parameters: type, build: AnsatzBuilder
) -> Registered[AnsatzBuilder]:
    """Make ``--set ansatz=name`` build ``build(problem, parameters)``; see the module docstring."""
    return ANSATZE.register(name, description, parameters, build)


def ansatz_spec(name: str) -> Registered[AnsatzBuilder]:
    return ANSATZE[name]


def build_ansatz(name: str, problem: Problem, parameters: Any) -> Circuit:
    return ANSATZE[name].build(problem, parameters)


@dataclass(frozen=True)
class HardwareEfficientParameters:
    """``reps`` entangling layers (CNOT chains) between ``reps + 1`` RY/RZ layers."""

    reps: int = 2

    def __post_init__(self) -> None:
        require(self.reps >= 0, f"reps must be >= 0 (entangling layers), got {self.reps}.")


register_ansatz(
    "hea",
    "hardware-efficient: RY/RZ layers and CNOT chains (Kandala et al. 2017)",
    HardwareEfficientParameters,
    lambda problem, p: hardware_efficient(problem.num_qubits, p.reps),
)


@dataclass(frozen=True)
class LayeredParameters:
    """``reps`` >= 1 layers (HVA layers; QAOA's depth p)."""

    reps: int = 2

    def __post_init__(self) -> None:
        require(self.reps >= 1, f"reps must be >= 1 layers for this ansatz, got {self.reps}.")


@dataclass(frozen=True)
class NoParameters:
    """An ansatz fixed by its problem (UCCSD: the excitations of the active space)."""


HVA_PROBLEMS = ("fermi-hubbard", "tfim", "xxz")


def _refuse(ansatz: str, problem: Problem, supported: str) -> ConfigError:
    return ConfigError(
        f"ansatz {ansatz!r} is built for {supported}, not problem {problem.name!r}; choose one of those "
        f"problems, or another ansatz (e.g. hea)."
    )


def _hva(problem: Problem, p: LayeredParameters) -> Circuit:
    """Parameters: Qiskit's sorted names per problem (:mod:`circuits.hva`): TFIM θ_x then θ_zz;
    XXZ θ_xy_even, θ_xy_odd, θ_zz_even, θ_zz_odd; Hubbard θ_hop<class> then θ_u; reps each."""
    from circuits.hva import hubbard_hva, ising_hva, xxz_hva
    from circuits.qiskit_circuit import from_qiskit

    if isinstance(problem, HubbardProblem):
        return from_qiskit(hubbard_hva(problem.lattice, p.reps))
    if problem.name in ("tfim", "xxz"):
        build = ising_hva if problem.name == "tfim" else xxz_hva
        return from_qiskit(build(problem.num_qubits, p.reps, problem.parameters.periodic))
    raise _refuse("hva", problem, f"problems {', '.join(HVA_PROBLEMS)}")


def _qaoa(problem: Problem, p: LayeredParameters) -> Circuit:
    """Parameters: β_0 … β_{p-1}, then γ_0 … γ_{p-1} (:mod:`circuits.qaoa`)."""
    from circuits.qaoa import qaoa
    from circuits.qiskit_circuit import from_qiskit

    if not isinstance(problem, MaxCutProblem):
        raise _refuse("qaoa", problem, "problem maxcut (its graph)")
    return from_qiskit(qaoa(problem.graph, p.reps))


def _uccsd(problem: Problem, p: NoParameters) -> Circuit:
    """Parameters: θ_d (doubles) then θ_s (singles) (:mod:`circuits.uccsd`); starts at θ = 0,
    the Hartree-Fock state."""
    from circuits.qiskit_circuit import from_qiskit
    from circuits.uccsd import uccsd

    if not isinstance(problem, MoleculeProblem):
        raise _refuse("uccsd", problem, "problems molecule and h2 with qubits=4 (Jordan-Wigner)")
    return from_qiskit(uccsd(problem.electrons, problem.orbitals), initial_point="zeros")


register_ansatz(
    "hva",
    "Hamiltonian variational: layers of the problem's own terms (tfim, xxz, fermi-hubbard), reps layers",
    LayeredParameters,
    _hva,
)
register_ansatz("qaoa", "QAOA for maxcut (Farhi et al. 2014), p = reps", LayeredParameters, _qaoa)
register_ansatz(
    "uccsd",
    "unitary coupled cluster, singles and doubles, from Hartree-Fock (molecules)",
    NoParameters,
    _uccsd,
)
