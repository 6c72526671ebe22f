r"""Second-order SPSA for black boxes: 2-SPSA (Spall 2000) and QN-SPSA (Gacon et al. 2021).

Both are compositions: the SPSA estimator (:class:`~zeroth_q.estimators.SPSAGradient`, whose
directions and perturbation sizes ``c_k = c/(k+1)^γ`` are the only ones in the library), a
curvature-preconditioning step, and an update rule (SGD with Spall's gain
``a_k = a/(k+1+A)^α`` by default). Both precondition the SPSA gradient with a curvature
matrix that is itself estimated from a few extra evaluations per step, so the cost per
step stays independent of ``P``:

.. math:: \theta_{k+1} = \theta_k - a_k\, \big(|\bar C_k| + \delta I\big)^{-1}\, \hat g_k,
          \qquad \bar C_k = \tfrac{k}{k+1}\bar C_{k-1} + \tfrac{1}{k+1}\hat C_k,

where :math:`|\cdot|` takes absolute eigenvalues and δ is ``regularization`` (Spall 2000,
§III's :math:`f_k`; Gacon et al. eq. 6). The average starts from the identity, counted as
one sample (as qiskit-algorithms' SPSA does), so the first steps are close to plain SPSA
rather than dominated by one rank-2 sample; ``delay`` first-order steps may be taken while
:math:`\bar C` accumulates (Spall's advice to start averaging early and use it late).
With ``lr=None`` the gain ``a`` is calibrated at the start from ``calibration_steps``
two-sided directions as plain ``spsa`` does (:mod:`zeroth_q.stochastic.calibration`), which
is what qiskit-algorithms' ``QNSPSA`` and 2-SPSA do when no learning rate is given.
``blocking`` (Spall 2000, §III) evaluates ``f`` at the old and new point on one draw and
rejects a step that raises the loss by more than ``allowed_increase``. Every part of a step
has a fixed number of points, so ``step_cost`` states it exactly before the step.

The curvature sample uses the estimator's directions Δ and a second independent set Δ̃
from the same estimator, with sizes ``c_k`` and ``c̃_k = c̃/(k+1)^γ``, applied to a function ``d``
(averaged over the ``T`` pairs when the estimator has ``T`` perturbations; ``s`` scales
directions with :math:`s\,E[\Delta\Delta^T] = I`, 1 for Rademacher):

.. math:: \hat C = \frac{d(\theta + c\Delta + \tilde c\tilde\Delta) - d(\theta + c\Delta)
          - d(\theta - c\Delta + \tilde c\tilde\Delta) + d(\theta - c\Delta)}{2c\tilde c}
          \cdot \tfrac{s^2}{2}(\tilde\Delta\Delta^T + \Delta\tilde\Delta^T),

an unbiased estimate of :math:`\nabla^2 d` for quadratic ``d`` (bias :math:`O(c^2)` otherwise).

* ``curvature="hessian"`` (2-SPSA): ``d = f``; the four points per direction, two of which
  also give the gradient, go in one ``evaluate`` call.
* ``curvature="fubini-study"`` (QN-SPSA): the infidelity
  :math:`d(\theta') = 1 - |\langle\psi(\theta)|\psi(\theta')\rangle|^2`, whose Hessian at θ is the
  Fubini–Study metric (up to the factor convention), measured by the objective's
  ``fidelity`` (:class:`~zeroth_q.objective.SupportsFidelity`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require, require_memory
from zeroth_q.estimators import GradientEstimate, SPSAGradient
from zeroth_q.estimators.directions import directions, second_moment_scale
from zeroth_q.estimators.perturbed import perturbed_points
from zeroth_q.objective import Allowance, Cost, Objective, evaluate, evaluation_cost, require_capability
from zeroth_q.optimizer import StepOutcome
from zeroth_q.second_order.fisher import PreconditionedState
from zeroth_q.stochastic.calibration import (
    calibrates_gain,
    calibration_perturbations,
    spall_gain,
    unit_gain_transform,
)
from zeroth_q.updates.rules import SGD, UpdateRule
from zeroth_q.updates.transforms import GradientTransformation

Curvature = Literal["hessian", "fubini-study"]


class CurvatureState(NamedTuple):
    """The running curvature average, its sample count, and the gain ``a`` multiplying the
    update rule's step (calibrated at step 0 when the rule's ``lr`` is None; NaN before)."""

    average: np.ndarray
    samples: int
    gain: float


class CurvatureSample(NamedTuple):
    """The SPSA gradient estimate (with its loss and the cost of the whole sample) and one
    curvature sample from the same directions."""

    estimate: GradientEstimate
    curvature: np.ndarray


def curvature_sample(
    objective: Objective,
    estimator: SPSAGradient,
    x: np.ndarray,
    step: int,
    c_tilde: float,
    curvature: Curvature,
    rng: np.random.Generator,
) -> CurvatureSample:
    """One SPSA gradient and one curvature sample at ``x`` (see the module docstring)."""
    count, dim = estimator.perturbations, x.size
    seed, seed_tilde = estimator.draw(rng), estimator.draw(rng)
    points = estimator.points(x, step, seed)
    c_k, c_tilde_k = estimator.perturbation_size(step), c_tilde / (step + 1) ** estimator.gamma
    delta = directions(seed, count, dim, estimator.distribution)
    delta_tilde = directions(seed_tilde, count, dim, estimator.distribution)
    shifted = points[: 2 * count] + c_tilde_k * np.tile(delta_tilde, (2, 1))
    rows = len(points)
    if curvature == "hessian":
        evaluation = evaluate(objective, np.concatenate([points, shifted]), rng)
        values, cost = np.asarray(evaluation.values, dtype=float), evaluation.cost
        d_plus, d_minus, d_plus_tilde, d_minus_tilde = (
            values[:count],
            values[count : 2 * count],
            values[rows : rows + count],
            values[rows + count :],
        )
        values = values[:rows]
    else:
        require_capability(objective, "fidelity", "qnspsa")
        evaluation = evaluate(objective, points, rng)
        fidelities = objective.fidelity(x, np.concatenate([points[: 2 * count], shifted]), rng)
        values, cost = np.asarray(evaluation.values, dtype=float), evaluation.cost + fidelities.cost
        infidelity = 1.0 - np.asarray(fidelities.values, dtype=float)
        d_plus, d_minus, d_plus_tilde, d_minus_tilde = np.split(infidelity, 4)
    second = d_plus_tilde - d_plus - d_minus_tilde + d_minus
    scale = second_moment_scale(estimator.distribution, dim) ** 2 / (2 * c_k * c_tilde_k * count)
    outer = delta_tilde.T @ (second[:, None] * delta)
    sample = scale * 0.5 * (outer + outer.T)
    return CurvatureSample(estimator.estimate(values, cost, dim, step, seed), sample)


def regularized_solve(matrix: np.ndarray, vector: np.ndarray, regularization: float) -> np.ndarray:
    """``(|M| + δI)^{-1} v`` with ``|M|`` the matrix of absolute eigenvalues: always positive definite."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return eigenvectors @ ((eigenvectors.T @ vector) / (np.abs(eigenvalues) + regularization))


