r"""BFGS and L-BFGS over any gradient estimator, with scipy's Wolfe line search.

Classes of their own rather than an estimator × rule: the step length comes from a search whose
calls depend on what it sees, so a step's cost varies (below) and the model needs the gradient at
the point the search accepts.

Both build a model of the inverse Hessian from the pairs :math:`s_k = x_{k+1} - x_k`,
:math:`y_k = g_{k+1} - g_k` (Nocedal & Wright, *Numerical Optimization*, ch. 6–7):

* BFGS keeps the dense inverse :math:`H_{k+1} = (I - \rho s y^T) H_k (I - \rho y s^T) + \rho s s^T`,
  :math:`\rho = 1/(y^T s)`, with :math:`H_0` scaled by :math:`s^T y / y^T y` after the first pair (eq. 6.20);
* L-BFGS keeps the last ``memory`` pairs and applies :math:`H_k g` by the two-loop recursion
  (Algorithm 7.4), in :math:`O(mP)` memory.

The step length comes from ``scipy.optimize.line_search`` (strong Wolfe conditions,
constants ``c1``, ``c2``), fed by the objective's ``evaluate`` and by the configured
gradient estimator: what scipy cannot give is a line search over *estimated* gradients,
and that is the only part written here. A pair is kept only if :math:`y^T s > 0`, which
keeps the model positive definite. If the line search fails, the model is reset and the
search retried along :math:`-g`; if that fails too, the step is skipped.

A step's cost varies with the line search, so ``step_cost`` is the least a step that can
move spends (the gradient at ``x`` unless already known, and one trial point's value and
gradient); the step then stops
its search before any call that would not fit its allowance: a search cut short leaves
``x`` where it is, and a point accepted without budget left for its gradient is taken
with that gradient left to the next step.

These methods assume a deterministic (or nearly so) objective: a line search compares
values from different calls, which on a mini-batch or shot-noisy objective see different
draws. For noisy objectives use ``2spsa`` / ``qnspsa``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.estimators import AnalyticGradient, GradientEstimator, require_batch_memory
from zeroth_q.objective import Allowance, Cost, Objective, evaluate, evaluation_cost
from zeroth_q.optimizer import StepOutcome

DENSE_LIMIT = 5000


class QuasiNewtonState(NamedTuple):
    """The curvature pairs (BFGS: a dense inverse in ``inverse``), and the gradient last
    computed at ``point`` so the next step need not estimate it again."""

    inverse: np.ndarray
    s: np.ndarray
    y: np.ndarray
    pairs: int
    point: np.ndarray
    gradient: np.ndarray
    value: float
    known: int


class OutOfAllowance(Exception):
    """The next probe of a line search would spend more than the step's allowance."""


class _Probe:
    """``f`` and ``f'`` for scipy's line search, adding up their cost, refusing a call that
    would exceed ``allowance``, and remembering the last gradient (scipy evaluates it at
    the accepted point)."""

    def __init__(
        self,
        objective: Objective,
        estimator: GradientEstimator,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None,
    ):
        self.objective, self.estimator, self.step, self.rng = objective, estimator, step, rng
        self.allowance = allowance
        self.cost = Cost()
        self.last: tuple[np.ndarray, np.ndarray, float | None] | None = None

    def afford(self, cost: Cost) -> None:
        if not self.allowance.after(self.cost).covers(cost):
            raise OutOfAllowance

    def value(self, z: np.ndarray) -> float:
        if self.allowance is not None:
            self.afford(evaluation_cost(self.objective, 1))
        evaluation = evaluate(self.objective, z[None, :], self.rng)
        self.cost += evaluation.cost
        return float(evaluation.values[0])

    def gradient(self, z: np.ndarray) -> np.ndarray:
        if self.allowance is not None:
            self.afford(self.estimator.cost(self.objective, z.size, self.step))
        estimate = self.estimator(self.objective, z, self.step, self.rng)
        self.cost += estimate.cost
        self.last = (z.copy(), estimate.gradient, estimate.loss)
        return estimate.gradient

    def gradient_and_value(self, z: np.ndarray) -> tuple[np.ndarray, float]:
        if self.last is None or not np.array_equal(self.last[0], z):
            self.gradient(z)
        assert self.last is not None
        _, gradient, loss = self.last
        return gradient, self.value(z) if loss is None else loss


