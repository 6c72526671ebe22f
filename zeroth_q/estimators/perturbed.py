"""Evaluate described perturbations: the objective's own fast path, or the generic one.

:func:`evaluate_perturbed` is what SPSA-type estimators call. If the objective implements
:class:`~zeroth_q.objective.SupportsPerturbedEvaluation` it evaluates the points (and the
direction-weighted differences) itself; otherwise :func:`evaluate_materialized` builds the
``(B, P)`` batch from the same directions, calls ``evaluate`` once, and regenerates the
directions in bounded chunks for the combination. Both give the same values and the same
combination, up to rounding (tested in float64 to 1e-10).
"""

from __future__ import annotations

import numpy as np

from zeroth_q.errors import ConfigError
from zeroth_q.estimators.directions import direction_chunks
from zeroth_q.objective import (
    Objective,
    Perturbations,
    PerturbedEvaluation,
    evaluate,
)


def evaluate_perturbed(
    objective: Objective, theta: np.ndarray, perturbations: Perturbations, rng: np.random.Generator
) -> PerturbedEvaluation:
    """``f`` at ``θ ± c·Δ_t`` (and ``θ``) and ``Σ_t (f(θ+cΔ_t) - f_t^-) Δ_t``; see
    :class:`~zeroth_q.objective.PerturbedEvaluation`."""
    if not perturbations.two_sided and not perturbations.center:
        raise ConfigError(
            "one-sided perturbations need the centre (center=True): the differences are f(θ+cΔ) - f(θ)."
        )
    # What isinstance(objective, SupportsPerturbedEvaluation) decides for a one-method protocol
    # (the method is there and not None), without its 8 µs of protocol introspection a step.
    own = getattr(objective, "evaluate_perturbed", None)
    if callable(own):
        return own(theta, perturbations, rng)
    return evaluate_materialized(objective, theta, perturbations, rng)


def perturbed_points(theta: np.ndarray, perturbations: Perturbations) -> np.ndarray:
    """The ``(B, P)`` batch ``θ + cΔ_t`` (t = 1..T), then ``θ - cΔ_t`` (two-sided), then ``θ``
    (with the centre), directions regenerated from the seed in bounded chunks."""
    seed, count, distribution, scale, two_sided, center = perturbations
    dim = theta.size
    points = np.empty((perturbations.rows, dim))
    for start, block in direction_chunks(seed, count, dim, distribution):
        stop = start + len(block)
        points[start:stop] = theta + scale * block
        if two_sided:
            points[count + start : count + stop] = theta - scale * block
    if center:
        points[-1] = theta
    return points


def combination(values: np.ndarray, perturbations: Perturbations, dim: int) -> np.ndarray:
    """``Σ_t (f(θ+cΔ_t) - f_t^-) Δ_t`` from the values at :func:`perturbed_points`, where
    ``f_t^-`` is ``f(θ-cΔ_t)`` (two-sided) or ``f(θ)`` (one-sided)."""
    seed, count, distribution, _, two_sided, _ = perturbations
    differences = values[:count] - (values[count : 2 * count] if two_sided else values[-1])
    total = np.zeros(dim)
    for start, block in direction_chunks(seed, count, dim, distribution):
        total += differences[start : start + len(block)] @ block
    return total


def evaluate_materialized(
    objective: Objective, theta: np.ndarray, perturbations: Perturbations, rng: np.random.Generator
) -> PerturbedEvaluation:
    """The generic path: all ``B`` points in one ``evaluate`` call (float64 directions)."""
    evaluation = evaluate(objective, perturbed_points(theta, perturbations), rng)
    values = np.asarray(evaluation.values, dtype=float)
    return PerturbedEvaluation(values, combination(values, perturbations, theta.size), evaluation.cost)
