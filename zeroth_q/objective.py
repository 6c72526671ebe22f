"""The Objective protocol: a batched, cost-reporting loss.

An objective evaluates a *batch* of parameter vectors ``thetas`` of shape ``(B, P)`` in
one call and returns ``B`` loss values computed on **one** shared random draw (one
mini-batch of training examples, one shot sample per circuit). Sharing the draw across
the batch is what makes finite differences such as SPSA's ``f(θ+cΔ) - f(θ-cΔ)``
low-variance: the method of common random numbers (Glasserman & Yao 1992; Kleinman,
Spall & Naiman 1999, "Simulation-based optimization with stochastic approximation using
common random numbers").

Every evaluation reports what it cost (:class:`Cost`), so budgets and the x-axes of all
plots are exact: "equal shot budget" means equal summed ``Cost.shots``.

Optional capabilities are separate protocols that optimizers discover with
``isinstance`` and never assume: :class:`SupportsGradient`, :class:`SupportsMetrics`,
:class:`SupportsState`, :class:`SupportsPerturbedEvaluation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from zeroth_q.errors import ConfigError, missing_capability


@dataclass(frozen=True)
class Cost:
    """What evaluations consumed. Costs add: ``total = a + b``.

    evaluations: parameter vectors evaluated (rows of ``thetas``).
    circuits: circuit executions (a row of a circuit objective with ``g`` measurement
        groups costs ``g`` circuits); 0 for classical objectives.
    shots: measurement shots (``circuits × shots per circuit``); 0 when exact.
    examples: training examples pushed through a network (``rows × batch size``).
    """

    evaluations: int = 0
    circuits: int = 0
    shots: int = 0
    examples: int = 0

    def __add__(self, other: Cost) -> Cost:
        if not isinstance(other, Cost):
            return NotImplemented
        return Cost(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Cost)))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Evaluation(NamedTuple):
    """Loss values of one batch, ``values[b] = f(thetas[b])``, and what they cost."""

    values: np.ndarray
    cost: Cost


class GradientEvaluation(NamedTuple):
    """An objective's own gradient at one point (backprop, adjoint), with the loss there."""

    value: float
    gradient: np.ndarray
    cost: Cost


@runtime_checkable
class Objective(Protocol):
    """A loss over ``dim`` real parameters, evaluated in batches.

    ``evaluate(thetas, rng)`` takes ``thetas`` of shape ``(B, dim)`` and returns ``B``
    values computed on one random draw taken from ``rng`` (mini-batch, shot sample).
    A deterministic objective ignores ``rng``.
    """

    @property
    def dim(self) -> int: ...

    def initial_point(self, rng: np.random.Generator) -> np.ndarray: ...

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation: ...


@runtime_checkable
class SupportsGradient(Protocol):
    """An objective that computes its exact (or mini-batch) gradient itself."""

    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation: ...


class Perturbations(NamedTuple):
    r"""Random directions *described* instead of materialized: what an SPSA-type estimator
    asks an objective to evaluate.

    The points are ``θ + scale·Δ_t`` for ``t = 0..count-1``, then (``two_sided``)
    ``θ - scale·Δ_t``, then (``center``) ``θ`` itself: the rows of the ``(B, P)`` batch the
    estimator would otherwise build, in that order. The directions ``Δ_t`` are defined by
    ``(seed, distribution, P, dtype)`` through
    :class:`zeroth_q.estimators.directions.DirectionStream`: direction ``t`` is the ``t``-th
    block of one random stream, so an objective may regenerate them in chunks of any size
    and gets the same vectors the estimator's generic path materializes.

    seed: the stream's seed (drawn by the estimator from the run's ``rng``).
    count: ``T``, the number of directions.
    distribution: ``"rademacher"``, ``"gaussian"`` or ``"sphere"``
        (:data:`zeroth_q.estimators.directions.DISTRIBUTIONS`).
    scale: the perturbation size ``c_k`` of this step.
    two_sided: evaluate ``θ - c_kΔ_t`` too.
    center: evaluate ``θ``; required when one-sided (the differences need ``f(θ)``).
    """

    seed: int
    count: int
    distribution: str
    scale: float
    two_sided: bool
    center: bool

    @property
    def rows(self) -> int:
        """Points evaluated, ``B = (2 if two_sided else 1)·T + center``."""
        return (2 if self.two_sided else 1) * self.count + int(self.center)


class PerturbedEvaluation(NamedTuple):
    r"""Values at the described points and their direction-weighted differences.

    values: ``(B,)`` float64, in the row order of :class:`Perturbations`, on ONE random draw
        (one mini-batch for all points: common random numbers).
    combination: ``(P,)`` float64,
        :math:`\sum_t \big(f(\theta + c\Delta_t) - f_t^-\big)\,\Delta_t` with
        :math:`f_t^- = f(\theta - c\Delta_t)` when two-sided, else :math:`f(\theta)`.
        Every SPSA-type gradient is this vector times a scalar, so an objective that holds
        the directions in its own buffers forms it there (one GEMV) and nobody
        materializes the ``T × P`` directions twice.
    cost: exactly what ``evaluate`` of the ``B`` rows would have charged.
    """

    values: np.ndarray
    combination: np.ndarray
    cost: Cost


