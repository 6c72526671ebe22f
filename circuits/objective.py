"""Any parameterized circuit and Hermitian observable as an objective: f(θ) = estimate of <ψ(θ)|H|ψ(θ)>.

Two kinds of circuit come in:

* a Qiskit ``QuantumCircuit`` with unbound ``Parameter``/``ParameterVector`` angles (any gates
  Aer runs; a parameter may drive many gates, inside affine expressions such as ``2*θ`` or
  ``θ + φ``) and a ``SparsePauliOp``; the parameter order is ``circuit.parameters``, Qiskit's own
  sorted order (names alphabetically, a ``ParameterVector``'s elements by index);
* a PennyLane quantum function ``f(params)`` (a 1-D array of ``num_params`` values, gates on
  ``wires``) and a PennyLane operator (``qml.Hamiltonian``, a ``Sum``, a ``LinearCombination``) or a
  ``SparsePauliOp`` (qubit q = ``wires[q]``).

``evaluate`` estimates the energy of a whole (B, P) batch with ONE simulator call; how the
estimate is made (exact, sampled, Gaussian) and what it costs is the shot model's job
(:mod:`circuits.shot_models`), which circuits run is the backend's (:mod:`circuits.qiskit_backend`,
:mod:`circuits.pennylane_backend`). Every objective states its parameters' frequencies
(:class:`~zeroth_q.objective.SupportsFrequencies`, computed from the gates by
:mod:`circuits.spectrum`), so parameter-shift optimizers are exact on shared and scaled
parameters. The built-in ``vqe`` (:mod:`circuits.vqe`) is one user of this module.

Use from Python::

    from circuits import circuit_objective
    objective = circuit_objective(qc, hamiltonian, shots=1000)             # Aer
    objective = circuit_objective(f, H, wires=4, num_params=2, shots="exact")  # PennyLane
    # on hardware: any EstimatorV2/SamplerV2 and a pass manager for its target
    objective = circuit_objective(qc, hamiltonian, estimator=runtime_estimator, sampler=runtime_sampler,
                                  pass_manager=generate_preset_pass_manager(1, backend=backend))

Each backend imports only itself: an Aer objective never imports PennyLane, a PennyLane one never
imports Qiskit Aer (it uses ``qiskit.quantum_info`` for measurement groups and the reference).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from circuits.backend import CircuitBackend
from circuits.config import INITIAL_POINTS, MeasurementOptions
from circuits.gpu import require_gpu
from circuits.ground_state import GroundState, ParticleSector, ground_state
from circuits.grouping import MeasurementGroup, qubit_wise_groups
from circuits.noise import DepolarizingNoise
from circuits.shot_models import (
    ExactExpectation,
    GaussianShotNoise,
    SampledCounts,
    SampledMeasurement,
    ShotModel,
    statevector_chunk,
)
from zeroth_q.errors import ConfigError
from zeroth_q.objective import (
    Cost,
    Evaluation,
    GradientEvaluation,
    MeasuredGroups,
    ShotEvaluation,
    check_thetas,
    combine_groups,
    shots_cost,
    shots_per_group,
)

if TYPE_CHECKING:
    from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
    from qiskit.transpiler import PassManager

    from circuits.pennylane_backend import PennyLaneBackend

INITIAL_SCALE = 0.1
# Qubits up to which the exact ground state is computed for a user's circuit by default (a 2^14
# Lanczos takes well under a second); beyond, give reference_energy or exact_reference=True.
EXACT_REFERENCE_QUBITS = 14
InitialPoint = str | Sequence[float] | np.ndarray


class CircuitObjective:
    """Energy of the circuit's state, estimated under a shot model; metrics are exact."""

    def __init__(
        self,
        backend: CircuitBackend,
        shot_model: ShotModel,
        hamiltonian: SparsePauliOp,
        dim: int,
        frequencies: Callable[[], tuple[tuple[float, ...], ...]],
        *,
        initial_point: InitialPoint = "small",
        reference_energy: float | None = None,
        exact_reference: bool = True,
        reference_sector: ParticleSector | None = None,
        energy_metrics: Callable[[float], dict[str, float]] | None = None,
        noisy: bool = False,
    ):
        self.backend = backend
        self.shot_model = shot_model
        self.hamiltonian = hamiltonian
        self._dim = dim
        self._frequencies = frequencies
        self._known_frequencies: tuple[tuple[float, ...], ...] | None = None
        self._initial_point = initial_point
        self.reference_energy = reference_energy
        self.exact_reference = exact_reference
        self.reference_sector = reference_sector
        self.energy_metrics = energy_metrics
        self.noisy = noisy

    @property
    def dim(self) -> int:
        return self._dim

    def frequencies(self) -> tuple[tuple[float, ...], ...]:
        """Per parameter, the frequencies of the energy in it, from the circuit's gates
        (:mod:`circuits.spectrum`); ``(1.0,)`` for a parameter in one Pauli rotation. Computed
        when first asked (an optimizer without parameter-shift never pays for it)."""
        if self._known_frequencies is None:
            self._known_frequencies = self._frequencies()
        return self._known_frequencies

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        """``small`` (default): θ ~ N(0, 0.1²), close to the identity circuit, whose gradients do
        not vanish with the number of qubits the way random initializations' do (barren plateaus,
        McClean et al., Nat. Commun. 9, 4812 (2018); Grant et al., Quantum 3, 214 (2019)); ``zeros``;
        ``uniform``: U(-π, π); or the array given."""
        point = self._initial_point
        if isinstance(point, str):
            if point == "zeros":
                return np.zeros(self.dim)
            if point == "uniform":
                return rng.uniform(-np.pi, np.pi, self.dim)
            return INITIAL_SCALE * rng.standard_normal(self.dim)
        return np.array(point, dtype=float)

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        thetas = check_thetas(thetas, self.dim)
        values = self.shot_model.estimate(self.backend, thetas, rng)
        return Evaluation(np.asarray(values, dtype=float), self.cost(len(thetas)))

    def cost(self, rows: int) -> Cost:
        """The shot model's cost of ``rows`` energy estimates (G circuits of N shots each)."""
        return self.shot_model.cost(rows)

    def fidelity_cost(self, rows: int) -> Cost:
        return self.shot_model.fidelity_cost(rows)

    def fidelity(self, theta: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """Fidelities ``F_b = |<ψ(θ)|ψ(θ'_b)>|²`` of the rows of ``others`` (QN-SPSA's metric,
        Gacon et al., Quantum 5, 567 (2021)), exact from statevectors and then measured as the
        shot model says: ``exact``, ``sampled`` (Binomial(N, F)/N, the all-zeros frequency of
        the compute–uncompute circuit) or ``gaussian``; each costs one circuit of N shots."""
        rows = np.concatenate(
            [check_thetas(np.asarray(theta)[None, :], self.dim), check_thetas(others, self.dim)]
        )
        chunk = statevector_chunk(self.hamiltonian.num_qubits)
        reference, overlaps = None, []
        for start in range(0, len(rows), chunk):  # one simulation when the batch fits
            states = self.backend.statevectors(rows[start : start + chunk])
            if reference is None:
                reference, states = states[0].copy(), states[1:]
            overlaps.append(np.abs(states @ reference.conj()) ** 2)
        return self.shot_model.fidelity(np.clip(np.concatenate(overlaps), 0.0, 1.0), rng)

    def capability_hint(self, capability: str) -> str | None:
        """How to get what an optimizer asked for: the gradient (and so Newton, BFGS) exists
        only as PennyLane's adjoint method on exact statevectors."""
        if capability != "gradient":
            return None
        return (
            "the adjoint gradient needs exact statevectors on PennyLane: --set backend=pennylane "
            "--set shots=exact; with shots, use 'parameter-shift-adam' or a ZO optimizer ('zo-adam', 'spsa')."
        )

    def metrics(self, theta: np.ndarray) -> dict[str, float]:
        """Exact diagnostics at θ (no cost): ``energy``; with a reference, the ground energy and
        ``energy_error``; with the exact ground state, also ``fidelity`` (the probability of the
        state in the ground space); with device noise ``noisy_energy``, what the noisy device
        reports at infinitely many shots; and what ``energy_metrics`` derives from the energy (e.g.
        MaxCut's ``approximation_ratio``)."""
        theta = check_thetas(np.asarray(theta)[None, :], self.dim)
        energy = float(self.backend.energy(theta)[0])
        metrics = {"energy": energy}
        if self.exact_reference:
            reference = self._reference
            metrics["exact_ground_energy"] = reference.energy
            metrics["energy_error"] = energy - reference.energy
            if reference.space is not None:  # None where the ground space is too large to compute
                metrics["fidelity"] = reference.fidelity(self.backend.statevectors(theta)[0])
        elif self.reference_energy is not None:
            metrics["exact_ground_energy"] = self.reference_energy
            metrics["energy_error"] = energy - self.reference_energy
        if self.energy_metrics is not None:
            metrics.update(self.energy_metrics(energy))
        if self.noisy:
            assert isinstance(self.shot_model, SampledMeasurement)
            metrics["noisy_energy"] = float(self.shot_model.expectation(self.backend, theta)[0])
        return metrics

    @cached_property
    def _reference(self) -> GroundState:
        """The exact ground state, found once per objective: even read from the disk cache it
        costs a key over the Hamiltonian's terms (~3 ms at 2 qubits), at every metrics call."""
        return ground_state(self.hamiltonian, sector=self.reference_sector)


class AdjointCircuitObjective(CircuitObjective):
    """An exact-mode objective on PennyLane, which also offers the adjoint gradient.

    A separate class so that ``isinstance(objective, SupportsGradient)`` is true exactly
    when the gradient exists: it needs the statevector (no shots) and PennyLane's adjoint
    method (Aer has no reverse mode).
    """

    backend: PennyLaneBackend

    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation:
        theta = check_thetas(np.asarray(theta)[None, :], self.dim)[0]
        value, gradient = self.backend.energy_and_gradient(theta)
        return GradientEvaluation(value, gradient, self.cost(1))


class ShotAllocatingCircuitObjective(CircuitObjective):
    """A finite-shot objective whose shots per row or per (row, measurement group) are an
    input (:class:`~zeroth_q.objective.SupportsShots`), for shot-adaptive optimizers; a
    separate class so that ``isinstance`` sees the capability exactly when it exists (not in
    exact mode)."""

    shot_model: SampledMeasurement | GaussianShotNoise

    def measurement_groups(self) -> MeasuredGroups:
        """The qubit-wise commuting groups, weighted by Σ|c_k|; L = Σ_k |c_k| over all measured
        terms bounds the gradient's Lipschitz constant for Pauli-rotation ansätze (Kübler et
        al., Quantum 4, 263 (2020), §2)."""
        model = self.shot_model
        weights = model.weights()
        return MeasuredGroups(weights, model.offset, float(weights.sum()))

    def evaluate_shots(
        self, thetas: np.ndarray, shots: np.ndarray, rng: np.random.Generator
    ) -> ShotEvaluation:
        """Energies measured with ``shots`` per row (B,) or per row and group (B, G)."""
        model = self.shot_model
        thetas = check_thetas(thetas, self.dim)
        counts = shots_per_group(shots, len(thetas), len(model.groups))
        means, variances = model.estimate_shots(self.backend, thetas, counts, rng)
        return ShotEvaluation(
            combine_groups(model.offset, means, counts), means, variances, shots_cost(counts)
        )


def make_shot_model(
    options: MeasurementOptions, offset: float, groups: tuple[MeasurementGroup, ...]
) -> ShotModel:
    """``shots="exact"`` → :class:`ExactExpectation`; N shots → the configured model."""
    if options.shots == "exact":
        return ExactExpectation()
    if options.shot_model == "gaussian":
        return GaussianShotNoise(options.shots, offset, groups)
    model = SampledCounts if options.sampler == "counts" else SampledMeasurement
    return model(options.shots, offset, groups)


def circuit_objective(
    circuit: Any,
    observable: Any,
    *,
    wires: int | Sequence[Any] | None = None,
    num_params: int | None = None,
    broadcast: bool = False,
    initial_point: InitialPoint = "small",
    reference_energy: float | None = None,
    exact_reference: bool | None = None,
    reference_sector: ParticleSector | None = None,
    estimator: BaseEstimatorV2 | None = None,
    sampler: str | BaseSamplerV2 = "counts",
    pass_manager: PassManager | None = None,
    **options: Any,
) -> CircuitObjective:
    """The objective ``<ψ(θ)|observable|ψ(θ)>`` of a Qiskit circuit or a PennyLane function
    (module docstring).

    wires, num_params: a PennyLane function's wires (a count or labels) and parameter count.
    broadcast: the PennyLane function also takes a (num_params, B) array whose rows are PennyLane
        broadcast angles, so a batch runs as one tape (else one tape per row).
    initial_point: ``"small"`` (θ ~ N(0, 0.1²), default), ``"zeros"``, ``"uniform"`` (U(-π, π)) or
        an array of ``dim`` values.
    reference_energy: a known ground energy, reported as ``exact_ground_energy`` with
        ``energy_error``. exact_reference: compute the exact ground state for ``energy_error`` and
        ``fidelity`` (default: when no energy is given and the circuit has at most
        :data:`EXACT_REFERENCE_QUBITS` qubits, or a ``reference_sector`` is given).
    reference_sector: a :class:`~circuits.ground_state.ParticleSector` (e.g. half filling of a
        fermionic Hamiltonian) in which the exact reference is taken; None: all 2^n states.
    estimator, pass_manager: a device's EstimatorV2 and the pass manager for its target (Aer).
    sampler: ``"counts"``, ``"primitive"``, or a SamplerV2 (which implies ``"primitive"``).
    options: the :class:`~circuits.config.MeasurementOptions` (``shots``, ``shot_model``,
        ``noise``, ``device``, ...; ``backend`` is implied by the circuit's kind).
    """
    user_sampler = None if isinstance(sampler, str) else sampler
    backend = "pennylane" if callable(circuit) and not _is_qiskit_circuit(circuit) else "aer"
    require_backend = options.pop("backend", backend)
    if require_backend != backend:
        raise ConfigError(
            f"a {type(circuit).__name__} runs on backend {backend!r}, not {require_backend!r}; "
            f"remove backend=."
        )
    known = {f.name for f in fields(MeasurementOptions)}
    unknown_options = sorted(set(options) - known)
    if unknown_options:
        raise ConfigError(
            f"unknown option(s) {', '.join(unknown_options)}; circuit_objective takes "
            f"{', '.join(sorted(known))}."
        )
    measurement = MeasurementOptions(
        backend=backend, sampler="primitive" if user_sampler is not None else sampler, **options
    )
    return build_circuit_objective(
        circuit,
        observable,
        measurement,
        wires=wires,
        num_params=num_params,
        broadcast=broadcast,
        initial_point=initial_point,
        reference_energy=reference_energy,
        exact_reference=exact_reference,
        reference_sector=reference_sector,
        primitives={"estimator": estimator, "sampler": user_sampler, "pass_manager": pass_manager},
    )


def _is_qiskit_circuit(circuit: Any) -> bool:
    return type(circuit).__module__.startswith("qiskit.")


def build_circuit_objective(
    circuit: Any,
    observable: Any,
    measurement: MeasurementOptions,
    *,
    wires: int | Sequence[Any] | None = None,
    num_params: int | None = None,
    broadcast: bool = False,
    initial_point: InitialPoint = "small",
    reference_energy: float | None = None,
    exact_reference: bool | None = None,
    reference_sector: ParticleSector | None = None,
    energy_metrics: Callable[[float], dict[str, float]] | None = None,
    primitives: dict[str, Any] | None = None,
) -> CircuitObjective:
    """:func:`circuit_objective` with validated :class:`MeasurementOptions` (what ``vqe`` and the
    ``circuit`` objective call); ``broadcast``: a PennyLane function that takes a (P, B) batch;
    ``energy_metrics``: more metrics derived from the exact energy (a problem's own)."""
    primitives = primitives or {}
    _check_primitives(measurement, primitives)
    rates = DepolarizingNoise(
        measurement.depolarizing_1q, measurement.depolarizing_2q, measurement.readout_error
    )
    noisy = measurement.noise != "none"
    if measurement.backend == "aer":
        prepared = _prepare_qiskit(circuit, observable, measurement, rates, primitives)
    else:
        if any(p is not None for p in primitives.values()):
            raise ConfigError(
                "estimator/sampler/pass_manager are Qiskit primitives: they need a Qiskit circuit."
            )
        noise = rates if noisy else None
        prepared = _prepare_pennylane(circuit, observable, measurement, noise, wires, num_params, broadcast)
    hamiltonian, dim = prepared.hamiltonian, prepared.dim
    _check_initial_point(initial_point, dim)
    if reference_energy is not None and not math.isfinite(reference_energy):
        raise ConfigError(f"reference_energy must be a finite number (or None), got {reference_energy!r}.")
    if exact_reference is None:
        small = hamiltonian.num_qubits <= EXACT_REFERENCE_QUBITS or reference_sector is not None
        exact_reference = reference_energy is None and small
    if reference_sector is not None and not exact_reference:
        raise ConfigError(
            "reference_sector says where the exact reference is taken: remove it, or remove "
            "reference_energy / exact_reference=False."
        )
    model = make_shot_model(measurement, *qubit_wise_groups(hamiltonian))
    return _objective_class(measurement)(
        prepared.backend(model),
        model,
        hamiltonian,
        dim,
        prepared.frequencies,
        initial_point=initial_point,
        reference_energy=reference_energy,
        exact_reference=exact_reference,
        reference_sector=reference_sector,
        energy_metrics=energy_metrics,
        noisy=noisy,
    )


class Prepared(NamedTuple):
    """A checked circuit: its observable on its qubits, its parameter count, its frequencies
    (computed when first asked), and how to build its backend for a shot model."""

    hamiltonian: SparsePauliOp
    dim: int
    frequencies: Callable[[], tuple[tuple[float, ...], ...]]
    backend: Callable[[ShotModel], CircuitBackend]


def _prepare_qiskit(
    circuit: Any,
    observable: Any,
    measurement: MeasurementOptions,
    rates: DepolarizingNoise,
    primitives: dict[str, Any],
) -> Prepared:
    from circuits.noise import qiskit_noise
    from circuits.qiskit_backend import QiskitBackend
    from circuits.qiskit_circuit import circuit_frequencies, gate_names, prepare_circuit, prepare_observable

    require_gpu("aer", measurement.device)
    prepared = prepare_circuit(circuit)
    hamiltonian = prepare_observable(observable, prepared.num_qubits)
    noise_model, device_pass_manager = qiskit_noise(measurement.noise, rates, gate_names(prepared))
    pass_manager = primitives.get("pass_manager") or device_pass_manager

    def backend(model: ShotModel) -> CircuitBackend:
        return QiskitBackend(
            prepared,
            hamiltonian,
            model.observables,
            model.bases,
            estimator=primitives.get("estimator"),
            sampler=primitives.get("sampler"),
            pass_manager=pass_manager,
            noise_model=noise_model,
            device="GPU" if measurement.device == "GPU" else "CPU",
        )

    return Prepared(hamiltonian, prepared.num_parameters, lambda: circuit_frequencies(prepared), backend)


def _prepare_pennylane(
    circuit: Any,
    observable: Any,
    measurement: MeasurementOptions,
    noise: DepolarizingNoise | None,
    wires: int | Sequence[Any] | None,
    num_params: int | None,
    broadcast: bool,
) -> Prepared:
    from circuits.pennylane_backend import PennyLaneBackend
    from circuits.pennylane_circuit import PennyLaneCircuit, from_pennylane
    from circuits.qiskit_circuit import prepare_observable

    require_gpu("pennylane", measurement.device)
    if wires is None or num_params is None:
        raise ConfigError(
            "a PennyLane function needs wires= (a count or the wire labels) and num_params= (the length "
            "of the 1-D array it takes): circuit_objective(f, H, wires=4, num_params=2)."
        )
    prepared = PennyLaneCircuit(circuit, wires, num_params, broadcast)
    if not isinstance(observable, SparsePauliOp):
        observable = from_pennylane(observable, prepared.wires)
    hamiltonian = prepare_observable(observable, prepared.num_qubits)

    def backend(model: ShotModel) -> CircuitBackend:
        return PennyLaneBackend(
            prepared, hamiltonian, model.observables, model.bases, device=measurement.device, noise=noise
        )

    return Prepared(hamiltonian, prepared.num_parameters, prepared.frequencies, backend)


def _check_initial_point(initial_point: InitialPoint, dim: int) -> None:
    if isinstance(initial_point, str):
        if initial_point not in INITIAL_POINTS:
            raise ConfigError(
                f"initial_point must be an array or one of {', '.join(INITIAL_POINTS)}, "
                f"got {initial_point!r}."
            )
        return
    point = np.asarray(initial_point, dtype=float)
    if point.shape != (dim,) or not np.all(np.isfinite(point)):
        raise ConfigError(
            f"initial_point must be {dim} finite values (one per parameter), got shape {point.shape}."
        )


def _objective_class(measurement: MeasurementOptions) -> type[CircuitObjective]:
    """The class whose capabilities the options support (see the two subclasses)."""
    if measurement.shots == "exact":
        return AdjointCircuitObjective if measurement.backend == "pennylane" else CircuitObjective
    return ShotAllocatingCircuitObjective


def _check_primitives(measurement: MeasurementOptions, primitives: dict[str, Any]) -> None:
    if primitives.get("sampler") is not None and measurement.sampler != "primitive":
        raise ConfigError(
            "a SamplerV2 was passed but the config draws counts from simulated probabilities; "
            "set sampler='primitive' to measure with it."
        )
    if primitives.get("sampler") is not None and measurement.noise != "none":
        raise ConfigError(
            f"a SamplerV2 you pass has its own noise; set noise='none' (got {measurement.noise!r})."
        )
