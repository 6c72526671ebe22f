r"""Newton's method with Levenberg–Marquardt damping, for objectives small enough to form H.

A class of its own rather than an estimator × rule: the damping that shapes the direction is set
by accepting or rejecting each trial step, so direction and acceptance share one state.

Each step solves :math:`(H + \lambda I)\,p = -g` and evaluates ``f(x)`` and ``f(x + p)``
in one call (one random draw, so the comparison is fair on a noisy objective). A decrease
accepts the step and divides λ by ``damping_factor``; an increase rejects it and multiplies
λ (Levenberg 1944; Marquardt 1963; Nocedal & Wright, *Numerical Optimization*, §10.3).
λ is also raised until :math:`H + \lambda I` is positive definite, so the step is always
a descent direction.

The Hessian comes from the objective (:class:`~zeroth_q.objective.SupportsHessian`) or,
failing that, from central differences of its gradient (``2P`` gradient calls). A step's
cost is fixed (gradient, Hessian, two trial points), so it is known before the step. A
Hessian that is not finite (the iterate ran off to where the loss overflows) gives a
non-finite step, which ends the run as ``diverged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require, require_memory
from zeroth_q.objective import (
    Allowance,
    Cost,
    Objective,
    SupportsHessian,
    evaluate,
    evaluation_cost,
    require_capability,
)
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
    """``p = -(H + λI)^{-1} g`` with λ raised until the matrix is positive definite; NaN if
    ``H`` or ``g`` is not finite (no λ would help)."""
    if not (np.all(np.isfinite(hessian)) and np.all(np.isfinite(gradient))):
        return np.full_like(gradient, np.nan), damping
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
        require_memory(
            2 * 8.0 * x.size**2,
            f"newton's {x.size:,} x {x.size:,} Hessian (and its factor)",
            "use L-BFGS (memory ~ 10 P) or an SPSA-type method (memory ~ P).",
        )
        return NewtonState(self.damping)

    def step_cost(self, objective: Objective, x: np.ndarray, state: NewtonState, step: int) -> Cost:
        """One gradient, the Hessian (``2P`` gradients unless the objective gives it), two trial points."""
        gradients = 1 if isinstance(objective, SupportsHessian) else 1 + 2 * x.size
        return evaluation_cost(objective, 1) * gradients + evaluation_cost(objective, 2)

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: NewtonState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        value, gradient, cost = gradient_at(objective, x, rng, "newton")
        hessian, hessian_cost = hessian_at(objective, x, rng, self.hessian_step)
        direction, damping = damped_direction(hessian, gradient, state.damping, self.damping_factor)
        if not np.all(np.isfinite(direction)):
            return StepOutcome(x + direction, state, value, cost + hessian_cost)
        trial = evaluate(objective, np.stack([x, x + direction]), rng)
        cost = cost + hessian_cost + trial.cost
        if trial.values[1] <= trial.values[0]:
            return StepOutcome(x + direction, NewtonState(damping / self.damping_factor), value, cost)
        return StepOutcome(x, NewtonState(max(damping, 1e-12) * self.damping_factor), value, cost)
