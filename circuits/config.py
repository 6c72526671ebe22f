"""The ``vqe`` objective's parameters: a frozen dataclass validated on construction.

A module of its own, below both the registration (:mod:`circuits.specs`) and the
objective (:mod:`circuits.vqe`), so that neither imports the other's module back.
Cheap to import: no qiskit, no pennylane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Literal, get_args

from zeroth_q.config import require
from zeroth_q.errors import did_you_mean

ProblemName = Literal["tfim", "xxz", "h2"]
BackendName = Literal["aer", "pennylane"]
ShotModelName = Literal["sampled", "gaussian"]
# Aer and NumPy's binomial count shots in signed 64-bit integers; 2**53 also keeps the
# cost arithmetic exact in floats (history, plots).
MAX_SHOTS = 2**53
PROBLEMS, BACKENDS, SHOT_MODELS = (get_args(t) for t in (ProblemName, BackendName, ShotModelName))


# Devices that run the ansatz: qubit statevector simulators with adjoint differentiation,
# which the PennyLane backend builds its exact energy on. The other installed plugins fail
# on it: qutrit and Gaussian (CV) devices reject qubit gates, default.mixed and
# reference.qubit have no adjoint method, default.clifford cannot apply RY(θ), null.qubit
# computes nothing.
ANSATZ_DEVICES = ("default.qubit", "lightning.qubit", "lightning.gpu", "lightning.kokkos")


def pennylane_devices() -> list[str]:
    """Installed PennyLane devices that can run the ansatz, read from entry points without
    importing PennyLane."""
    return sorted(installed_pennylane_devices().intersection(ANSATZ_DEVICES))


def installed_pennylane_devices() -> set[str]:
    return {ep.name for ep in metadata.entry_points(group="pennylane.plugins")}


@dataclass(frozen=True)
class VQEConfig:
    """Parameters of the ``vqe`` objective (``--set key=value``).

    problem: ``tfim`` (transverse-field Ising, field ``h``), ``xxz`` (Heisenberg XXZ,
        anisotropy ``delta``), ``h2`` (H2 at 0.735 Å, STO-3G; ``qubits`` 2 or 4).
    qubits, reps: chain length and entangling layers of the hardware-efficient ansatz
        (P = 2·qubits·(reps + 1) parameters).
    periodic: close the chain (tfim, xxz).
    backend, device: ``aer`` (Qiskit Aer primitives) or ``pennylane`` on ``device``.
    shots: ``"exact"`` for statevector expectations, or N shots per measurement group.
    shot_model: with N shots, ``sampled`` (real measurement counts) or ``gaussian`` (exact
        expectation + Gaussian noise of the sampling variance); ignored when exact.
    """

    problem: ProblemName = "tfim"
    qubits: int = 6
    reps: int = 2
    h: float = 1.0
    delta: float = 1.0
    periodic: bool = False
    backend: BackendName = "aer"
    device: str = "lightning.qubit"
    shots: int | Literal["exact"] = 1000
    shot_model: ShotModelName = "sampled"

    def __post_init__(self) -> None:
        _require_choice("problem", self.problem, PROBLEMS)
        _require_choice("backend", self.backend, BACKENDS)
        _require_choice("shot_model", self.shot_model, SHOT_MODELS)
        if self.backend == "pennylane":
            require(
                self.device not in installed_pennylane_devices() or self.device in ANSATZ_DEVICES,
                f"device {self.device!r} cannot run the ansatz (a qubit circuit with adjoint "
                f"gradients); choose one of {', '.join(pennylane_devices())}.",
            )
            _require_choice("device", self.device, pennylane_devices())
        require(
            self.problem != "h2" or self.qubits in (2, 4),
            f"problem 'h2' has a 2-qubit (parity) and a 4-qubit (Jordan-Wigner) form; "
            f"set qubits=2 or qubits=4 (got {self.qubits}).",
        )
        require(2 <= self.qubits <= 20, f"qubits must be in 2..20 (statevector memory), got {self.qubits}.")
        require(self.reps >= 0, f"reps must be >= 0 (entangling layers), got {self.reps}.")
        require(
            self.shots == "exact" or (isinstance(self.shots, int) and self.shots > 0),
            f"shots must be a positive number of shots per measurement group or 'exact', got {self.shots!r}.",
        )
        require(
            self.shots == "exact" or self.shots <= MAX_SHOTS,
            f"shots must be at most {MAX_SHOTS:,} per measurement group (simulators count shots in "
            f"64-bit integers and hold the sampled bits in memory), got {self.shots!r}.",
        )


def _require_choice(key: str, value: str, choices: Sequence[str]) -> None:
    require(value in choices, f"unknown {key} {value!r}.{did_you_mean(value, choices)}")