@dataclass(frozen=True)
class _QuasiNewton(Configurable):
    estimator: GradientEstimator = AnalyticGradient()

    @property
    def requires(self) -> tuple[str, ...]:
        return self.estimator.requires

    c1: float = 1e-4
    c2: float = 0.9
    line_search_iterations: int = 20

    def __post_init__(self) -> None:
        require(0 < self.c1 < self.c2 < 1, f"need 0 < c1 < c2 < 1 (got c1={self.c1}, c2={self.c2}).")
        require(self.line_search_iterations >= 1, "line_search_iterations must be >= 1.")

    def _memory(self, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def direction(self, state: QuasiNewtonState, gradient: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def remember(self, state: QuasiNewtonState, s: np.ndarray, y: np.ndarray) -> QuasiNewtonState:
        raise NotImplementedError

    def init(self, x: np.ndarray) -> QuasiNewtonState:
        require_batch_memory(self.estimator.rows(x.size), x.size, self.name)
        inverse, s, y = self._memory(x.size)
        return QuasiNewtonState(inverse, s, y, 0, x.copy(), np.zeros_like(x), 0.0, 0)

    def reset(self, state: QuasiNewtonState) -> QuasiNewtonState:
        return self.init(state.point)._replace(
            point=state.point, gradient=state.gradient, value=state.value, known=state.known
        )

    def step_cost(self, objective: Objective, x: np.ndarray, state: QuasiNewtonState, step: int) -> Cost:
        """The least a step that can move spends: the gradient at ``x`` (unless known) and one
        trial point of the line search (its value and gradient, for the Wolfe conditions)."""
        gradient = self.estimator.cost(objective, x.size, step)
        known = state.known and np.array_equal(state.point, x)
        return (Cost() if known else gradient) + evaluation_cost(objective, 1) + gradient

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: QuasiNewtonState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        probe = _Probe(objective, self.estimator, step, rng, allowance)
        if state.known and np.array_equal(state.point, x):
            gradient, value = state.gradient, state.value
        else:
            try:
                gradient, value = probe.gradient_and_value(x)
            except OutOfAllowance:
                return StepOutcome(x, state, None, probe.cost)
        alpha, direction = None, self.direction(state, gradient)
        try:
            for attempt in range(2):
                if attempt == 1 or gradient @ direction >= 0:
                    state, direction = self.reset(state), -gradient
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="The line search algorithm")
                    alpha = _line_search()(
                        probe.value,
                        probe.gradient,
                        x,
                        direction,
                        gfk=gradient,
                        old_fval=value,
                        c1=self.c1,
                        c2=self.c2,
                        maxiter=self.line_search_iterations,
                    )[0]
                if alpha is not None:
                    break
        except OutOfAllowance:
            alpha = None
        if alpha is None:
            known = state._replace(point=x.copy(), gradient=gradient, value=value, known=1)
            return StepOutcome(x, known, value, probe.cost)
        new_x = x + alpha * direction
        try:
            new_gradient, new_value = probe.gradient_and_value(new_x)
        except OutOfAllowance:
            # Accepted, but the gradient there must wait for the next step's own allowance.
            return StepOutcome(new_x, state._replace(point=new_x.copy(), known=0), value, probe.cost)
        s, y = new_x - x, new_gradient - gradient
        if y @ s > 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):
            state = self.remember(state, s, y)
        state = state._replace(point=new_x.copy(), gradient=new_gradient, value=new_value, known=1)
        return StepOutcome(new_x, state, value, probe.cost)


@dataclass(frozen=True)
class BFGS(_QuasiNewton):
    name: str = "bfgs"

    def _memory(self, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        require(
            dim <= DENSE_LIMIT,
            (f"bfgs stores a {dim}x{dim} matrix; for dim > {DENSE_LIMIT} use L-BFGS (memory ~ m P)."),
        )
        return np.eye(dim), np.zeros((0, dim)), np.zeros((0, dim))

    def direction(self, state: QuasiNewtonState, gradient: np.ndarray) -> np.ndarray:
        return -state.inverse @ gradient

    def remember(self, state: QuasiNewtonState, s: np.ndarray, y: np.ndarray) -> QuasiNewtonState:
        rho = 1.0 / (y @ s)
        inverse = state.inverse * ((s @ y) / (y @ y)) if state.pairs == 0 else state.inverse
        left = np.eye(len(s)) - rho * np.outer(s, y)
        inverse = left @ inverse @ left.T + rho * np.outer(s, s)
        return state._replace(inverse=inverse, pairs=state.pairs + 1)


@dataclass(frozen=True)
class LBFGS(_QuasiNewton):
    name: str = "lbfgs"
    memory: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.memory >= 1, f"memory must be >= 1 (got {self.memory}).")

    def _memory(self, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.zeros((0, 0)), np.zeros((self.memory, dim)), np.zeros((self.memory, dim))

    def direction(self, state: QuasiNewtonState, gradient: np.ndarray) -> np.ndarray:
        """Two-loop recursion over the stored pairs, newest first (Nocedal & Wright, Alg. 7.4)."""
        count = min(state.pairs, self.memory)
        order = [(state.pairs - 1 - i) % self.memory for i in range(count)]
        q, alphas = gradient.copy(), []
        for i in order:
            alpha = (state.s[i] @ q) / (state.y[i] @ state.s[i])
            q -= alpha * state.y[i]
            alphas.append(alpha)
        if count:
            newest = order[0]
            q *= (state.s[newest] @ state.y[newest]) / (state.y[newest] @ state.y[newest])
        for i, alpha in zip(reversed(order), reversed(alphas), strict=True):
            beta = (state.y[i] @ q) / (state.y[i] @ state.s[i])
            q += (alpha - beta) * state.s[i]
        return -q

    def remember(self, state: QuasiNewtonState, s: np.ndarray, y: np.ndarray) -> QuasiNewtonState:
        slot = state.pairs % self.memory
        new_s, new_y = state.s.copy(), state.y.copy()
        new_s[slot], new_y[slot] = s, y
        return state._replace(s=new_s, y=new_y, pairs=state.pairs + 1)


def _line_search():
    """``scipy.optimize.line_search``, imported when a step first needs it: importing
    ``scipy.optimize`` takes about 0.9 s, more than the rest of ``zeroth_q`` together, and
    every command-line run imports this module through the optimizer registry (issue 29)."""
    from scipy.optimize import line_search

    return line_search
