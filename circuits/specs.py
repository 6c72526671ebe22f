"""The ``vqe`` and ``circuit`` objectives' registrations: their configurations and how to build them.

Cheap to import (no qiskit, no pennylane): the CLI reads this module to list and
validate options before anything heavy loads; :func:`build` imports the backends.
The configuration itself lives in :mod:`circuits.config`, which :mod:`circuits.vqe`
imports too (importing this module from there would close a cycle).
"""

from __future__ import annotations

from typing import Any

from circuits.config import CircuitConfig, VQEConfig
from circuits.problems import problem_main_metric
from zeroth_q.errors import ConfigError
from zeroth_q.objectives.registry import ObjectiveSpec

__all__ = ["CIRCUIT", "VQE", "CircuitConfig", "VQEConfig", "build", "build_circuit"]


def build(config: VQEConfig) -> Any:
    from circuits.vqe import build_vqe

    return build_vqe(config)


def build_circuit(config: CircuitConfig) -> Any:
    """The objective of the circuit that ``config.source`` returns (:mod:`circuits.source`)."""
    from circuits.objective import build_circuit_objective
    from circuits.source import load_source

    user = load_source(config.source)
    backend = user.backend if config.backend == "auto" else config.backend
    measurement = config.measurement(backend=backend)
    if backend != user.backend:
        raise ConfigError(
            f"source {config.source!r} returned a {user.backend} circuit; set backend={user.backend} or auto."
        )
    qubits = user.circuit.num_qubits if backend == "aer" else len(_wires(user.shape["wires"]))
    measurement.require_sample_memory(qubits)
    return build_circuit_objective(
        user.circuit,
        user.observable,
        measurement,
        **user.shape,
        initial_point=config.initial_point,
        reference_energy=config.reference_energy,
    )


def _wires(wires: Any) -> list[Any]:
    return list(range(wires)) if isinstance(wires, int) else list(wires)


VQE = ObjectiveSpec(
    name="vqe",
    description="VQE ground-state energy of a registered problem (tfim, xxz, h2, fermi-hubbard, molecule, "
    "maxcut) and ansatz (hea, hva, qaoa, uccsd)",
    config=VQEConfig,
    build=build,
    # The best method of notebooks/shot_budgets.ipynb at 10^8 shots on the default problem (TFIM
    # n=6, reps=2, N=1000, sampled counts, 5 seeds): parameter-shift Adam, lr 0.05, ends at
    # 0.77 % (IQR 0.68-0.79 %) relative energy error (684 steps, ~14 s); PS-SGD 0.80 %, ZO-Adam
    # 1.5 %, iCANS 2.3 %, gCANS 3.3 %, Rosalin 4.1 %, SPSA 3.2-3.9 %; the previous default (lr
    # 0.1, 10^4 gradient shots per group) 1.16 % after the 68 steps that 10^8 shots pay for.
    default_optimizer="parameter-shift-adam",
    default_budget={"shots": 10**8},
    default_optimizer_params={"lr": 0.05},
    main_metric=lambda config: problem_main_metric(config.problem),
)


CIRCUIT = ObjectiveSpec(
    name="circuit",
    description="your own circuit and observable: --set source=package.module:function (Qiskit or PennyLane)",
    config=CircuitConfig,
    build=build_circuit,
    default_optimizer="parameter-shift-adam",
    default_budget={"shots": 10**8},
    default_optimizer_params={"lr": 0.05},
    main_metric="energy",
)
