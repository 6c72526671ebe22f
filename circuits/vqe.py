"""The variational quantum eigensolver objective: f(θ) = estimate of <ψ(θ)|H|ψ(θ)>.

Peruzzo et al., Nat. Commun. 5, 4213 (2014); hardware-efficient form after Kandala et
al., Nature 549, 242 (2017). ``evaluate`` estimates the energy of a whole (B, P) batch
with ONE simulator call; how the estimate is made (exact, sampled, Gaussian) and what it
costs is the shot model's job (:mod:`circuits.shot_models`), which circuits run is the
backend's (:mod:`circuits.qiskit_backend`, :mod:`circuits.pennylane_backend`).

Use from Python::

    from circuits.config import VQEConfig
    from circuits.vqe import build_vqe
    objective = build_vqe(VQEConfig(problem="h2", qubits=2, shots=1000))
    # on hardware: any EstimatorV2/SamplerV2 and a pass manager for its target
    objective = build_vqe(config, estimator=runtime_estimator, sampler=runtime_sampler,
                          pass_manager=generate_preset_pass_manager(1, backend=backend))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.transpiler import PassManager

from circuits.ansatz import Circuit, hardware_efficient
from circuits.backend import CircuitBackend
from circuits.config import VQEConfig
from circuits.ground_state import ground_state
from circuits.grouping import MeasurementGroup, qubit_wise_groups
from circuits.hamiltonians import Problem
from circuits.noise import DepolarizingNoise, qiskit_noise
from circuits.qiskit_backend import QiskitBackend
from circuits.shot_models import (
    ExactExpectation,
    GaussianShotNoise,
    SampledCounts,
    SampledMeasurement,
    ShotModel,
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
    from circuits.pennylane_backend import PennyLaneBackend

INITIAL_SCALE = 0.1


class VQEObjective:
    """Energy of the ansatz state, estimated under a shot model; metrics are exact."""

    def __init__(
        self,
        problem: Problem,
        circuit: Circuit,
        backend: CircuitBackend,
        shot_model: ShotModel,
        noisy: bool = False,
    ):
        self.problem = problem
        self.circuit = circuit
        self.backend = backend
        self.shot_model = shot_model
        self.noisy = noisy

    @property
    def dim(self) -> int:
        return self.circuit.num_parameters

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        """θ ~ N(0, 0.1²): close to the identity circuit, whose gradients do not vanish
        with the number of qubits the way random initializations' do (barren plateaus,
        McClean et al., Nat. Commun. 9, 4812 (2018); Grant et al., Quantum 3, 214 (2019))."""
        return INITIAL_SCALE * rng.standard_normal(self.dim)

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
        reference = check_thetas(np.asarray(theta)[None, :], self.dim)
        rows = np.concatenate([reference, check_thetas(others, self.dim)])
        states = self.backend.statevectors(rows)
        exact = np.abs(states[1:] @ states[0].conj()) ** 2
        return self.shot_model.fidelity(np.clip(exact, 0.0, 1.0), rng)

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
        """Exact diagnostics at θ (no cost): energy, the exact ground energy, their
        difference, and the probability of the state in the ground space; with device
        noise also ``noisy_energy``, what the noisy device reports at infinitely many shots."""
        theta = check_thetas(np.asarray(theta)[None, :], self.dim)
        reference = ground_state(self.problem)
        energy = float(self.backend.energy(theta)[0])
        metrics = {
            "energy": energy,
            "exact_ground_energy": reference.energy,
            "energy_error": energy - reference.energy,
            "fidelity": reference.fidelity(self.backend.statevectors(theta)[0]),
        }
        if self.noisy:
            assert isinstance(self.shot_model, SampledMeasurement)
            metrics["noisy_energy"] = float(self.shot_model.expectation(self.backend, theta)[0])
        return metrics


class AdjointVQEObjective(VQEObjective):
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


class ShotAllocatingVQEObjective(VQEObjective):
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


def make_shot_model(config: VQEConfig, offset: float, groups: tuple[MeasurementGroup, ...]) -> ShotModel:
    """``shots="exact"`` → :class:`ExactExpectation`; N shots → the configured model."""
    if config.shots == "exact":
        return ExactExpectation()
    if config.shot_model == "gaussian":
        return GaussianShotNoise(config.shots, offset, groups)
    model = SampledCounts if config.sampler == "counts" else SampledMeasurement
    return model(config.shots, offset, groups)


def build_vqe(
    config: VQEConfig,
    *,
    estimator: BaseEstimatorV2 | None = None,
    sampler: BaseSamplerV2 | None = None,
    pass_manager: PassManager | None = None,
) -> VQEObjective:
    """The objective described by ``config``. With ``backend="aer"``, ``estimator`` /
    ``sampler`` replace Aer's primitives (e.g. IBM Runtime's, with a ``pass_manager`` for
    that backend's target); see :mod:`circuits.qiskit_backend`."""
    primitives = {"estimator": estimator, "sampler": sampler, "pass_manager": pass_manager}
    if sampler is not None and config.sampler != "primitive":
        raise ConfigError(
            "a SamplerV2 was passed but the config draws counts from simulated probabilities; "
            "set sampler='primitive' to measure with it."
        )
    if sampler is not None and config.noise != "none":
        raise ConfigError(f"a SamplerV2 you pass has its own noise; set noise='none' (got {config.noise!r}).")
    problem = Problem(config.problem, config.qubits, config.h, config.delta, config.periodic)
    hamiltonian = problem.hamiltonian()
    circuit = hardware_efficient(config.qubits, config.reps)
    model = make_shot_model(config, *qubit_wise_groups(hamiltonian))
    prepared = (circuit, hamiltonian, model.observables, model.bases)
    rates = DepolarizingNoise(config.depolarizing_1q, config.depolarizing_2q, config.readout_error)
    noisy = config.noise != "none"
    objective = _objective_class(config)
    if config.backend == "aer":
        noise_model, device_pass_manager = qiskit_noise(config.noise, rates)
        primitives["pass_manager"] = pass_manager or device_pass_manager
        backend = QiskitBackend(*prepared, **primitives, noise_model=noise_model)
        return objective(problem, circuit, backend, model, noisy)
    if any(p is not None for p in primitives.values()):
        raise TypeError(f"estimator/sampler/pass_manager need backend='aer', not {config.backend!r}.")
    # Imported here: PennyLane takes seconds to import (with matplotlib.pyplot and scipy.optimize),
    # which a run on the default Aer backend would pay for nothing (issue 29).
    from circuits.pennylane_backend import PennyLaneBackend

    backend = PennyLaneBackend(*prepared, device=config.device, noise=rates if noisy else None)
    return objective(problem, circuit, backend, model, noisy)


def _objective_class(config: VQEConfig) -> type[VQEObjective]:
    """The class whose capabilities the configuration supports (see the two subclasses)."""
    if config.shots == "exact":
        return AdjointVQEObjective if config.backend == "pennylane" else VQEObjective
    return ShotAllocatingVQEObjective
