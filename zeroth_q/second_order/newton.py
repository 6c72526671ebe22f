r"""Newton's method with Levenberg–Marquardt damping, for objectives small enough to form H.

Each step solves :math:`(H + \lambda I)\,p = -g` and evaluates ``f(x)`` and ``f(x + p)``
in one call (one random draw, so the comparison is fair on a noisy objective). A decrease
accepts the step and divides λ by ``damping_factor``; an increase rejects it and multiplies
λ (Levenberg 1944; Marquardt 1963; Nocedal & Wright, *Numerical Optimization*, §10.3).
λ is also raised until :math:`H + \lambda I` is positive definite, so the step is always
a descent direction.

The Hessian comes from the objective (:class:`~zeroth_q.objective.SupportsHessian`) or,
failing that, from central differences of its gradient (``2P`` gradient calls).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.objective import Cost, Objective, SupportsHessian, evaluate, require_capability
from zeroth_q.optimizer import StepOutcome


class NewtonState(NamedTuple):
    damping: float


def gradient_at(objective: Objective, x: np.ndarray, rng: np.random.Generator, method: str):
    require_capability(objective, "gradient", method)
    return objective.gradient(x, rng)


def hessian_at(
    objective: Objective, x: np.ndarray, rng: np.random.Generator, step: float
) -> tuple[np.ndarray, Cost]:
    """The objective's Hessian, or central differences of its gradient, symmetrised."""
    if isinstance(objective, SupportsHessian):
        return np.asarray(objective.hessian(x), dtype=float), Cost()
    columns, cost = [], Cost()
    for j in range(x.size):
        offset = np.zeros_like(x)
        offset[j] = step
        plus, minus = (
            gradient_at(objective, x + offset, rng, "newton"),
            gradient_at(objective, x - offset, rng, "newton"),
        )
        columns.append((plus.gradient - minus.gradient) / (2 * step))
        cost = cost + plus.cost + minus.cost
    hessian = np.array(columns).T
    return 0.5 * (hessian + hessian.T), cost


def damped_direction(
    hessian: np.ndarray, gradient: np.ndarray, damping: float, factor: float
) -> tuple[np.ndarray, float]:
    """``p = -(H + λI)^{-1} g`` with λ raised until the matrix is positive definite."""
    identity = np.eye(len(gradient))
    scale = max(float(np.abs(np.diag(hessian)).max(initial=0.0)), 1.0)
    while True:
        try:
            factor_l = np.linalg.cholesky(hessian + damping * identity)
        except np.linalg.LinAlgError:
            damping = max(damping * factor, 1e-10 * scale)
            continue
        direction = -np.linalg.solve(factor_l.T, np.linalg.solve(factor_l, gradient))
        return direction, damping


@dataclass(frozen=True)
class Newton(Configurable):
    name: str = "newton"
    requires: ClassVar[tuple[str, ...]] = ("gradient",)
    damping: float = 1e-3
    damping_factor: float = 3.0
    hessian_step: float = 1e-4

    def __post_init__(self) -> None:
        require(self.damping >= 0, f"damping must be >= 0 (got {self.damping}).")
        require(self.damping_factor > 1, f"damping_factor must be > 1 (got {self.damping_factor}).")
        require(self.hessian_step > 0, f"hessian_step must be > 0 (got {self.hessian_step}).")

    def init(self, x: np.ndarray) -> NewtonState:
        return NewtonState(self.damping)

    def step(
        self, objective: Objective, x: np.ndarray, state: NewtonState, step: int, rng: np.random.Generator
    ) -> StepOutcome:
        value, gradient, cost = gradient_at(objective, x, rng, "newton")
        hessian, hessian_cost = hessian_at(objective, x, rng, self.hessian_step)
        direction, damping = damped_direction(hessian, gradient, state.damping, self.damping_factor)
        trial = evaluate(objective, np.stack([x, x + direction]), rng)
        cost = cost + hessian_cost + trial.cost
        if trial.values[1] <= trial.values[0]:
            return StepOutcome(x + direction, NewtonState(damping / self.damping_factor), value, cost)
        return StepOutcome(x, NewtonState(max(damping, 1e-12) * self.damping_factor), value, cost)