@runtime_checkable
class SupportsPerturbedEvaluation(Protocol):
    """An objective that evaluates described perturbations itself, faster or in less memory
    than the ``(B, P)`` batch (the MLP: ``x·ΔW`` of all directions as one GEMM, directions
    regenerated from the seed in chunks, MeZO-style, Malladi et al. 2023). Results must equal
    the generic path (``evaluate`` of the materialized points) up to rounding;
    :func:`zeroth_q.estimators.perturbed.evaluate_perturbed` is the one entry point and the
    reference implementation."""

    def evaluate_perturbed(
        self, theta: np.ndarray, perturbations: Perturbations, rng: np.random.Generator
    ) -> PerturbedEvaluation: ...


@runtime_checkable
class SupportsMetrics(Protocol):
    """An objective with diagnostics that do not count as cost (test accuracy, exact
    energy error). ``metrics(theta)`` returns a flat mapping of names to floats."""

    def metrics(self, theta: np.ndarray) -> Mapping[str, float]: ...


@runtime_checkable
class SupportsHessian(Protocol):
    """An objective that gives its exact Hessian (small analytic problems; Newton's method)."""

    def hessian(self, theta: np.ndarray) -> np.ndarray: ...


@runtime_checkable
class SupportsFidelity(Protocol):
    """A circuit objective that measures state fidelities ``|<ψ(θ)|ψ(θ'_b)>|²`` for a batch
    of ``θ'`` (the quantum natural gradient's metric; QN-SPSA, Gacon et al. 2021)."""

    def fidelity(self, theta: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> Evaluation: ...


class DenseLayerStatistics(NamedTuple):
    """One dense layer ``z = a W + b`` on a mini-batch of N examples, as K-FAC and the
    natural gradient see it: where its parameters sit in θ and its per-example signals.

    weights, biases: slices of θ holding ``W`` (``fan_in × fan_out``, row-major) and ``b``.
    inputs: ``(N, fan_in)``, the layer's inputs ``a``.
    output_gradients: ``(N, fan_out)``, per-example ``∂ℓ_n/∂z`` for targets *sampled from the
        model* (not the labels), so that the per-example gradients ``a_n ⊗ g_n`` have
        second moment equal to the Fisher = generalised Gauss-Newton matrix.
    """

    weights: slice
    biases: slice
    inputs: np.ndarray
    output_gradients: np.ndarray


class LayerCurvature(NamedTuple):
    """The mini-batch loss and gradient (true labels) with every layer's statistics."""

    value: float
    gradient: np.ndarray
    layers: tuple[DenseLayerStatistics, ...]
    cost: Cost


@runtime_checkable
class SupportsLayerCurvature(Protocol):
    """A network of dense layers that exposes per-layer activations and per-example
    pre-activation gradients (natural gradient, K-FAC; Martens & Grosse 2015)."""

    def layer_curvature(self, theta: np.ndarray, rng: np.random.Generator) -> LayerCurvature: ...


@runtime_checkable
class SupportsState(Protocol):
    """An objective with internal state a checkpoint must carry (e.g. the position in a
    shuffled epoch). ``get_state`` returns named NumPy arrays; ``set_state`` restores them."""

    def get_state(self) -> dict[str, np.ndarray]: ...

    def set_state(self, state: Mapping[str, np.ndarray]) -> None: ...


CAPABILITIES: dict[str, type] = {
    "gradient": SupportsGradient,
    "hessian": SupportsHessian,
    "fidelity": SupportsFidelity,
    "layer_curvature": SupportsLayerCurvature,
}
# What to use instead when an objective lacks a capability (the objective's own
# capability_hint, if any, comes first).
ALTERNATIVES = {
    "gradient": "use an optimizer that only evaluates: 'spsa', 'zo-adam', 'parameter-shift-adam', "
    "or '2spsa' for curvature.",
    "hessian": "use 'newton' on an objective with a gradient, or '2spsa'.",
    "fidelity": "use '2spsa' (Hessian from loss evaluations) instead.",
    "layer_curvature": "the natural gradient and K-FAC need a network of dense layers (objectives mnist, "
    "xor); elsewhere use 'newton' or 'bfgs' (with a gradient) or '2spsa' (evaluations only).",
}


def require_capability(objective: object, capability: str, needed_by: str) -> None:
    """Raise a CapabilityError naming the fix unless ``objective`` offers ``capability``."""
    if not isinstance(objective, CAPABILITIES[capability]):
        raise missing_capability(objective, capability, needed_by, ALTERNATIVES[capability])


def check_thetas(thetas: np.ndarray, dim: int) -> np.ndarray:
    """Validate a parameter batch: a finite 2-D float array with ``dim`` columns.

    Returns it as a float array. A 1-D vector is rejected rather than silently treated
    as a batch of one, because that hides shape bugs in estimators.
    """
    arr = np.asarray(thetas)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ConfigError(
            f"parameters must have shape (B, {dim}) (a batch of B vectors), got {arr.shape}; "
            f"for one vector use theta[None, :]."
        )
    if arr.shape[0] == 0:
        raise ConfigError("parameter batch is empty (B = 0); pass at least one row.")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ConfigError("parameters contain NaN or inf; the optimizer diverged before this call.")
    return arr
