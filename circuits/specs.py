"""The ``vqe`` objective's registration: its configuration and how to build it.

Cheap to import (no qiskit, no pennylane): the CLI reads this module to list and
validate options before anything heavy loads; :func:`build` imports the backends.
The configuration itself lives in :mod:`circuits.config`, which :mod:`circuits.vqe`
imports too (importing this module from there would close a cycle).
"""

from __future__ import annotations

from typing import Any

from circuits.config import VQEConfig
from zeroth_q.config import require_memory
from zeroth_q.objectives.registry import ObjectiveSpec

__all__ = ["VQE", "VQEConfig", "build"]


def build(config: VQEConfig) -> Any:
    from circuits.vqe import build_vqe

    if config.shots != "exact" and config.shot_model == "sampled" and config.sampler == "primitive":
        # A primitive returns one bool per qubit and shot: the least one row of one
        # measurement group holds, before any counting (the counts path holds no bits).
        require_memory(
            config.shots * config.qubits,
            f"sampling {config.shots:,} shots of {config.qubits} qubits",
            "lower shots, or use sampler=counts (counts drawn from exact probabilities hold no bits)",
        )
    return build_vqe(config)


VQE = ObjectiveSpec(
    name="vqe",
    description="VQE ground-state energy of TFIM, XXZ or H2 with a hardware-efficient ansatz",
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
    main_metric="energy_error",
)
