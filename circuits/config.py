"""The circuit objectives' parameters: frozen dataclasses validated on construction.

:class:`MeasurementOptions` (backend, shots, shot model, noise) is shared by every circuit
objective; :class:`VQEConfig` adds a registered problem and ansatz (:mod:`circuits.problems`,
:mod:`circuits.ansatze`), :class:`CircuitConfig` a user's ``build()`` function. A module of its
own, below both the registrations (:mod:`circuits.specs`) and the objectives, so that neither
imports the other's module back. Cheap to import: no qiskit, no pennylane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from importlib import metadata
from typing import Any, ClassVar, Literal, get_args

from zeroth_q.config import require, require_memory
from zeroth_q.errors import did_you_mean
from zeroth_q.objective import MAX_SHOTS

BackendName = Literal["aer", "pennylane"]
ShotModelName = Literal["sampled", "gaussian"]
SamplerName = Literal["counts", "primitive"]
BACKENDS, SHOT_MODELS, SAMPLERS = (get_args(t) for t in (BackendName, ShotModelName, SamplerName))


# Devices that run the ansatz: qubit statevector simulators with adjoint differentiation,
# which the PennyLane backend builds its exact energy on. The other installed plugins fail
# on it: qutrit and Gaussian (CV) devices reject qubit gates, default.mixed and
# reference.qubit have no adjoint method, default.clifford cannot apply RY(θ), null.qubit
# computes nothing.
ANSATZ_DEVICES = ("default.qubit", "lightning.qubit", "lightning.gpu", "lightning.kokkos")


# Aer's simulation devices (``AerSimulator(device=...)``); on backend=aer a PennyLane device name
# (the field's default) means the CPU.
AER_DEVICES = ("CPU", "GPU")
GPU_DEVICES = {"aer": "GPU", "pennylane": "lightning.gpu"}


def pennylane_devices() -> list[str]:
    """Installed PennyLane devices that can run the ansatz, read from entry points without
    importing PennyLane."""
    return sorted(installed_pennylane_devices().intersection(ANSATZ_DEVICES))


def installed_pennylane_devices() -> set[str]:
    return {ep.name for ep in metadata.entry_points(group="pennylane.plugins")}


@dataclass(frozen=True)
class MeasurementOptions:
    """How a circuit objective runs and measures: shared by :func:`circuits.circuit_objective`, the
    ``circuit`` objective and ``vqe`` (``--set key=value``).

    backend, device: ``aer`` (Qiskit Aer primitives) on ``device`` ``CPU`` or ``GPU`` (Aer's own
        device; a PennyLane name, the default, means CPU), or ``pennylane`` on ``device``
        (``lightning.qubit``, ``default.qubit``, ``lightning.gpu``, ...). A GPU device where no GPU
        is found is refused naming the fix (:func:`circuits.gpu.require_gpu`).
    shots: ``"exact"`` for statevector expectations, or N shots per measurement group.
    shot_model: with N shots, ``sampled`` (real measurement counts) or ``gaussian`` (exact
        expectation + Gaussian noise of the sampling variance); ignored when exact.
    sampler: how ``sampled`` draws its shots. ``counts`` (default): counts drawn from the
        exact outcome probabilities of one simulation, the same distribution as sampling
        shot by shot at a cost independent of N. ``primitive``: bitstrings sampled shot by
        shot: Aer's SamplerV2, the SamplerV2 passed to :func:`circuits.circuit_objective` (e.g. a
        device's), or the PennyLane device's own sampling.
    noise: device noise of the ``sampled`` model (:mod:`circuits.noise`). ``none``;
        ``depolarizing``: channels of rates ``depolarizing_1q`` / ``depolarizing_2q`` after
        every 1-/2-qubit gate and readout bit flips of probability ``readout_error``;
        ``fake_<name>`` (Aer only, needs ``zeroth-q[ibm]``): the noise model of that fake
        IBM backend, circuits transpiled for it. Metrics stay exact (noiseless energy and
        ground energy) and add ``noisy_energy``, the noisy channel's infinite-shot energy.
    """

    backend: str = "aer"
    device: str = "lightning.qubit"
    shots: int | Literal["exact"] = 1000
    shot_model: ShotModelName = "sampled"
    sampler: SamplerName = "counts"
    noise: str = "none"
    depolarizing_1q: float = 0.0
    depolarizing_2q: float = 0.0
    readout_error: float = 0.0

    backend_choices: ClassVar[tuple[str, ...]] = BACKENDS

    def __post_init__(self) -> None:
        _require_choice("backend", self.backend, self.backend_choices)
        _require_choice("shot_model", self.shot_model, SHOT_MODELS)
        _require_choice("sampler", self.sampler, SAMPLERS)
        self._check_noise()
        if self.backend == "aer":
            require(
                self.device in AER_DEVICES or self.device in ANSATZ_DEVICES,
                f"device {self.device!r} is not an Aer device; on backend=aer use device=CPU or "
                "device=GPU (or backend=pennylane for a PennyLane device).",
            )
        if self.backend == "pennylane":
            require(
                self.device not in AER_DEVICES,
                f"device={self.device} is Aer's name; on backend=pennylane the GPU device is "
                "lightning.gpu (the CPU one lightning.qubit).",
            )
            require(
                self.device != GPU_DEVICES["pennylane"] or self.device in installed_pennylane_devices(),
                "device 'lightning.gpu' is not installed: it needs an NVIDIA GPU with CUDA and "
                "pip install pennylane-lightning-gpu; or use device=lightning.qubit (CPU).",
            )
            require(
                self.device not in installed_pennylane_devices() or self.device in ANSATZ_DEVICES,
                f"device {self.device!r} cannot run the ansatz (a qubit circuit with adjoint "
                f"gradients); choose one of {', '.join(pennylane_devices())}.",
            )
            _require_choice("device", self.device, pennylane_devices())
        require(
            self.shots == "exact" or (isinstance(self.shots, int) and self.shots > 0),
            f"shots must be a positive number of shots per measurement group or 'exact', got {self.shots!r}.",
        )
        require(
            self.shots == "exact" or self.shots <= MAX_SHOTS,
            f"shots must be at most {MAX_SHOTS:,} per measurement group (simulators count shots in "
            f"64-bit integers and hold the sampled bits in memory), got {self.shots!r}.",
        )

    def require_sample_memory(self, qubits: int) -> None:
        """Refuse a primitive's sampled bits that would not fit in memory."""
        if self.shots != "exact" and self.shot_model == "sampled" and self.sampler == "primitive":
            # A primitive returns one bool per qubit and shot: the least one row of one
            # measurement group holds, before any counting (the counts path holds no bits).
            require_memory(
                self.shots * qubits,
                f"sampling {self.shots:,} shots of {qubits} qubits",
                "lower shots, or use sampler=counts (counts drawn from exact probabilities hold no bits)",
            )

    def measurement(self, **changes: Any) -> MeasurementOptions:
        """These options alone (without a subclass's problem fields), with ``changes``."""
        values = {f.name: getattr(self, f.name) for f in fields(MeasurementOptions)}
        return MeasurementOptions(**{**values, **changes})

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
            self.noise == "none" or self.backend != "pennylane" or self.sampler == "counts",
            "PennyLane simulates device noise for sampler='counts' (default.mixed density matrices), "
            "not for its own shot sampling: remove sampler='primitive'.",
        )
        require(
            not self.noise.startswith("fake_") or self.backend != "pennylane",
            f"noise={self.noise!r} is a Qiskit fake backend: it needs backend='aer'.",
        )


