"""Gradient estimators: backprop, parameter-shift and SPSA as one abstraction.

An estimator is a frozen dataclass (its own configuration) called as
``estimator(objective, theta, step, rng) -> GradientEstimate``. Each issues exactly ONE
``objective.evaluate`` call per gradient (or one ``objective.gradient`` call), so that
all perturbed points share one random draw (common random numbers) and a circuit
backend sees one batched job.

The estimate also carries ``loss``, an estimate of ``f(theta)`` on the same draw, free of
extra cost where possible: it is what the history records at each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

import numpy as np

from zeroth_q.config import require
from zeroth_q.directions import DISTRIBUTIONS, Distribution, direction_chunks, second_moment_scale
from zeroth_q.objective import Cost, Objective, require_capability


class GradientEstimate(NamedTuple):
    """A gradient estimate at ``theta`` and the loss there, on one random draw.

    ``loss`` is ``None`` where the evaluated points say nothing about ``f(theta)``
    (parameter-shift without the centre point).
    """

    gradient: np.ndarray
    loss: float | None
    cost: Cost


@dataclass(frozen=True)
class SPSAGradient:
    r"""Simultaneous-perturbation gradient with ``T`` directions (Spall 1992, 1998).

    Two-sided, with perturbation size :math:`c_k = c/(k+1)^\gamma`:

    .. math:: \hat g = \frac{s}{T}\sum_{t=1}^{T}
              \frac{f(\theta + c_k\Delta_t) - f(\theta - c_k\Delta_t)}{2c_k}\,\Delta_t

    and one-sided :math:`(f(\theta + c_k\Delta_t) - f(\theta))/c_k`, where ``s`` makes
    :math:`s\,E[\Delta\Delta^T] = I` (see :mod:`zeroth_q.directions`). For Rademacher
    directions this is Spall's estimator (:math:`\Delta^{-1} = \Delta`); Gaussian and sphere
    directions give the smoothed-function estimators of Nesterov & Spokoiny (2017) and
    Flaxman et al. (2005). Averaging over ``T`` directions divides the variance by ``T``.

    All ``2T`` (or ``T + 1``) points go into one ``evaluate`` call. The reported loss is
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

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate:
        count, dim = self.perturbations, theta.size
        c_k = self.perturbation_size(step)
        seed = int(rng.integers(2**63))
        with_center = self.one_sided or self.evaluate_center
        sides = 1 if self.one_sided else 2
        points = np.empty((sides * count + with_center, dim))
        for start, block in direction_chunks(seed, count, dim, self.distribution):
            stop = start + len(block)
            points[start:stop] = theta + c_k * block
            if not self.one_sided:
                points[count + start : count + stop] = theta - c_k * block
        if with_center:
            points[-1] = theta
        evaluation = objective.evaluate(points, rng)
        values = np.asarray(evaluation.values, dtype=float)
        if self.one_sided:
            slopes = (values[:count] - values[-1]) / c_k
        else:
            slopes = (values[:count] - values[count : 2 * count]) / (2 * c_k)
        weights = slopes * second_moment_scale(self.distribution, dim) / count
        gradient = np.zeros(dim)
        for start, block in direction_chunks(seed, count, dim, self.distribution):
            gradient += weights[start : start + len(block)] @ block
        loss = values[-1] if with_center else values.mean()
        return GradientEstimate(gradient, float(loss), evaluation.cost)


@dataclass(frozen=True)
class CoordinateGradient:
    r"""Coordinate-wise two-point gradient: finite differences or the parameter-shift rule.

    .. math:: \hat g_i = \frac{f(\theta + s e_i) - f(\theta - s e_i)}{d(s)}

    with denominator ``d(s) = 2s`` (``rule="finite-difference"``, error :math:`O(s^2)`) or
    ``d(s) = 2 sin s`` (``rule="parameter-shift"``), which is *exact* for any ``f`` of the
    form :math:`a + b\cos\theta_i + c\sin\theta_i` in each coordinate, i.e. expectation values
    of circuits whose parameters enter through Pauli rotations :math:`e^{-i\theta P/2}`
    (Mitarai et al. 2018; Schuld et al. 2019), for any shift ``s`` not a multiple of π.

    The ``2P`` shifted points and, with ``evaluate_center`` (default), the centre go into
    one ``evaluate`` call. Without the centre, the reported loss is the mean of the shifted
    values for finite differences (bias :math:`O(s^2)`) and ``None`` for parameter-shift.
    """

    shift: float = 1e-3
    rule: Literal["finite-difference", "parameter-shift"] = "finite-difference"
    evaluate_center: bool = True
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

    def denominator(self) -> float:
        return 2 * np.sin(self.shift) if self.rule == "parameter-shift" else 2 * self.shift

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate:
        dim = theta.size
        offsets = self.shift * np.eye(dim)
        rows = [theta + offsets, theta - offsets] + ([theta[None, :]] if self.evaluate_center else [])
        evaluation = objective.evaluate(np.concatenate(rows), rng)
        values = np.asarray(evaluation.values, dtype=float)
        gradient = (values[:dim] - values[dim : 2 * dim]) / self.denominator()
        if self.evaluate_center:
            loss: float | None = float(values[-1])
        elif self.rule == "finite-difference":
            loss = float(values.mean())
        else:
            loss = None
        return GradientEstimate(gradient, loss, evaluation.cost)


@dataclass(frozen=True)
class AnalyticGradient:
    """The objective's own gradient: backprop for networks, adjoint for statevector circuits."""

    kind: ClassVar[str] = "analytic"
    requires: ClassVar[tuple[str, ...]] = ("gradient",)

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate:
        require_capability(objective, "gradient", "a backprop/analytic optimizer")
        value, gradient, cost = objective.gradient(theta, rng)
        return GradientEstimate(np.asarray(gradient, dtype=float), float(value), cost)


GradientEstimator = SPSAGradient | CoordinateGradient | AnalyticGradient
ESTIMATORS: dict[str, type] = {cls.kind: cls for cls in (SPSAGradient, CoordinateGradient, AnalyticGradient)}
