r"""Second-order SPSA for black boxes: 2-SPSA (Spall 2000) and QN-SPSA (Gacon et al. 2021).

Both precondition the SPSA gradient with a curvature matrix that is itself estimated
from a few extra evaluations per step, so the cost per step stays independent of ``P``:

.. math:: \theta_{k+1} = \theta_k - a_k\, \big(|\bar C_k| + \delta I\big)^{-1}\, \hat g_k,
          \qquad \bar C_k = \tfrac{k}{k+1}\bar C_{k-1} + \tfrac{1}{k+1}\hat C_k,

where :math:`|\cdot|` takes absolute eigenvalues and δ is ``regularization`` (Spall 2000,
§III's :math:`f_k`; Gacon et al. eq. 6). The average starts from the identity, counted as
one sample (as qiskit-algorithms' SPSA does), so the first steps are close to plain SPSA
rather than dominated by one rank-2 sample; ``delay`` first-order steps may be taken while
:math:`\bar C` accumulates (Spall's advice to start averaging early and use it late).
``blocking`` (Spall 2000, §III) evaluates ``f`` at the old and new point on one draw and
rejects a step that raises the loss by more than ``allowed_increase``.

The curvature sample uses two independent Rademacher directions Δ, Δ̃ and sizes ``c``,
``c̃``, applied to a function ``d``:

.. math:: \hat C = \frac{d(\theta + c\Delta + \tilde c\tilde\Delta) - d(\theta + c\Delta)
          - d(\theta - c\Delta + \tilde c\tilde\Delta) + d(\theta - c\Delta)}{2c\tilde c}
          \cdot \tfrac12(\tilde\Delta\Delta^T + \Delta\tilde\Delta^T),

an unbiased estimate of :math:`\nabla^2 d` for quadratic ``d`` (bias :math:`O(c^2)` otherwise).

* ``curvature="hessian"`` (2-SPSA): ``d = f``; the four points, two of which also give the
  gradient, go in one ``evaluate`` call.
* ``curvature="fubini-study"`` (QN-SPSA): the infidelity
  :math:`d(\theta') = 1 - |\langle\psi(\theta)|\psi(\theta')\rangle|^2`, whose Hessian at θ is the
  Fubini–Study metric (up to the factor convention), measured by the objective's
  ``fidelity`` (:class:`~zeroth_q.objective.SupportsFidelity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.objective import Cost, Objective, evaluate, require_capability
from zeroth_q.optimizer import StepOutcome


class CurvatureState(NamedTuple):
    average: np.ndarray
    samples: int


class CurvatureSample(NamedTuple):
    gradient: np.ndarray
    curvature: np.ndarray
    loss: float
    cost: Cost


def rademacher(rng: np.random.Generator, dim: int) -> np.ndarray:
    return rng.integers(0, 2, size=dim).astype(float) * 2.0 - 1.0


def curvature_sample(
    objective: Objective, x: np.ndarray, c: float, c_tilde: float, curvature: str, rng: np.random.Generator
) -> CurvatureSample:
    """One SPSA gradient and one curvature sample at ``x`` (see the module docstring)."""
    delta, delta_tilde = rademacher(rng, x.size), rademacher(rng, x.size)
    shifted = np.stack(
        [
            x + c * delta,
            x - c * delta,
            x + c * delta + c_tilde * delta_tilde,
            x - c * delta + c_tilde * delta_tilde,
        ]
    )
    if curvature == "hessian":
        evaluation = evaluate(objective, shifted, rng)
        values, cost = evaluation.values, evaluation.cost
        second = values[2] - values[0] - values[3] + values[1]
    else:
        require_capability(objective, "fidelity", "qnspsa")
        evaluation = evaluate(objective, shifted[:2], rng)
        fidelities = objective.fidelity(x, shifted, rng)
        values, cost = evaluation.values, evaluation.cost + fidelities.cost
        infidelity = 1.0 - np.asarray(fidelities.values, dtype=float)
        second = infidelity[2] - infidelity[0] - infidelity[3] + infidelity[1]
    gradient = (values[0] - values[1]) / (2 * c) * delta
    outer = np.outer(delta_tilde, delta)
    sample = second / (2 * c * c_tilde) * 0.5 * (outer + outer.T)
    return CurvatureSample(gradient, sample, float(np.mean(values[:2])), cost)


def regularized_solve(matrix: np.ndarray, vector: np.ndarray, regularization: float) -> np.ndarray:
    """``(|M| + δI)^{-1} v`` with ``|M|`` the matrix of absolute eigenvalues: always positive definite."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return eigenvectors @ ((eigenvectors.T @ vector) / (np.abs(eigenvalues) + regularization))


@dataclass(frozen=True)
class SecondOrderSPSA(Configurable):
    name: str = "2spsa"
    curvature: Literal["hessian", "fubini-study"] = "hessian"
    lr: float = 0.5
    stability: float = 0.0
    alpha: float = 0.602
    c: float = 0.1
    gamma: float = 0.101
    c_tilde: float | None = None
    regularization: float = 1e-3
    delay: int = 0
    blocking: bool = False
    allowed_increase: float = 0.0

    def __post_init__(self) -> None:
        require(
            self.curvature in ("hessian", "fubini-study"),
            f"curvature must be 'hessian' or 'fubini-study' (got {self.curvature!r}).",
        )
        require(self.lr > 0 and self.c > 0, f"lr and c must be > 0 (got lr={self.lr}, c={self.c}).")
        require(self.c_tilde is None or self.c_tilde > 0, f"c_tilde must be > 0 (got {self.c_tilde}).")
        require(self.regularization > 0, f"regularization must be > 0 (got {self.regularization}).")
        require(self.delay >= 0 and self.stability >= 0, "delay and stability must be >= 0.")

    @property
    def requires(self) -> tuple[str, ...]:
        return ("fidelity",) if self.curvature == "fubini-study" else ()

    def init(self, x: np.ndarray) -> CurvatureState:
        return CurvatureState(np.eye(x.size), 1)

    def step(
        self, objective: Objective, x: np.ndarray, state: CurvatureState, step: int, rng: np.random.Generator
    ) -> StepOutcome:
        c_k = self.c / (step + 1) ** self.gamma
        c_tilde = (self.c_tilde or self.c) / (step + 1) ** self.gamma
        sample = curvature_sample(objective, x, c_k, c_tilde, self.curvature, rng)
        samples = state.samples + 1
        average = state.average + (sample.curvature - state.average) / samples
        gain = self.lr / (step + 1 + self.stability) ** self.alpha
        if step < self.delay:
            direction = sample.gradient
        else:
            direction = regularized_solve(average, sample.gradient, self.regularization)
        new_x, cost = x - gain * direction, sample.cost
        if self.blocking:
            check = evaluate(objective, np.stack([x, new_x]), rng)
            cost = cost + check.cost
            if check.values[1] > check.values[0] + self.allowed_increase:
                new_x = x
        return StepOutcome(new_x, CurvatureState(average, samples), sample.loss, cost)
