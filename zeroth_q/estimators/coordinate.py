"""Coordinate-wise two-point gradients: central finite differences and the parameter-shift rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from zeroth_q.config import require
from zeroth_q.estimators.base import GradientEstimate
from zeroth_q.estimators.shift_rules import (
    pauli_frequencies,
    shifted_points,
    shifted_rows,
    stated_frequencies,
)
from zeroth_q.objective import (
    Cost,
    Evaluation,
    Objective,
    SupportsShots,
    evaluate,
    evaluation_cost,
    require_shot_count,
    shots_cost,
)


@dataclass(frozen=True)
class CoordinateGradient:
    r"""Coordinate-wise two-point gradient: finite differences or the parameter-shift rule.

    .. math:: \hat g_i = \frac{f(\theta + s e_i) - f(\theta - s e_i)}{d(s)}

    with denominator ``d(s) = 2s`` (``rule="finite-difference"``, error :math:`O(s^2)`) or
    ``d(s) = 2 sin s`` (``rule="parameter-shift"``), which is *exact* for any ``f`` of the
    form :math:`a + b\cos\theta_i + c\sin\theta_i` in each coordinate, i.e. expectation values
    of circuits whose parameters enter through Pauli rotations :math:`e^{-i\theta P/2}`
    (Mitarai et al. 2018; Schuld et al. 2019), for any shift ``s`` not a multiple of π.
    An objective that states its frequencies (:class:`~zeroth_q.objective.SupportsFrequencies`:
    a parameter shared by several gates, or scaled, or in a controlled rotation) gets the general
    rule of :mod:`zeroth_q.estimators.shift_rules` instead, ``2 R_i`` points for coordinate ``i``
    (Wierichs et al., Quantum 6, 677 (2022)); for ``R_i = 1`` it is the rule above.

    The ``2P`` (``2 Σ R_i``) shifted points and, with ``evaluate_center`` (default), the centre go into
    one ``evaluate`` call. Without the centre, the reported loss is the mean of the shifted
    values for finite differences (bias :math:`O(s^2)`) and ``None`` for parameter-shift.

    ``gradient_shots``: measure every point with this many shots per measured group instead of the
    objective's configured N, where the objective takes shots as an input
    (:class:`~zeroth_q.objective.SupportsShots`), so an optimizer setting, not the problem's
    definition, decides how precise its gradients are; exact and classical objectives, which
    have no shots, evaluate as usual.
    """

    shift: float = 1e-3
    rule: Literal["finite-difference", "parameter-shift"] = "finite-difference"
    evaluate_center: bool = True
    gradient_shots: int | None = None
    kind: ClassVar[str] = "coordinate"
    requires: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        require(self.shift > 0, f"shift must be > 0 (got {self.shift}).")
        require(
            self.rule in ("finite-difference", "parameter-shift"),
            f"rule must be 'finite-difference' or 'parameter-shift' (got {self.rule!r}).",
        )
        require(
            self.rule == "finite-difference" or abs(np.sin(self.shift)) > 1e-8,
            f"parameter-shift needs sin(shift) != 0 (got shift={self.shift}); use shift=pi/2.",
        )
        require_shot_count("gradient_shots", self.gradient_shots)

    def denominator(self) -> float:
        return 2 * np.sin(self.shift) if self.rule == "parameter-shift" else 2 * self.shift

    def frequencies(self, objective: Objective | None, dim: int) -> tuple[tuple[float, ...], ...]:
        """Per coordinate, the frequencies the rule must cancel: the objective's own
        (:class:`~zeroth_q.objective.SupportsFrequencies`) for parameter-shift, else ``(1.0,)``
        (the two-term rule; for finite differences the shift is a step, not a frequency)."""
        if self.rule == "parameter-shift":
            return stated_frequencies(objective, dim)
        return pauli_frequencies(dim)

    def rows(self, dim: int, objective: Objective | None = None) -> int:
        """``2 Σ_i R_i`` shifted points (+ the centre); ``R_i = 1`` unless the objective states
        more frequencies, so ``2P + 1`` for Pauli-rotation circuits and every other objective."""
        return shifted_rows(self.frequencies(objective, dim)) + self.evaluate_center

    def cost(self, objective: Objective, dim: int, step: int) -> Cost:
        rows = self.rows(dim, objective)
        if self.gradient_shots is None or not isinstance(objective, SupportsShots):
            return evaluation_cost(objective, rows)
        groups = len(objective.measurement_groups().weights)
        return shots_cost(np.full((rows, groups), self.gradient_shots))

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate:
        dim = theta.size
        shifted = shifted_points(theta, self.frequencies(objective, dim), self.shift)
        points = np.concatenate([shifted.points, theta[None, :]]) if self.evaluate_center else shifted.points
        if self.gradient_shots is None or not isinstance(objective, SupportsShots):
            evaluation = evaluate(objective, points, rng)
        else:
            measured = objective.evaluate_shots(points, np.full(len(points), self.gradient_shots), rng)
            evaluation = Evaluation(measured.values, measured.cost)
        values = np.asarray(evaluation.values, dtype=float)
        if self.rule == "parameter-shift":
            gradient = shifted.gradient(values)
        else:
            gradient = (values[:dim] - values[dim : 2 * dim]) / self.denominator()
        if self.evaluate_center:
            loss: float | None = float(values[-1])
        elif self.rule == "finite-difference":
            loss = float(values.mean())
        else:
            loss = None
        return GradientEstimate(gradient, loss, evaluation.cost)
