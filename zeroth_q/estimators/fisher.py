r"""Natural gradient (= Gauss-Newton) and K-FAC for networks of dense layers.

The Fisher of a network's predictive distribution,
:math:`F = \mathbb E_n \mathbb E_{y \sim p(y|x_n, \theta)} [\nabla\ell\,\nabla\ell^T]`, equals the
generalised Gauss-Newton matrix :math:`J^T H_z J` whenever the loss is the negative
log-likelihood of an exponential family in the outputs ``z``: softmax cross-entropy,
sigmoid cross-entropy, squared error (Martens 2020, "New insights and perspectives on the
natural gradient method", JMLR 21, §9.2). So one preconditioner serves as both
``natural-gradient`` and ``gauss-newton``. Objectives provide per-layer statistics
(:class:`~zeroth_q.objective.SupportsLayerCurvature`): each layer's inputs ``a_n`` and
per-example pre-activation gradients ``g_n`` for targets sampled from the model; the
per-example gradient of a dense layer is then :math:`\psi_n = \bar a_n \otimes g_n`,
:math:`\bar a = (a, 1)`.

* :class:`NaturalGradient` uses the mini-batch Monte-Carlo Fisher
  :math:`\hat F = \tfrac1N \Psi^T\Psi` exactly, never forming the ``P × P`` matrix: by
  Woodbury, :math:`(\hat F + \lambda I)^{-1} g = \big(g - \Psi^T (N\lambda I + \Psi\Psi^T)^{-1}
  \Psi g\big)/\lambda`, an ``N × N`` solve (Ren & Goldfarb 2019, "Efficient subsampled
  Gauss-Newton and natural gradient methods").
* :class:`KFAC` approximates each layer's block by a Kronecker product,
  :math:`F_l \approx A_l \otimes G_l` with :math:`A = \mathbb E[\bar a \bar a^T]`,
  :math:`G = \mathbb E[g g^T]`, averages both over steps with ``decay`` and inverts them with
  factored Tikhonov damping (Martens & Grosse 2015, "Optimizing neural networks with
  Kronecker-factored approximate curvature", ICML, §3, §5, §6.3):
  :math:`\Delta W = (A + \pi\sqrt\lambda I)^{-1}\, \nabla_{\bar W} L\, (G + \sqrt\lambda/\pi\, I)^{-1}`,
  :math:`\pi^2 = \frac{\operatorname{tr} A / \dim A}{\operatorname{tr} G / \dim G}`.

Both are estimators (the K-FAC averages in their state): the preconditioned direction goes
through an ``update`` rule (SGD with a learning rate by default; any rule, e.g.
``{"update": {"kind": "sgd", "momentum": 0.9}}``) and any safeguard, as a gradient estimate does.
A call is one ``layer_curvature`` call, charged as one evaluation at the point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from zeroth_q.config import require
from zeroth_q.estimators.base import GradientEstimate
from zeroth_q.objective import (
    Cost,
    DenseLayerStatistics,
    LayerCurvature,
    Objective,
    evaluation_cost,
    require_capability,
)


class KroneckerState(NamedTuple):
    """Running averages of every layer's ``A`` and ``G``, packed into one vector (a fixed
    checkpoint layout whatever the network); ``steps`` averaged so far."""

    steps: int
    factors: np.ndarray


def per_example_gradients(layers: tuple[DenseLayerStatistics, ...], dim: int) -> np.ndarray:
    """``Ψ`` of shape ``(N, P)``: row ``n`` is ``ψ_n``, the gradient of example ``n``'s loss at
    its sampled target."""
    examples = len(layers[0].inputs)
    psi = np.zeros((examples, dim))
    for layer in layers:
        outer = layer.inputs[:, :, None] * layer.output_gradients[:, None, :]
        psi[:, layer.weights] = outer.reshape(examples, -1)
        psi[:, layer.biases] = layer.output_gradients
    return psi


def damped_fisher_solve(psi: np.ndarray, gradient: np.ndarray, damping: float) -> np.ndarray:
    """``(Ψᵀ Ψ / N + λ I)^{-1} g`` by the Woodbury identity (an ``N × N`` solve)."""
    examples = len(psi)
    small = psi @ psi.T + examples * damping * np.eye(examples)
    return (gradient - psi.T @ np.linalg.solve(small, psi @ gradient)) / damping


def kronecker_factors(layer: DenseLayerStatistics) -> tuple[np.ndarray, np.ndarray]:
    """``A = E[ā āᵀ]`` (with the bias's constant input) and ``G = E[g gᵀ]`` over the batch."""
    examples = len(layer.inputs)
    augmented = np.hstack([layer.inputs, np.ones((examples, 1))])
    return augmented.T @ augmented / examples, layer.output_gradients.T @ layer.output_gradients / examples


def kronecker_solve(a: np.ndarray, g: np.ndarray, gradient: np.ndarray, damping: float) -> np.ndarray:
    """``(A + π√λ I)^{-1} ∇ (G + √λ/π I)^{-1}`` for ``∇`` of shape ``(dim A, dim G)``."""
    mean_a, mean_g = np.trace(a) / len(a), np.trace(g) / len(g)
    pi = np.sqrt(mean_a / mean_g) if mean_a > 0 and mean_g > 0 else 1.0
    root = np.sqrt(damping)
    left = np.linalg.solve(a + pi * root * np.eye(len(a)), gradient)
    return np.linalg.solve(g + root / pi * np.eye(len(g)), left.T).T


class _Preconditioned:
    """``P(x)^{-1} ∇f`` with ``P`` built from the objective's layer statistics at ``x``."""

    damping: float
    requires: ClassVar[tuple[str, ...]] = ("layer_curvature",)

    def __post_init__(self) -> None:
        require(self.damping > 0, f"damping must be > 0 (got {self.damping}); it keeps the solve well posed.")

    def rows(self, dim: int) -> int:
        return 1

    def init(self, dim: int) -> Any:
        return ()

    def cost(self, objective: Objective, dim: int, step: int, state: Any = None) -> Cost:
        return evaluation_cost(objective, 1)

    def precondition(self, statistics: LayerCurvature, dim: int, curvature: Any) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    def __call__(
        self,
        objective: Objective,
        theta: np.ndarray,
        step: int,
        rng: np.random.Generator,
        state: Any,
        lr: float | None = None,
        needed_by: str = "the natural gradient and K-FAC",
    ) -> tuple[GradientEstimate, Any]:
        require_capability(objective, "layer_curvature", needed_by)
        statistics = objective.layer_curvature(theta, rng)
        direction, state = self.precondition(statistics, theta.size, state)
        return GradientEstimate(direction, statistics.value, statistics.cost), state


@dataclass(frozen=True)
class NaturalGradient(_Preconditioned):
    """``natural-gradient`` / ``gauss-newton``: the damped mini-batch Fisher solve by Woodbury
    (module docstring). ``damping`` λ is absolute, on the Fisher's
    scale: with mini-batches much smaller than P (MNIST: N = 50..100, P ~ 10^4..10^5) the
    batch Fisher has rank N, and the gradient outside its span moves by ``lr/λ``, so the
    default λ = 1 is large; full batches with N ≥ P (XOR) want 1e-3..1e-2."""

    damping: float = 1.0
    kind: ClassVar[str] = "natural-gradient"

    def precondition(self, statistics: LayerCurvature, dim: int, curvature: Any) -> tuple[np.ndarray, Any]:
        psi = per_example_gradients(statistics.layers, dim)
        return damped_fisher_solve(psi, statistics.gradient, self.damping), curvature


@dataclass(frozen=True)
class KFAC(_Preconditioned):
    """``kfac``. ``decay``: weight of the running average of the factors (Martens & Grosse's
    ε = 0.95); ``damping`` λ as in :class:`NaturalGradient` (default tuned on MNIST 784-32-10
    batches of 100; XOR wants 1e-3)."""

    damping: float = 0.1
    decay: float = 0.95
    kind: ClassVar[str] = "kfac"

    def __post_init__(self) -> None:
        super().__post_init__()
        require(0 <= self.decay < 1, f"decay must be in [0, 1) (got {self.decay}); 0 uses each batch alone.")

    def init(self, dim: int) -> KroneckerState:
        return KroneckerState(0, np.zeros(0))

    def precondition(
        self, statistics: LayerCurvature, dim: int, curvature: KroneckerState
    ) -> tuple[np.ndarray, KroneckerState]:
        current = np.concatenate([f.ravel() for layer in statistics.layers for f in kronecker_factors(layer)])
        if curvature.steps == 0 or curvature.factors.size != current.size:
            averaged = current
        else:
            averaged = self.decay * curvature.factors + (1 - self.decay) * current
        direction, offset = np.empty(dim), 0
        for layer in statistics.layers:
            fan_in, fan_out = layer.inputs.shape[1] + 1, layer.output_gradients.shape[1]
            a = averaged[offset : offset + fan_in**2].reshape(fan_in, fan_in)
            g = averaged[offset + fan_in**2 : offset + fan_in**2 + fan_out**2].reshape(fan_out, fan_out)
            offset += fan_in**2 + fan_out**2
            gradient = np.vstack(
                [
                    statistics.gradient[layer.weights].reshape(fan_in - 1, fan_out),
                    statistics.gradient[layer.biases],
                ]
            )
            solved = kronecker_solve(a, g, gradient, self.damping)
            direction[layer.weights], direction[layer.biases] = solved[:-1].ravel(), solved[-1]
        return direction, KroneckerState(curvature.steps + 1, averaged)
