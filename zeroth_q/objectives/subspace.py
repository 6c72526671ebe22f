r"""Train a few coordinates of any objective, all others held fixed.

``restrict(f, indices, base)`` is the objective

.. math:: g(z) = f(E z), \qquad (E z)_k = z_m \text{ if } k = i_m, \text{ else } \text{base}_k,

over ``len(indices)`` parameters. Its loss surface *is* the loss every optimizer run on
``g`` walks on, which is what an exact two-parameter landscape needs (the reference study
of the landscape tool trains two weights of a network and freezes the rest). The
capabilities of ``f`` carry over restricted to the chosen coordinates, by the chain rule
with the constant embedding ``E``:

* ``gradient``: :math:`\nabla g(z) = (\nabla f(Ez))_{I}` (one call of ``f.gradient``);
* ``hessian``: :math:`\nabla^2 g(z) = (\nabla^2 f(Ez))_{I,I}`;
* ``metrics``, ``running_metrics``, ``fidelity``, ``initial_state``/``get_state``/``set_state`` and
  the cost model ``cost(rows)`` at the embedded points, unchanged (a row of ``g`` is a row of ``f``).

Optimizers discover capabilities with ``isinstance``, so the wrapper must offer exactly
those ``f`` has: :func:`restrict` builds it from one mixin per capability present.
Per-layer statistics (K-FAC, natural gradient) do not restrict: a coordinate subset of a
network is not a network of dense layers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache

import numpy as np

from zeroth_q.errors import ConfigError
from zeroth_q.objective import (
    Cost,
    Evaluation,
    GradientEvaluation,
    Objective,
    SupportsCostModel,
    SupportsFidelity,
    SupportsGradient,
    SupportsHessian,
    SupportsMetrics,
    SupportsRunningMetrics,
    SupportsState,
    check_thetas,
)


class CoordinateSubspace:
    """``g(z) = f(E z)``: the coordinates ``indices`` of ``objective`` free, the rest at ``base``.

    Build it with :func:`restrict`, which adds the wrapped objective's capabilities.
    """

    def __init__(self, objective: Objective, indices: Sequence[int], base: np.ndarray) -> None:
        self.objective = objective
        self.indices = np.asarray(indices, dtype=int)
        self.base = np.asarray(base, dtype=float).copy()

    @property
    def dim(self) -> int:
        return self.indices.size

    def embed(self, thetas: np.ndarray) -> np.ndarray:
        """``E z`` for each row ``z`` of ``thetas`` (shape ``(B, dim)`` -> ``(B, P)``)."""
        full = np.tile(self.base, (len(thetas), 1))
        full[:, self.indices] = thetas
        return full

    def embed_one(self, theta: np.ndarray) -> np.ndarray:
        return self.embed(check_thetas(np.asarray(theta)[None, :], self.dim))[0]

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.base[self.indices].copy()

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        return self.objective.evaluate(self.embed(check_thetas(thetas, self.dim)), rng)

    def capability_hint(self, capability: str) -> str | None:
        if capability == "layer_curvature":
            return (
                f"training {self.dim} coordinates of a network leaves no dense layers; "
                f"use Newton, BFGS or L-BFGS for second-order paths."
            )
        hint = getattr(self.objective, "capability_hint", None)
        return hint(capability) if callable(hint) else None


class _Gradient(CoordinateSubspace):
    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation:
        value, gradient, cost = self.objective.gradient(self.embed_one(theta), rng)
        return GradientEvaluation(value, np.asarray(gradient)[self.indices], cost)


class _Hessian(CoordinateSubspace):
    def hessian(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(self.objective.hessian(self.embed_one(theta)))[np.ix_(self.indices, self.indices)]


class _Metrics(CoordinateSubspace):
    def metrics(self, theta: np.ndarray) -> Mapping[str, float]:
        return self.objective.metrics(self.embed_one(theta))


class _RunningMetrics(CoordinateSubspace):
    def running_metrics(self, theta: np.ndarray) -> Mapping[str, float]:
        return self.objective.running_metrics(self.embed_one(theta))


class _Fidelity(CoordinateSubspace):
    def fidelity(self, theta: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> Evaluation:
        return self.objective.fidelity(self.embed_one(theta), self.embed(check_thetas(others, self.dim)), rng)

    def fidelity_cost(self, rows: int) -> Cost:
        return self.objective.fidelity_cost(rows)


class _State(CoordinateSubspace):
    def initial_state(self) -> dict[str, np.ndarray]:
        return self.objective.initial_state()

    def get_state(self) -> dict[str, np.ndarray]:
        return self.objective.get_state()

    def set_state(self, state: Mapping[str, np.ndarray]) -> None:
        self.objective.set_state(state)


class _CostModel(CoordinateSubspace):
    def cost(self, rows: int) -> Cost:
        return self.objective.cost(rows)


# (test on the wrapped objective, the mixin that forwards that capability)
_FORWARDED: tuple[tuple[Callable[[object], bool], type], ...] = (
    (lambda f: isinstance(f, SupportsGradient), _Gradient),
    (lambda f: isinstance(f, SupportsHessian), _Hessian),
    (lambda f: isinstance(f, SupportsMetrics), _Metrics),
    (lambda f: isinstance(f, SupportsRunningMetrics), _RunningMetrics),
    (lambda f: isinstance(f, SupportsFidelity), _Fidelity),
    (lambda f: isinstance(f, SupportsState), _State),
    (lambda f: isinstance(f, SupportsCostModel), _CostModel),
)


@cache
def _subspace_class(mixins: tuple[type, ...]) -> type:
    return type("CoordinateSubspace", (*mixins, CoordinateSubspace), {"__doc__": CoordinateSubspace.__doc__})


def restrict(objective: Objective, indices: Sequence[int], base: np.ndarray) -> CoordinateSubspace:
    """``objective`` over the coordinates ``indices`` only, the others held at ``base``.

    Raises ConfigError for an index out of range, a repeated index or a ``base`` of the
    wrong shape.
    """
    base = np.asarray(base, dtype=float)
    if base.shape != (objective.dim,):
        raise ConfigError(f"base point must have shape ({objective.dim},), got {base.shape}.")
    for index in indices:
        if not 0 <= index < objective.dim:
            raise ConfigError(
                f"parameter index {index} is out of range: the objective has {objective.dim} "
                f"parameters (0..{objective.dim - 1})."
            )
    if len(set(indices)) != len(indices) or not indices:
        raise ConfigError(f"need distinct parameter indices to train, got {list(indices)}.")
    mixins = tuple(mixin for has, mixin in _FORWARDED if has(objective))
    return _subspace_class(mixins)(objective, indices, base)
