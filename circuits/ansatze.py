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
    class QAOAParameters:
        reps: int = 1

    register_ansatz("qaoa", "QAOA (Farhi et al. 2014), p = reps", QAOAParameters, build_qaoa)

Cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from circuits.ansatz import Circuit, hardware_efficient
from circuits.problems import Problem
from circuits.registry import Registered, Registry
from zeroth_q.config import require

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
