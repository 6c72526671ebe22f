"""SPSA: simultaneous-perturbation gradients with T directions in one batched call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from zeroth_q.config import require
from zeroth_q.estimators.base import GradientEstimate
from zeroth_q.estimators.directions import DISTRIBUTIONS, Distribution, second_moment_scale
from zeroth_q.estimators.perturbed import combination, evaluate_perturbed, perturbed_points
from zeroth_q.objective import Cost, Objective, Perturbations, PerturbedEvaluation, evaluation_cost


@dataclass(frozen=True)
class SPSAGradient:
    r"""Simultaneous-perturbation gradient with ``T`` directions (Spall 1992, 1998).

    Two-sided, with perturbation size :math:`c_k = c/(k+1)^\gamma`:

    .. math:: \hat g = \frac{s}{T}\sum_{t=1}^{T}
              \frac{f(\theta + c_k\Delta_t) - f(\theta - c_k\Delta_t)}{2c_k}\,\Delta_t

    and one-sided :math:`(f(\theta + c_k\Delta_t) - f(\theta))/c_k`, where ``s`` makes
    :math:`s\,E[\Delta\Delta^T] = I` (see :mod:`zeroth_q.estimators.directions`). For Rademacher
    directions this is Spall's estimator (:math:`\Delta^{-1} = \Delta`); Gaussian and sphere
    directions give the smoothed-function estimators of Nesterov & Spokoiny (2017) and
    Flaxman et al. (2005). Averaging over ``T`` directions divides the variance by ``T``.

    All ``2T`` (or ``T + 1``) points are evaluated on one random draw: described
    (:class:`~zeroth_q.objective.Perturbations`) to an objective that evaluates them itself,
    else materialized into one ``evaluate`` call (:mod:`zeroth_q.estimators.perturbed`); either
    way :math:`\hat g` is the returned combination :math:`\sum_t (f^+_t - f^-_t)\Delta_t` times
    :math:`s/(T\cdot\text{sides}\cdot c_k)`. The reported loss is
    ``f(theta)`` when the centre is evaluated (always when one-sided, or with
    ``evaluate_center=True``), else the mean of the ``2T`` values, which estimates
    ``f(theta)`` with bias :math:`\tfrac{c_k^2}{2}\,\mathrm{tr}(H)/s` (no extra cost).
    Spall's recommended ``gamma = 0.101``; ZO-SGD literature uses ``gamma = 0``.
    """

    perturbations: int = 1
    distribution: Distribution = "rademacher"
    one_sided: bool = False
    c: float = 0.1
    gamma: float = 0.101
    evaluate_center: bool = False
    kind: ClassVar[str] = "spsa"
    requires: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        require(self.perturbations >= 1, f"perturbations must be >= 1 (got {self.perturbations}).")
        require(self.c > 0, f"perturbation size c must be > 0 (got {self.c}).")
        require(self.gamma >= 0, f"gamma must be >= 0 (got {self.gamma}).")
        require(
            self.distribution in DISTRIBUTIONS,
            f"distribution must be one of {', '.join(DISTRIBUTIONS)} (got {self.distribution!r}).",
        )

    def perturbation_size(self, step: int) -> float:
        return self.c / (step + 1) ** self.gamma

    @property
    def with_center(self) -> bool:
        return self.one_sided or self.evaluate_center

    def rows(self, dim: int) -> int:
        """Points in the one ``evaluate`` call: ``2T`` (or ``T``) plus the centre if evaluated."""
        return (1 if self.one_sided else 2) * self.perturbations + self.with_center

    def cost(self, objective: Objective, dim: int, step: int) -> Cost:
        return evaluation_cost(objective, self.rows(dim))

    def draw(self, rng: np.random.Generator) -> int:
        """The seed of one set of directions (the directions are regenerated from it)."""
        return int(rng.integers(2**63))

    def perturbations_at(self, step: int, seed: int) -> Perturbations:
        """The description of step ``step``'s points for the directions of ``seed``."""
        c_k, two_sided = self.perturbation_size(step), not self.one_sided
        return Perturbations(seed, self.perturbations, self.distribution, c_k, two_sided, self.with_center)

    def points(self, theta: np.ndarray, step: int, seed: int) -> np.ndarray:
        """``θ + c_kΔ_t`` (t = 1..T), then ``θ - c_kΔ_t`` (two-sided), then ``θ`` if evaluated."""
        return perturbed_points(theta, self.perturbations_at(step, seed))

    def estimate(self, values: np.ndarray, cost: Cost, dim: int, step: int, seed: int) -> GradientEstimate:
        """The gradient from the values at :meth:`points` (same ``step`` and ``seed``)."""
        values = np.asarray(values, dtype=float)
        total = combination(values, self.perturbations_at(step, seed), dim)
        return self.from_evaluation(PerturbedEvaluation(values, total, cost), dim, step)

    def from_evaluation(self, evaluation: PerturbedEvaluation, dim: int, step: int) -> GradientEstimate:
        """``ĝ = s/(T·sides·c_k) Σ_t (f⁺_t − f⁻_t) Δ_t`` and the loss at θ (see the class)."""
        sides = 1 if self.one_sided else 2
        gradient = evaluation.combination  # a fresh array: scaled in place, no second copy of P
        gradient *= second_moment_scale(self.distribution, dim) / (
            self.perturbations * sides * self.perturbation_size(step)
        )
        values = evaluation.values
        loss = values[-1] if self.with_center else values.mean()
        return GradientEstimate(gradient, float(loss), evaluation.cost)

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate:
        """One estimate: the objective evaluates the described directions itself when it can
        (:class:`~zeroth_q.objective.SupportsPerturbedEvaluation`), else the points of
        :meth:`points` go into one ``evaluate`` call; both give the same values."""
        perturbations = self.perturbations_at(step, self.draw(rng))
        evaluation = evaluate_perturbed(objective, theta, perturbations, rng)
        return self.from_evaluation(evaluation, theta.size, step)
