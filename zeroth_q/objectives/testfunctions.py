r"""Analytic test objectives: an ill-conditioned quadratic and Rosenbrock, optionally noisy.

They let every optimizer be checked against known optima in milliseconds, and their
noise option mimics shot noise so that shot budgets can be exercised without a simulator:
with ``noise = σ`` and ``shots = N`` each evaluated row gets independent Gaussian noise of
standard deviation :math:`\sigma/\sqrt{N}` and costs ``N`` shots (one "circuit" per row),
the scaling of a sampled expectation value. Without ``shots``, ``σ`` is used as is.

Shots as an input (:class:`~zeroth_q.objective.SupportsShots`): the loss is read as a sum
of ``G`` measured terms :math:`f = \sum_g w_g f` with ``w = terms / Σ terms``, and one shot
of term ``g`` is :math:`w_g f + \sigma_g z`, :math:`\sigma_g = \sigma |w_g| / \lVert w\rVert_2`
(so :math:`\sum_g \sigma_g^2 = \sigma^2`: with ``N`` shots on every term the total has the
variance :math:`\sigma^2/N` of the fixed-shot model, which therefore is unchanged). Unequal
``terms`` give shot-allocation methods (Rosalin's weighted term sampling) something to do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from zeroth_q.config import require, require_memory
from zeroth_q.errors import CapabilityError, ZerothQError
from zeroth_q.objective import (
    Cost,
    Evaluation,
    GradientEvaluation,
    MeasuredGroups,
    ShotEvaluation,
    check_thetas,
    combine_groups,
    shots_cost,
    shots_per_group,
)
from zeroth_q.objectives.registry import ObjectiveSpec


@dataclass(frozen=True)
class NoiseConfig:
    noise: float = 0.0
    shots: int | None = None
    terms: tuple[float, ...] = (1.0,)

    def __post_init__(self) -> None:
        require(self.noise >= 0, f"noise must be >= 0 (got {self.noise}).")
        require(
            self.shots is None or self.shots >= 1,
            f"shots must be a positive integer or null (got {self.shots}).",
        )
        require(
            len(self.terms) >= 1 and all(t > 0 for t in self.terms),
            f"terms must be one or more positive weights (got {self.terms}).",
        )

    @property
    def sigma(self) -> float:
        return self.noise / np.sqrt(self.shots) if self.shots else self.noise

    @property
    def term_weights(self) -> np.ndarray:
        return np.asarray(self.terms, dtype=float) / sum(self.terms)

    @property
    def term_sigmas(self) -> np.ndarray:
        """σ_g, the standard deviation of one shot of term g (module docstring)."""
        weights = self.term_weights
        return self.noise * weights / np.linalg.norm(weights)

    def cost(self, rows: int) -> Cost:
        circuits = rows * len(self.terms) if self.shots else 0
        return Cost(evaluations=rows, circuits=circuits, shots=circuits * (self.shots or 0))


class AnalyticObjective:
    """A smooth loss with known gradient, Hessian and minimiser, plus the noise model.

    Subclasses give ``loss(thetas (B,P)) -> (B,)``, ``exact_gradient``, ``hessian`` and
    ``minimizer``; this class adds batching checks, noise, costs and metrics.
    """

    def __init__(
        self, dim: int, noise: NoiseConfig, start: np.ndarray, lipschitz: float | None = None
    ) -> None:
        self._dim = dim
        self.noise = noise
        self.start = start
        self.lipschitz = lipschitz

    @property
    def dim(self) -> int:
        return self._dim

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.start.copy()

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        thetas = check_thetas(thetas, self.dim)
        values = self.loss(thetas)
        if self.noise.sigma:
            values = values + self.noise.sigma * rng.standard_normal(len(values))
        return Evaluation(values, self.cost(len(thetas)))

    def cost(self, rows: int) -> Cost:
        return self.noise.cost(rows)

    def measurement_groups(self) -> MeasuredGroups:
        return MeasuredGroups(self.noise.term_weights, 0.0, self.lipschitz)

    def evaluate_shots(
        self, thetas: np.ndarray, shots: np.ndarray, rng: np.random.Generator
    ) -> ShotEvaluation:
        r"""Per-term shot means :math:`w_g f + \sigma_g z/\sqrt{n}` and sample variances
        :math:`\sigma_g^2 \chi^2_{n-1}/(n-1)` (independent of the mean, as for Gaussian shots)."""
        thetas = check_thetas(thetas, self.dim)
        counts = shots_per_group(shots, len(thetas), len(self.noise.terms))
        sigmas = self.noise.term_sigmas
        with np.errstate(divide="ignore", invalid="ignore"):
            noise = sigmas * rng.standard_normal(counts.shape) / np.sqrt(counts)
            means = np.where(counts > 0, self.loss(thetas)[:, None] * self.noise.term_weights + noise, np.nan)
            spread = rng.chisquare(np.maximum(counts - 1, 1)) / (counts - 1)
            variances = np.where(counts > 1, sigmas**2 * spread, np.nan)
        return ShotEvaluation(combine_groups(0.0, means, counts), means, variances, shots_cost(counts))

    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation:
        value = float(self.loss(theta[None, :])[0])
        gradient = self.exact_gradient(theta)
        if self.noise.sigma:
            value += self.noise.sigma * rng.standard_normal()
            gradient = gradient + self.noise.sigma * rng.standard_normal(self.dim)
        return GradientEvaluation(value, gradient, self.cost(1))

    def metrics(self, theta: np.ndarray) -> Mapping[str, float]:
        return {
            "exact_loss": float(self.loss(theta[None, :])[0]),
            "distance": float(np.linalg.norm(theta - self.minimizer)),
        }

    def loss(self, thetas: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def exact_gradient(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    minimizer: np.ndarray


@dataclass(frozen=True)
class QuadraticConfig(NoiseConfig):
    """``f(x) = ½ (x − x*)ᵀ H (x − x*)``, ``H = Q diag(λ) Qᵀ`` with ``λ`` log-spaced from 1
    to ``condition``; ``Q`` a random rotation (``rotated``) or the identity; ``x* ~ N(0, I)``
    drawn from ``seed``; start at the origin."""

    dim: int = 20
    condition: float = 100.0
    rotated: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.dim >= 1, f"dim must be >= 1 (got {self.dim}).")
        require(self.condition >= 1, f"condition must be >= 1 (got {self.condition}).")
        require(self.seed >= 0, f"seed must be >= 0 (got {self.seed}).")


class Quadratic(AnalyticObjective):
    def __init__(self, config: QuadraticConfig) -> None:
        # H, the rotation and QR's work arrays: three dense dim x dim matrices.
        require_memory(3 * 8 * config.dim**2, f"the dense {config.dim} x {config.dim} quadratic", "lower dim")
        # The CANS step-size bound needs the Lipschitz constant of the gradient those methods
        # estimate: the π/2 shift rule gives (π/2)∇f on a quadratic (a central difference with
        # h = π/2 over the denominator 2), so L = (π/2) λ_max(H) = (π/2) · condition.
        super().__init__(config.dim, config, np.zeros(config.dim), lipschitz=np.pi / 2 * config.condition)
        problem_rng = np.random.default_rng(config.seed)
        eigenvalues = np.logspace(0, np.log10(config.condition), config.dim)
        rotation = np.eye(config.dim)
        if config.rotated:
            rotation, _ = np.linalg.qr(problem_rng.standard_normal((config.dim, config.dim)))
        self.matrix = (rotation * eigenvalues) @ rotation.T
        self.minimizer = problem_rng.standard_normal(config.dim)

    def loss(self, thetas: np.ndarray) -> np.ndarray:
        offsets = thetas - self.minimizer
        return 0.5 * np.einsum("bi,ij,bj->b", offsets, self.matrix, offsets)

    def exact_gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.matrix @ (theta - self.minimizer)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        return self.matrix.copy()


@dataclass(frozen=True)
class RosenbrockConfig(NoiseConfig):
    """``f(x) = Σ_i 100 (x_{i+1} − x_i²)² + (1 − x_i)²`` (Rosenbrock 1960), minimum 0 at
    ``(1, …, 1)``, started from the standard ``(−1.2, 1, −1.2, 1, …)``."""

    dim: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.dim >= 2, f"Rosenbrock needs dim >= 2 (got {self.dim}).")


class Rosenbrock(AnalyticObjective):
    def __init__(self, config: RosenbrockConfig) -> None:
        # Its start and minimiser, and the least any optimizer holds: the point, a gradient
        # (or estimate) and two moment vectors of Adam, all float64.
        require_memory(6 * 8 * config.dim, f"a {config.dim:,}-dimensional Rosenbrock", "lower dim")
        start = np.where(np.arange(config.dim) % 2 == 0, -1.2, 1.0)
        super().__init__(config.dim, config, start)
        self.minimizer = np.ones(config.dim)

    def loss(self, thetas: np.ndarray) -> np.ndarray:
        head, tail = thetas[:, :-1], thetas[:, 1:]
        return np.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=1)

    def exact_gradient(self, theta: np.ndarray) -> np.ndarray:
        head, tail = theta[:-1], theta[1:]
        gradient = np.zeros_like(theta)
        gradient[:-1] = -400.0 * head * (tail - head**2) - 2.0 * (1.0 - head)
        gradient[1:] += 200.0 * (tail - head**2)
        return gradient

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        head, tail = theta[:-1], theta[1:]
        diagonal = np.zeros_like(theta)
        diagonal[:-1] = 1200.0 * head**2 - 400.0 * tail + 2.0
        diagonal[1:] += 200.0
        off = -400.0 * head
        return np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)


class FunctionObjective:
    """Any Python function ``fun(x, *args) -> float`` as an Objective (one row at a time).

    This is what lets the library's optimizers serve as ``scipy.optimize.minimize``
    methods; a plain function cannot be batched, so ``evaluate`` loops over rows.
    ``jac`` (a callable) adds the ``gradient`` capability.
    """

    def __init__(
        self,
        fun: Callable[..., float],
        x0: np.ndarray,
        args: tuple = (),
        jac: Callable[..., np.ndarray] | None = None,
    ) -> None:
        self.fun, self.args, self.jac = fun, args, jac
        self.start = np.asarray(x0, dtype=float).ravel()

    @property
    def dim(self) -> int:
        return self.start.size

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.start.copy()

    def value(self, x: np.ndarray) -> float:
        """``fun(x, *args)``, which must be one real number (a ZerothQError naming what it was)."""
        value = self.fun(x, *self.args)
        array = np.asarray(value)
        if array.size != 1 or array.dtype.kind not in "biuf":
            got = (
                f"an array of shape {array.shape}" if isinstance(value, np.ndarray) else type(value).__name__
            )
            raise ZerothQError(f"fun must return one real number (the loss at x), got {got}: {value!r:.60}.")
        return float(array.reshape(()))

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        thetas = check_thetas(thetas, self.dim)
        values = np.array([self.value(row) for row in thetas])
        return Evaluation(values, self.cost(len(thetas)))

    def cost(self, rows: int) -> Cost:
        return Cost(evaluations=rows)

    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation:
        if self.jac is None:
            raise CapabilityError(
                "no jac was given, so analytic-gradient optimizers cannot run; pass jac=..."
            )
        value = self.value(theta)
        return GradientEvaluation(value, np.asarray(self.jac(theta, *self.args), dtype=float), self.cost(1))


QUADRATIC = ObjectiveSpec(
    name="quadratic",
    description="ill-conditioned quadratic ½(x−x*)ᵀH(x−x*), optional shot-like noise (test function)",
    config=QuadraticConfig,
    build=Quadratic,
    default_optimizer="spsa",
    default_steps=200,
    main_metric="exact_loss",
)
ROSENBROCK = ObjectiveSpec(
    name="rosenbrock",
    description="Rosenbrock's banana valley in n dimensions, optional shot-like noise (test function)",
    config=RosenbrockConfig,
    build=Rosenbrock,
    default_optimizer="backprop-adam",
    default_steps=2000,
    default_optimizer_params={"lr": 0.01},
    main_metric="exact_loss",
)
