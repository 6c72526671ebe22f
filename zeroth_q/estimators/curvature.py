r"""Second-order SPSA for black boxes: 2-SPSA (Spall 2000) and QN-SPSA (Gacon et al. 2021).

Both are compositions: this estimator (the SPSA estimator,
:class:`~zeroth_q.estimators.SPSAGradient`, preconditioned by a curvature average kept in its
state) and an update rule (SGD with Spall's gain ``a_k = a/(k+1+A)^α`` by default), with the
safeguards of every composition (blocking, Spall's calibrated gain). Both precondition the SPSA
gradient with a curvature matrix that is itself estimated from a few extra evaluations per
step, so the cost per step stays independent of ``P``:

.. math:: \theta_{k+1} = \theta_k - a_k\, \big(|\bar C_k| + \delta I\big)^{-1}\, \hat g_k,
          \qquad \bar C_k = \tfrac{k}{k+1}\bar C_{k-1} + \tfrac{1}{k+1}\hat C_k,

where :math:`|\cdot|` takes absolute eigenvalues and δ is ``regularization`` (Spall 2000,
§III's :math:`f_k`; Gacon et al. eq. 6). The average starts from the identity, counted as
one sample (as qiskit-algorithms' SPSA does), so the first steps are close to plain SPSA
rather than dominated by one rank-2 sample; ``delay`` first-order steps may be taken while
:math:`\bar C` accumulates (Spall's advice to start averaging early and use it late).
Every part of a step has a fixed number of points, so its cost is stated exactly before the step.

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

from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

import numpy as np

from zeroth_q.config import require, require_memory
from zeroth_q.estimators.base import GradientEstimate
from zeroth_q.estimators.directions import directions, second_moment_scale
from zeroth_q.estimators.spsa import SPSAGradient
from zeroth_q.objective import Cost, Objective, evaluate, evaluation_cost, require_capability

Curvature = Literal["hessian", "fubini-study"]


class CurvatureState(NamedTuple):
    """The running curvature average and its sample count."""

    average: np.ndarray
    samples: int


def regularized_solve(matrix: np.ndarray, vector: np.ndarray, regularization: float) -> np.ndarray:
    """``(|M| + δI)^{-1} v`` with ``|M|`` the matrix of absolute eigenvalues: always positive definite."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return eigenvectors @ ((eigenvectors.T @ vector) / (np.abs(eigenvalues) + regularization))


@dataclass(frozen=True)
class CurvatureSPSAGradient(SPSAGradient):
    """The two-sided SPSA gradient preconditioned by the averaged curvature (module docstring):
    ``curvature`` ``hessian`` (2-SPSA) or ``fubini-study`` (QN-SPSA), ``c_tilde`` the second
    perturbation's size (default ``c``), ``regularization`` δ, ``delay`` first-order steps."""

    curvature: Curvature = "hessian"
    c_tilde: float | None = None
    regularization: float = 1e-3
    delay: int = 0
    kind: ClassVar[str] = "spsa-curvature"

    def __post_init__(self) -> None:
        super().__post_init__()
        require(
            self.curvature in ("hessian", "fubini-study"),
            f"curvature must be 'hessian' or 'fubini-study' (got {self.curvature!r}).",
        )
        require(not self.one_sided, "the curvature needs the two-sided SPSA estimator (one_sided false).")
        require(self.c_tilde is None or self.c_tilde > 0, f"c_tilde must be > 0 (got {self.c_tilde}).")
        require(self.regularization > 0, f"regularization must be > 0 (got {self.regularization}).")
        require(self.delay >= 0, f"delay must be >= 0 (got {self.delay}).")

    @property
    def requires(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("fidelity",) if self.curvature == "fubini-study" else ()

    def init(self, dim: int) -> CurvatureState:
        require_memory(
            3 * 8.0 * dim**2,
            f"the SPSA curvature estimator keeps {dim:,} x {dim:,} curvature matrices, which",
            "use the plain SPSA estimator (--set estimator.kind=spsa: memory ~ P).",
        )
        return CurvatureState(np.eye(dim), 1)

    def cost(self, objective: Objective, dim: int, step: int, state: CurvatureState | None = None) -> Cost:
        extra = 2 * self.perturbations
        if self.curvature == "hessian":
            return evaluation_cost(objective, self.rows(dim) + extra)
        require_capability(objective, "fidelity", "qnspsa")
        return evaluation_cost(objective, self.rows(dim)) + objective.fidelity_cost(2 * extra)

    def sample(
        self, objective: Objective, x: np.ndarray, step: int, rng: np.random.Generator
    ) -> tuple[GradientEstimate, np.ndarray]:
        """The SPSA gradient estimate (with the loss and the cost of the whole sample) and one
        curvature sample from the same directions, at ``x`` (module docstring)."""
        count, dim = self.perturbations, x.size
        seed, seed_tilde = self.draw(rng), self.draw(rng)
        points = self.points(x, step, seed)
        c_k, c_tilde_k = self.perturbation_size(step), (self.c_tilde or self.c) / (step + 1) ** self.gamma
        delta = directions(seed, count, dim, self.distribution)
        delta_tilde = directions(seed_tilde, count, dim, self.distribution)
        shifted = points[: 2 * count] + c_tilde_k * np.tile(delta_tilde, (2, 1))
        rows = len(points)
        if self.curvature == "hessian":
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
        scale = second_moment_scale(self.distribution, dim) ** 2 / (2 * c_k * c_tilde_k * count)
        outer = delta_tilde.T @ (second[:, None] * delta)
        sample = scale * 0.5 * (outer + outer.T)
        return self.estimate(values, cost, dim, step, seed), sample

    def __call__(  # type: ignore[override]
        self,
        objective: Objective,
        theta: np.ndarray,
        step: int,
        rng: np.random.Generator,
        state: CurvatureState,
        lr: float | None = None,
        needed_by: str = "",
    ) -> tuple[GradientEstimate, CurvatureState]:
        estimate, curvature = self.sample(objective, theta, step, rng)
        samples = state.samples + 1
        average = state.average + (curvature - state.average) / samples
        gradient = estimate.gradient
        if step >= self.delay:
            gradient = regularized_solve(average, gradient, self.regularization)
        return estimate._replace(gradient=gradient), CurvatureState(average, samples)
