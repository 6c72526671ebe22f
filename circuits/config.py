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
from zeroth_q.objective import MAX_SHOTS

ProblemName = Literal["tfim", "xxz", "h2"]
BackendName = Literal["aer", "pennylane"]
ShotModelName = Literal["sampled", "gaussian"]
SamplerName = Literal["counts", "primitive"]
PROBLEMS, BACKENDS, SHOT_MODELS, SAMPLERS = (
    get_args(t) for t in (ProblemName, BackendName, ShotModelName, SamplerName)
)


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
    sampler: how ``sampled`` draws its shots. ``counts`` (default): counts drawn from the
        exact outcome probabilities of one simulation, the same distribution as sampling
        shot by shot at a cost independent of N. ``primitive``: bitstrings sampled shot by
        shot: Aer's SamplerV2, the SamplerV2 passed to :func:`circuits.vqe.build_vqe` (e.g. a
        device's), or the PennyLane device's own sampling.
    noise: device noise of the ``sampled`` model (:mod:`circuits.noise`). ``none``;
        ``depolarizing``: channels of rates ``depolarizing_1q`` / ``depolarizing_2q`` after
        every 1-/2-qubit ansatz gate and readout bit flips of probability ``readout_error``;
        ``fake_<name>`` (Aer only, needs ``zeroth-q[ibm]``): the noise model of that fake
        IBM backend, circuits transpiled for it. Metrics stay exact (noiseless energy and
        ground energy) and add ``noisy_energy``, the noisy channel's infinite-shot energy.
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
    sampler: SamplerName = "counts"
    noise: str = "none"
    depolarizing_1q: float = 0.0
    depolarizing_2q: float = 0.0
    readout_error: float = 0.0

    def __post_init__(self) -> None:
        _require_choice("problem", self.problem, PROBLEMS)
        _require_choice("backend", self.backend, BACKENDS)
        _require_choice("shot_model", self.shot_model, SHOT_MODELS)
        _require_choice("sampler", self.sampler, SAMPLERS)
        self._check_noise()
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

    def _check_noise(self) -> None:
        rates = {k: getattr(self, k) for k in ("depolarizing_1q", "depolarizing_2q", "readout_error")}
        require(
            self.noise in ("none", "depolarizing") or self.noise.startswith("fake_"),
            f"unknown noise {self.noise!r}; use 'none', 'depolarizing' or 'fake_<backend>' "
            "(e.g. 'fake_manila').",
        )
        for key, rate in rates.items():
            require(0.0 <= rate <= 1.0, f"{key} is a probability in [0, 1], got {rate!r}.")
            require(
                rate == 0.0 or self.noise == "depolarizing",
                f"{key}={rate} needs noise='depolarizing' (got noise={self.noise!r}).",
            )
        if self.noise != "none":
            require(
                self.shots != "exact" and self.shot_model == "sampled",
                "device noise is simulated for measured counts: set shot_model='sampled' "
                "and a number of shots.",
            )
        require(
            self.noise == "none" or self.backend == "aer" or self.sampler == "counts",
            "PennyLane simulates device noise for sampler='counts' (default.mixed density matrices), "
            "not for its own shot sampling: remove sampler='primitive'.",
        )
        require(
            not self.noise.startswith("fake_") or self.backend == "aer",
            f"noise={self.noise!r} is a Qiskit fake backend: it needs backend='aer'.",
        )


def _require_choice(key: str, value: str, choices: Sequence[str]) -> None:
    require(value in choices, f"unknown {key} {value!r}.{did_you_mean(value, choices)}")