@dataclass(frozen=True)
class SecondOrderSPSA(Configurable):
    """``2spsa`` / ``qnspsa``: the SPSA ``estimator`` (two-sided), preconditioned by the
    averaged curvature, then the ``update`` rule. ``c`` and ``gamma`` belong to the estimator,
    ``lr``, ``stability`` (Spall's A) and ``alpha`` to the rule, as in plain ``spsa``."""

    name: str = "2spsa"
    estimator: SPSAGradient = field(default_factory=SPSAGradient)
    update: UpdateRule = field(default_factory=lambda: SGD(lr=0.5, schedule="spall"))
    curvature: Curvature = "hessian"
    c_tilde: float | None = None
    regularization: float = 1e-3
    delay: int = 0
    blocking: bool = False
    allowed_increase: float = 0.0
    calibration_steps: int = 25

    def __post_init__(self) -> None:
        require(
            self.curvature in ("hessian", "fubini-study"),
            f"curvature must be 'hessian' or 'fubini-study' (got {self.curvature!r}).",
        )
        require(
            isinstance(self.estimator, SPSAGradient) and not self.estimator.one_sided,
            f"{self.name} needs the two-sided SPSA estimator (kind 'spsa', one_sided false).",
        )
        require(self.c_tilde is None or self.c_tilde > 0, f"c_tilde must be > 0 (got {self.c_tilde}).")
        require(self.regularization > 0, f"regularization must be > 0 (got {self.regularization}).")
        require(self.delay >= 0, f"delay must be >= 0 (got {self.delay}).")
        require(self.calibration_steps >= 0, f"calibration_steps must be >= 0, got {self.calibration_steps}.")

    @property
    def requires(self) -> tuple[str, ...]:
        return ("fidelity",) if self.curvature == "fubini-study" else ()

    @cached_property
    def transform(self) -> GradientTransformation:
        return unit_gain_transform(self.update, self.calibration_steps)

    def gain_rows(self, step: int) -> int:
        """Start-point evaluations for the gain calibration: two per direction, at step 0."""
        return (
            2 * self.calibration_steps
            if step == 0 and calibrates_gain(self.update, self.calibration_steps)
            else 0
        )

    def init(self, x: np.ndarray) -> PreconditionedState:
        require_memory(
            3 * 8.0 * x.size**2,
            f"{self.name} keeps {x.size:,} x {x.size:,} curvature matrices, which",
            "use 'spsa' or 'zo-adam' (memory ~ P).",
        )
        gain = math.nan if calibrates_gain(self.update, self.calibration_steps) else 1.0
        return PreconditionedState(CurvatureState(np.eye(x.size), 1, gain), self.transform.init(x))

    def step_cost(self, objective: Objective, x: np.ndarray, state: PreconditionedState, step: int) -> Cost:
        extra = 2 * self.estimator.perturbations
        if self.curvature == "hessian":
            cost = evaluation_cost(objective, self.estimator.rows(x.size) + extra)
        else:
            require_capability(objective, "fidelity", self.name)
            cost = self.estimator.cost(objective, x.size, step) + objective.fidelity_cost(2 * extra)
        if self.gain_rows(step):
            cost = cost + evaluation_cost(objective, self.gain_rows(step))
        return cost + (evaluation_cost(objective, 2) if self.blocking else Cost())

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: PreconditionedState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        curvature, cost = state.curvature, Cost()
        gain = curvature.gain
        if self.gain_rows(step):
            assert isinstance(self.update, SGD)
            probe = calibration_perturbations(
                self.estimator, self.calibration_steps, self.estimator.draw(rng)
            )
            calibration = evaluate(objective, perturbed_points(x, probe), rng)
            gain, cost = spall_gain(self.update, calibration.values, probe, x.size), calibration.cost
        c_tilde = self.c_tilde or self.estimator.c
        sample = curvature_sample(objective, self.estimator, x, step, c_tilde, self.curvature, rng)
        samples = curvature.samples + 1
        average = curvature.average + (sample.curvature - curvature.average) / samples
        gradient = sample.estimate.gradient
        if step >= self.delay:
            gradient = regularized_solve(average, gradient, self.regularization)
        updates, update_state = self.transform.update(gradient, state.update, x)
        new_x, cost = x + gain * updates, cost + sample.estimate.cost
        if self.blocking:
            check = evaluate(objective, np.stack([x, new_x]), rng)
            cost = cost + check.cost
            if check.values[1] > check.values[0] + self.allowed_increase:
                new_x = x
        new_state = PreconditionedState(CurvatureState(average, samples, gain), update_state)
        return StepOutcome(new_x, new_state, sample.estimate.loss, cost)