# What a statevector run of n qubits holds at its peak, in complex statevectors (16·2^n bytes):
# Aer's state per parallel experiment (one per core), a chunk's outcome probabilities (2 GiB,
# circuits.shot_models.PROBABILITY_MEMORY), the eigenvalue classes of each measured basis.
# Measured: TFIM n = 24, spsa from the command line, 2.39 GB = 9.6 statevectors of 256 MB
# (benchmarks/results/bench_scale.md).
STATEVECTOR_COPIES = 10


def require_simulation_memory(qubits: int, problem: str) -> None:
    """Refuse a problem whose statevector simulation cannot fit in this machine's memory."""
    require_memory(
        STATEVECTOR_COPIES * 16.0 * 2**qubits,
        f"problem {problem!r} on {qubits} qubits (statevectors of 2^{qubits} amplitudes)",
        "use fewer qubits (each one doubles the memory), or a machine with more memory",
    )


def _require_choice(key: str, value: str, choices: Sequence[str]) -> None:
    require(value in choices, f"unknown {key} {value!r}.{did_you_mean(value, choices)}")


@dataclass(frozen=True)
class VQEConfig(MeasurementOptions):
    """Parameters of the ``vqe`` objective (``--set key=value``): the measurement options of
    :class:`MeasurementOptions`, and

    problem: a registered Hamiltonian (:data:`circuits.problems.PROBLEMS`: ``tfim``, transverse-field
        Ising, field ``h``; ``xxz``, Heisenberg XXZ, anisotropy ``delta``; ``h2``, H2 at 0.735 Å,
        STO-3G, ``qubits`` 2 or 4; ``fermi-hubbard``, ``rows`` × ``cols`` sites, hopping ``t``,
        on-site ``u``, half filling; ``molecule`` (H2, LiH, BeH2, H4) at ``bond_length`` Å (None: the
        table's), ``active_electrons`` in ``active_orbitals`` (None: the table's); ``maxcut``, a
        random ``degree``-regular graph on ``nodes`` vertices from ``graph_seed``, or ``edges``).
        Each problem reads the fields its parameter class names.
    ansatz: a registered circuit (:data:`circuits.ansatze.ANSATZE`: ``hea``, the hardware-efficient
        ansatz with ``reps`` entangling layers, P = 2·qubits·(reps + 1) parameters; ``hva`` (tfim,
        xxz, fermi-hubbard), ``qaoa`` (maxcut), with ``reps`` layers; ``uccsd`` (molecule, h2 on 4
        qubits)).
    qubits, periodic: chain length, and closing the chain (tfim, xxz; periodic also fermi-hubbard). Any
        problem's qubit count is checked against this machine's memory (:data:`STATEVECTOR_COPIES`).
    """

    problem: str = "tfim"
    ansatz: str = "hea"
    qubits: int = 6
    reps: int = 2
    h: float = 1.0
    delta: float = 1.0
    periodic: bool = False
    rows: int = 1
    cols: int = 4
    t: float = 1.0
    u: float = 4.0
    molecule: str = "H2"
    bond_length: float | None = None
    active_electrons: int | None = None
    active_orbitals: int | None = None
    nodes: int = 10
    degree: int = 3
    graph_seed: int = 0
    edges: tuple[tuple[int, ...], ...] | None = None

    def __post_init__(self) -> None:
        from circuits.ansatze import ansatz_spec
        from circuits.problems import problem_qubits, problem_spec

        super().__post_init__()
        problem = problem_spec(self.problem).parameters_from(self)  # validates the problem's own fields
        ansatz_spec(self.ansatz).parameters_from(self)
        qubits = problem_qubits(problem)
        if qubits is not None:
            require_simulation_memory(qubits, self.problem)


