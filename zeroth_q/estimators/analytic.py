"""The objective's own gradient (backprop, adjoint) as an estimator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from zeroth_q.estimators.base import GradientEstimate
from zeroth_q.objective import Cost, Objective, evaluation_cost, require_capability


@dataclass(frozen=True)
class AnalyticGradient:
    """The objective's own gradient: backprop for networks, adjoint for statevector circuits."""

    kind: ClassVar[str] = "analytic"
    requires: ClassVar[tuple[str, ...]] = ("gradient",)

    def rows(self, dim: int) -> int:
        return 1

    def cost(self, objective: Objective, dim: int, step: int) -> Cost:
        """A gradient call is charged as one evaluation at the point (``cost(1)``)."""
        return evaluation_cost(objective, 1)

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate:
        require_capability(objective, "gradient", "a backprop/analytic optimizer")
        value, gradient, cost = objective.gradient(theta, rng)
        return GradientEstimate(np.asarray(gradient, dtype=float), float(value), cost)
