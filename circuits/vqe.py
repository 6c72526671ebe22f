"""The built-in variational quantum eigensolver: a registered problem and ansatz, as a circuit objective.

Peruzzo et al., Nat. Commun. 5, 4213 (2014); hardware-efficient form after Kandala et al.,
Nature 549, 242 (2017). The problem comes from :mod:`circuits.problems`, the ansatz from
:mod:`circuits.ansatze`; the ansatz's gate list is rendered for the configured backend (a
``QuantumCircuit`` for Aer, a broadcasting PennyLane function) and handed to
:func:`circuits.objective.build_circuit_objective` like any user's circuit, with the exact
ground state as reference (in the problem's particle sector, if it has one), the ansatz's own
initial point, and the problem's own metrics (MaxCut's ``approximation_ratio``).

Use from Python::

    from circuits.config import VQEConfig
    from circuits.vqe import build_vqe
    objective = build_vqe(VQEConfig(problem="h2", qubits=2, shots=1000))
    # on hardware: any EstimatorV2/SamplerV2 and a pass manager for its target
    objective = build_vqe(config, estimator=runtime_estimator, sampler=runtime_sampler,
                          pass_manager=generate_preset_pass_manager(1, backend=backend))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from circuits.ansatz import Circuit
from circuits.ansatze import ansatz_spec
from circuits.config import VQEConfig
from circuits.objective import CircuitObjective, build_circuit_objective
from circuits.problems import problem_spec

if TYPE_CHECKING:
    from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
    from qiskit.transpiler import PassManager


def build_vqe(
    config: VQEConfig,
    *,
    estimator: BaseEstimatorV2 | None = None,
    sampler: BaseSamplerV2 | None = None,
    pass_manager: PassManager | None = None,
) -> CircuitObjective:
    """The objective described by ``config``. With ``backend="aer"``, ``estimator`` /
    ``sampler`` replace Aer's primitives (e.g. IBM Runtime's, with a ``pass_manager`` for
    that backend's target); see :mod:`circuits.qiskit_backend`."""
    problem_entry, ansatz_entry = problem_spec(config.problem), ansatz_spec(config.ansatz)
    problem = problem_entry.build(problem_entry.parameters_from(config))
    circuit = ansatz_entry.build(problem, ansatz_entry.parameters_from(config))
    primitives = {"estimator": estimator, "sampler": sampler, "pass_manager": pass_manager}
    if config.backend != "aer" and any(p is not None for p in primitives.values()):
        raise TypeError(f"estimator/sampler/pass_manager need backend='aer', not {config.backend!r}.")
    config.require_sample_memory(problem.num_qubits)
    rendered, shape = _render(circuit, config.backend)
    return build_circuit_objective(
        rendered,
        problem.hamiltonian,
        config.measurement(),
        **shape,
        initial_point=circuit.initial_point,
        exact_reference=True,
        reference_sector=problem.sector,
        energy_metrics=problem.metrics,
        primitives=primitives,
    )


def _render(circuit: Circuit, backend: str) -> tuple[Any, dict[str, Any]]:
    """The gate list as the backend's circuit, and the shape arguments a PennyLane function needs
    (imports only that backend)."""
    if backend == "aer":
        from circuits.qiskit_circuit import to_qiskit

        return to_qiskit(circuit), {}
    from circuits.pennylane_backend import pennylane_operations

    def ansatz(theta: Any) -> None:
        pennylane_operations(circuit.gates, theta)

    shape = {"wires": circuit.num_qubits, "num_params": circuit.num_parameters, "broadcast": True}
    return ansatz, shape