@dataclass(frozen=True)
class CircuitConfig(MeasurementOptions):
    """Parameters of the ``circuit`` objective: a user's circuit from ``source``, measured as
    :class:`MeasurementOptions` says.

    source: ``package.module:function``; ``function()`` returns ``(circuit, observable)`` (a Qiskit
        ``QuantumCircuit`` with unbound parameters and a ``SparsePauliOp``) or a PennyLane triple
        ``(f, observable, {"wires": ..., "num_params": ...})``.
    backend: ``auto`` (``aer`` for a Qiskit circuit, ``pennylane`` for a function) or either name.
    initial_point: ``small`` (θ ~ N(0, 0.1²)), ``zeros`` or ``uniform`` (U(-π, π)).
    reference_energy: a known ground energy (adds ``energy_error``); none: computed exactly where the
        circuit has at most :data:`circuits.objective.EXACT_REFERENCE_QUBITS` qubits.
    """

    source: str = ""
    backend: str = "auto"
    initial_point: str = "small"
    reference_energy: float | None = None

    backend_choices: ClassVar[tuple[str, ...]] = ("auto", *BACKENDS)

    def __post_init__(self) -> None:
        super().__post_init__()
        module, _, function = self.source.partition(":")
        require(
            bool(module) and function.isidentifier(),
            f"source must name a function as package.module:function (got {self.source!r}); "
            f"it returns (circuit, observable) or a PennyLane triple.",
        )
        _require_choice("initial_point", self.initial_point, INITIAL_POINTS)


INITIAL_POINTS = ("small", "zeros", "uniform")
