r"""Shot-adaptive gradient descent: iCANS1, iCANS2, gCANS and Rosalin.

All four take plain gradient steps :math:`\theta \leftarrow \theta - \alpha\,\hat g` on
parameter-shift gradients (:mod:`zeroth_q.estimators.shot_allocated`) and choose, before each
step, how many shots ``s_i`` every component gets, from exponential moving averages of the
gradient :math:`\chi_i` and of the single-shot variance :math:`\xi_i` (constant μ, bias
corrected as in Adam). With ``L`` the Lipschitz constant of ∇f and :math:`\alpha < 2/L`, the
expected decrease of ``f`` from component ``i`` per shot is (Kübler et al. 2020, eq. 8)

.. math:: \gamma_i = \frac{1}{s_i}\Big[\big(\alpha - \tfrac{L\alpha^2}{2}\big)\chi_i^2
          - \frac{L\alpha^2}{2 s_i}\,\xi_i\Big],

maximised by :math:`s_i = \big\lceil \frac{2L\alpha}{2-L\alpha}\,
\frac{\xi_i}{\chi_i^2 + b\mu^k} \big\rceil` (``b`` keeps it finite while :math:`\chi \approx 0`).

* ``icans1`` (Kübler, Arrasmith, Cincio, Coles, "An Adaptive Optimizer for
  Measurement-Frugal Variational Algorithms", Quantum 4, 263 (2020), Algorithm 1): the
  counts are clipped to :math:`[s_{min}, s_{max}]`, :math:`s_{max}` the count of the
  component with the largest :math:`\gamma_i`, so no component gets more shots than the most
  useful one. This is what PennyLane's ``qml.ShotAdaptiveOptimizer`` implements.
* ``icans2`` (same paper, the variant with per-component learning rates): the same counts,
  and a component that got fewer shots than its optimal count takes the step size for which
  the shots it got are optimal, :math:`\alpha_i = 2 s_i\chi_i^2 / (L(2\xi_i + s_i\chi_i^2))`
  (:math:`\le \alpha`; the inverse of the count formula), instead of a full step on a gradient
  it measured too coarsely; the others step with α. (Our reading of the paper's variant.)
* ``gcans`` (Gu, Lowe, Love, Coles, Cerezo, "Adaptive shot allocation for fast convergence
  in variational quantum algorithms", arXiv:2108.10434 (2021)): the expected gain of the whole
  step per shot is maximised, which gives a total proportional to :math:`\sum_j\sqrt{\xi_j}`
  split in proportion to each component's standard deviation,
  :math:`s_i = \big\lceil \frac{2L\alpha}{2-L\alpha}\,\frac{\sqrt{\xi_i}\sum_j\sqrt{\xi_j}}
  {\lVert\chi\rVert^2 + b\mu^k}\big\rceil`, clipped below by :math:`s_{min}`.
* ``rosalin`` (Arrasmith, Cincio, Somma, Coles, "Operator Sampling for Shot-frugal
  Optimization in Variational Algorithms", arXiv:2004.06252 (2020)): iCANS1's allocation,
  with each shot spent on ONE measured group drawn with probability ∝ its weight
  (``term_sampling=True``), which is unbiased for any number of shots.

The shot counts of the next step are part of the state, so :meth:`CANS.step_cost` is exact
(with term sampling the circuit count is an upper bound: a group may draw no shot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.errors import ConfigError
from zeroth_q.estimators.shot_allocated import shot_parameter_shift, shot_parameter_shift_cost
from zeroth_q.objective import Allowance, Cost, Objective, SupportsShots, require_capability
from zeroth_q.optimizer import StepOutcome

Variant = Literal["icans1", "icans2", "gcans"]


class CANSState(NamedTuple):
    """shots: (P,) shots per shifted circuit of each component at the next step; chi, xi:
    moving averages of the gradient and the single-shot variance (not bias-corrected);
    count: steps taken (k)."""

    shots: np.ndarray
    chi: np.ndarray
    xi: np.ndarray
    count: int


@dataclass(frozen=True)
class CANS(Configurable):
    """Shot-adaptive SGD on parameter-shift gradients (module docstring).

    lr: α, which must be below 2/L. min_shots: :math:`s_{min}` (>= 2, the variance needs two
    shots). mu: moving-average constant μ. b: the bias b. lipschitz: L; ``None`` takes the
    objective's bound (:class:`~zeroth_q.objective.MeasuredGroups`). max_shots: an optional
    hard cap per component (OpenQAOA's ``n_shots_max``). term_sampling: Rosalin's weighted
    random sampling of measured groups.
    """

    name: str = "icans"
    variant: Variant = "icans1"
    term_sampling: bool = False
    lr: float = 0.07
    min_shots: int = 10
    mu: float = 0.99
    b: float = 1e-6
    lipschitz: float | None = None
    max_shots: int | None = None

    requires = ("shots",)

    def __post_init__(self) -> None:
        require(
            self.variant in ("icans1", "icans2", "gcans"),
            f"variant must be 'icans1', 'icans2' or 'gcans' (got {self.variant!r}).",
        )
        require(self.lr > 0, f"lr must be > 0 (got {self.lr}).")
        require(
            self.min_shots >= 2, f"min_shots must be >= 2 (a variance needs two shots), got {self.min_shots}."
        )
        require(0 <= self.mu < 1, f"mu must be in [0, 1) (got {self.mu}).")
        require(self.b > 0, f"b must be > 0 (got {self.b}).")
        require(
            self.lipschitz is None or self.lipschitz > 0, f"lipschitz must be > 0 (got {self.lipschitz})."
        )
        require(
            self.max_shots is None or self.max_shots >= self.min_shots,
            f"max_shots must be >= min_shots (got {self.max_shots} < {self.min_shots}).",
        )

    def init(self, x: np.ndarray) -> CANSState:
        zeros = np.zeros(x.size)
        return CANSState(np.full(x.size, self.min_shots, dtype=np.int64), zeros, zeros.copy(), 0)

    def lipschitz_bound(self, objective: Objective) -> float:
        """L from the option or the objective, checked against the step size (α < 2/L)."""
        require_capability(objective, "shots", self.name)
        assert isinstance(objective, SupportsShots)
        bound = self.lipschitz or objective.measurement_groups().lipschitz
        if bound is None:
            raise ConfigError(
                f"{self.name} needs the Lipschitz constant L of the gradient, which this objective does "
                f"not state; pass it (e.g. --set lipschitz=10)."
            )
        if self.lr * bound >= 2:
            raise ConfigError(
                f"{self.name}: lr must be below 2/L = {2 / bound:.4g} (L = {bound:.4g}); got lr={self.lr}."
            )
        return float(bound)

    def step_cost(self, objective: Objective, x: np.ndarray, state: CANSState, step: int) -> Cost:
        assert isinstance(objective, SupportsShots)
        return shot_parameter_shift_cost(objective, x.size, state.shots, self.term_sampling)

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: CANSState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """One step; it spends at most :meth:`step_cost` (the shots decided at the previous
        step), so ``allowance`` needs no check of its own."""
        lipschitz = self.lipschitz_bound(objective)
        assert isinstance(objective, SupportsShots)
        estimate = shot_parameter_shift(objective, x, state.shots, rng, self.term_sampling)
        chi = self.mu * state.chi + (1 - self.mu) * estimate.gradient
        xi = self.mu * state.xi + (1 - self.mu) * estimate.variance
        correction = 1 - self.mu ** (state.count + 1)
        chi_hat, xi_hat = chi / correction, xi / correction
        optimal = self.optimal_shots(chi_hat, xi_hat, state.count, lipschitz)
        lr = self.step_sizes(optimal, state.shots, chi_hat, xi_hat, lipschitz)
        shots = self.clip_shots(optimal, chi_hat, xi_hat, lipschitz)
        new_x = x - lr * estimate.gradient
        return StepOutcome(new_x, CANSState(shots, chi, xi, state.count + 1), None, estimate.cost)

    def optimal_shots(self, chi: np.ndarray, xi: np.ndarray, count: int, lipschitz: float) -> np.ndarray:
        """The unclipped per-component counts of the variant (module docstring), >= 1."""
        la = lipschitz * self.lr
        bias = self.b * self.mu**count
        if self.variant == "gcans":
            sigma = np.sqrt(xi)
            wanted = 2 * la / (2 - la) * sigma * sigma.sum() / (chi @ chi + bias)
        else:
            wanted = 2 * la / (2 - la) * xi / (chi**2 + bias)
        return np.maximum(np.ceil(wanted), 1.0)

    def clip_shots(
        self, optimal: np.ndarray, chi: np.ndarray, xi: np.ndarray, lipschitz: float
    ) -> np.ndarray:
        """The next step's counts: gCANS clips below by ``min_shots``; iCANS clips to
        ``[min_shots, s_max]`` with NumPy's rule that the upper bound wins when they cross (as
        PennyLane does, so a useful component with few shots can pull everyone down to 2)."""
        upper = np.inf if self.max_shots is None else self.max_shots
        if self.variant == "gcans":
            return np.clip(optimal, self.min_shots, upper).astype(np.int64)
        alpha = self.lr
        gain = (
            (alpha - lipschitz * alpha**2 / 2) * chi**2 - lipschitz * alpha**2 * xi / (2 * optimal)
        ) / optimal
        cap = max(optimal[np.argmax(gain)], 2)
        return np.minimum(np.clip(optimal, self.min_shots, cap), upper).astype(np.int64)

    def step_sizes(
        self, optimal: np.ndarray, used: np.ndarray, chi: np.ndarray, xi: np.ndarray, lipschitz: float
    ) -> np.ndarray | float:
        """α, or for iCANS2 per component: where the shots ``used`` fell short of the optimal
        count, the step size for which ``used`` is optimal (module docstring)."""
        if self.variant != "icans2":
            return self.lr
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = 2 * used * chi**2 / (lipschitz * (2 * xi + used * chi**2))
        return np.where(optimal > used, np.minimum(np.nan_to_num(rates), self.lr), self.lr)
