r"""Shot-adaptive parameter-shift gradients: iCANS1, iCANS2, gCANS and Rosalin as one estimator.

Composed with SGD, :math:`\theta \leftarrow \theta - \alpha\,\hat g`, as PennyLane's
``ShotAdaptiveOptimizer`` is gradient descent that only overrides ``compute_grad``. The
estimator measures parameter-shift gradients (:mod:`zeroth_q.estimators.shot_allocated`) with
``s_i`` shots for component ``i`` and, after each estimate, chooses the next counts from
exponential moving averages of the gradient :math:`\chi_i` and of the single-shot variance
:math:`\xi_i` (constant μ, bias corrected as in Adam), kept in its state. With ``L`` the
Lipschitz constant of ∇f and :math:`\alpha < 2/L`, the expected decrease of ``f`` from
component ``i`` per shot is (Kübler et al. 2020, eq. 8)

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
  (:math:`\le \alpha`), returned as the gradient scaled by :math:`\alpha_i/\alpha`. (Our reading.)
* ``gcans`` (Gu, Lowe, Love, Coles, Cerezo, arXiv:2108.10434 (2021)): the expected gain of the
  whole step per shot is maximised: :math:`s_i = \big\lceil \frac{2L\alpha}{2-L\alpha}\,
  \frac{\sqrt{\xi_i}\sum_j\sqrt{\xi_j}}{\lVert\chi\rVert^2 + b\mu^k}\big\rceil`, clipped below by
  :math:`s_{min}`.
* Rosalin (Arrasmith, Cincio, Somma, Coles, arXiv:2004.06252 (2020)): iCANS1's allocation with
  each shot spent on ONE measured group drawn with probability ∝ its weight (``term_sampling``).

α is the SGD rule's ``lr``. When it is not given (``lr=None``), α is PennyLane's default 0.07
where that is below 2/L, else 1/L (the middle of the stable range), so the default is valid on
every objective with shots; the estimate is then returned as :math:`\alpha\hat g` for a rule at
unit step size. The counts of the next step are in the state, so the stated cost is exact (with
term sampling the circuit count is an upper bound: a group may draw no shot). Counts are
Python integers in the cost, so no sum wraps; each is at most ``max_shots`` ≤ 2^53.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple, get_args

import numpy as np

from zeroth_q.config import require
from zeroth_q.errors import ConfigError
from zeroth_q.estimators.base import GradientEstimate
from zeroth_q.estimators.shift_rules import shifted_rows, stated_frequencies
from zeroth_q.estimators.shot_allocated import shot_parameter_shift, shot_parameter_shift_cost
from zeroth_q.objective import (
    MAX_SHOTS,
    Cost,
    Objective,
    SupportsShots,
    require_capability,
    require_shot_count,
)

Variant = Literal["icans1", "icans2", "gcans"]
VARIANTS: tuple[str, ...] = get_args(Variant)
DEFAULT_STEP_SIZE = 0.07  # PennyLane's ShotAdaptiveOptimizer stepsize


class ShotState(NamedTuple):
    """shots: (P,) shots per shifted circuit of each component at the next step; chi, xi:
    moving averages of the gradient and the single-shot variance (not bias-corrected);
    count: estimates made (k)."""

    shots: np.ndarray
    chi: np.ndarray
    xi: np.ndarray
    count: int


@dataclass(frozen=True)
class ShotAdaptiveGradient:
    """Parameter-shift gradients with shots per component chosen from the gradient's statistics
    (module docstring).

    min_shots: :math:`s_{min}` (>= 2, a variance needs two shots). mu: moving-average constant μ.
    b: the bias b. lipschitz: L; ``None`` takes the objective's bound
    (:class:`~zeroth_q.objective.MeasuredGroups`). max_shots: a hard cap per component
    (OpenQAOA's ``n_shots_max``), at most 2^53. term_sampling: Rosalin's weighted sampling of groups.
    """

    variant: Variant = "icans1"
    term_sampling: bool = False
    min_shots: int = 10
    mu: float = 0.99
    b: float = 1e-6
    lipschitz: float | None = None
    max_shots: int | None = None
    kind: ClassVar[str] = "shot-adaptive"
    requires: ClassVar[tuple[str, ...]] = ("shots",)
    allocates_for_sgd: ClassVar[bool] = True

    def __post_init__(self) -> None:
        require(
            self.variant in VARIANTS,
            f"variant must be one of {', '.join(VARIANTS)} (got {self.variant!r}).",
        )
        require_shot_count("min_shots", self.min_shots, least=2)
        require_shot_count("max_shots", self.max_shots, least=self.min_shots)
        require(0 <= self.mu < 1, f"mu must be in [0, 1) (got {self.mu}).")
        require(self.b > 0, f"b must be > 0 (got {self.b}).")
        require(
            self.lipschitz is None or self.lipschitz > 0, f"lipschitz must be > 0 (got {self.lipschitz})."
        )

    def rows(self, dim: int, objective: Objective | None = None) -> int:
        """``2 Σ_i R_i`` shifted points: ``2P`` unless the objective states more frequencies."""
        return shifted_rows(stated_frequencies(objective, dim))

    def init(self, dim: int) -> ShotState:
        zeros = np.zeros(dim)
        return ShotState(np.full(dim, self.min_shots, dtype=np.int64), zeros, zeros.copy(), 0)

    def cost(self, objective: Objective, dim: int, step: int, state: ShotState) -> Cost:
        require_capability(objective, "shots", "a shot-adaptive estimator")
        assert isinstance(objective, SupportsShots)
        return shot_parameter_shift_cost(objective, dim, state.shots, self.term_sampling)

    def step_size(self, objective: Objective, lr: float | None, needed_by: str) -> tuple[float, float]:
        """(α, L): L from the option or the objective, α the rule's ``lr`` (checked below 2/L) or
        the default of the module docstring."""
        require_capability(objective, "shots", needed_by)
        assert isinstance(objective, SupportsShots)
        bound = self.lipschitz or objective.measurement_groups().lipschitz
        if bound is None:
            raise ConfigError(
                f"{needed_by} needs the Lipschitz constant L of the gradient, which this objective does "
                f"not state; pass it (e.g. --set lipschitz=10)."
            )
        default = DEFAULT_STEP_SIZE if DEFAULT_STEP_SIZE * bound < 2 else 1 / bound
        if lr is None:
            return default, float(bound)
        if lr * bound >= 2:
            raise ConfigError(
                f"{needed_by}: lr must be below 2/L = {2 / bound:.4g} (L = {bound:.4g}); got lr={lr}; "
                f"leave lr unset for {default:.4g}."
            )
        return lr, float(bound)

    def __call__(
        self,
        objective: Objective,
        theta: np.ndarray,
        step: int,
        rng: np.random.Generator,
        state: ShotState,
        lr: float | None = None,
        needed_by: str = "a shot-adaptive estimator",
    ) -> tuple[GradientEstimate, ShotState]:
        """The gradient (``α·ĝ`` when ``lr`` is None, see the module docstring) and the next counts."""
        alpha, lipschitz = self.step_size(objective, lr, needed_by)
        assert isinstance(objective, SupportsShots)
        estimate = shot_parameter_shift(objective, theta, state.shots, rng, self.term_sampling)
        chi = self.mu * state.chi + (1 - self.mu) * estimate.gradient
        xi = self.mu * state.xi + (1 - self.mu) * estimate.variance
        correction = 1 - self.mu ** (state.count + 1)
        chi_hat, xi_hat = chi / correction, xi / correction
        rates, shots = self.allocate(chi_hat, xi_hat, state.count, state.shots, lipschitz, alpha)
        if lr is None:
            gradient = rates * estimate.gradient
        else:
            gradient = estimate.gradient * (rates / lr) if self.variant == "icans2" else estimate.gradient
        return GradientEstimate(gradient, None, estimate.cost), ShotState(shots, chi, xi, state.count + 1)

    def allocate(
        self, chi: np.ndarray, xi: np.ndarray, count: int, used: np.ndarray, lipschitz: float, alpha: float
    ) -> tuple[np.ndarray | float, np.ndarray]:
        """The step sizes and the next counts from the bias-corrected averages (module docstring).

        The optimal counts, in [1, 2^53]; gCANS clips them below by ``min_shots``; iCANS clips to
        ``[min_shots, s_max]`` with NumPy's rule that the upper bound wins when they cross (as
        PennyLane does, so a useful component with few shots can pull everyone down to 2). The step
        is α, or for iCANS2 per component: where the shots ``used`` fell short of the optimal
        count, the step size for which ``used`` is optimal."""
        la = lipschitz * alpha
        bias = self.b * self.mu**count
        if self.variant == "gcans":
            sigma = np.sqrt(xi)
            wanted = 2 * la / (2 - la) * sigma * sigma.sum() / (chi @ chi + bias)
        else:
            wanted = 2 * la / (2 - la) * xi / (chi**2 + bias)
        optimal = np.clip(np.ceil(wanted), 1.0, MAX_SHOTS)
        upper = MAX_SHOTS if self.max_shots is None else self.max_shots
        if self.variant == "gcans":
            return alpha, np.clip(optimal, self.min_shots, upper).astype(np.int64)
        gain = (
            (alpha - lipschitz * alpha**2 / 2) * chi**2 - lipschitz * alpha**2 * xi / (2 * optimal)
        ) / optimal
        cap = max(optimal[np.argmax(gain)], 2)
        shots = np.minimum(np.clip(optimal, self.min_shots, cap), upper).astype(np.int64)
        if self.variant != "icans2":
            return alpha, shots
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = 2 * used * chi**2 / (lipschitz * (2 * xi + used * chi**2))
        return np.where(optimal > used, np.minimum(np.nan_to_num(rates), alpha), alpha), shots
