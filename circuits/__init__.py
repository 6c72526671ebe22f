"""Circuit objectives for zeroth_q: any Qiskit circuit or PennyLane function, on Qiskit Aer (or any
primitives V2) or a PennyLane device, and the built-in VQE problems and ansätze.

Layout: :func:`circuit_objective` (:mod:`circuits.objective`, a user's circuit and
observable as an objective); ``qiskit_circuit`` and ``pennylane_circuit`` (checking a user's
circuit; its ``spectrum``, the frequencies that make parameter-shift exact); ``problems`` and
``ansatze`` (registries of Hamiltonians and circuits, with ``hamiltonians``, ``ansatz`` and
``ground_state``, the exact reference); ``grouping`` (measurement groups, energies from
bitstrings); ``shot_models`` (exact / sampled / gaussian estimates and their costs);
``measurement`` (outcome probabilities of measurement bases from simulated states); ``noise``
(device noise); ``backend`` (the simulator interface) with ``qiskit_backend`` and
``pennylane_backend`` (one simulator call per batch); ``vqe`` (the built-in objective);
``specs`` (the ``vqe`` and ``circuit`` registrations; cheap to import).
"""

from typing import Any

__all__ = ["circuit_objective"]


def __getattr__(name: str) -> Any:
    """``circuits.circuit_objective`` (the function) without importing qiskit on ``import circuits``."""
    if name == "circuit_objective":
        from circuits.objective import circuit_objective

        return circuit_objective
    raise AttributeError(f"module 'circuits' has no attribute {name!r}")
