r"""Safeguards as transforms that see the loss: blocking, Spall's calibrated gain, iterate averaging.

Each is a :class:`~zeroth_q.updates.transforms.GradientTransformationExtraArgs` chained after an
update rule, so it composes with every estimator and rule (``zo-adam`` with blocking,
``parameter-shift-adam`` with ``last_avg``). Those that evaluate the objective do it through
``value_fn``, which charges the step; the composition states their points in advance
(:meth:`zeroth_q.composition.ComposedOptimizer.safeguard_rows`).

* **Blocking** (Spall 2000, §III; qiskit-algorithms' ``SPSA(blocking=True)``): evaluate ``f`` at the
  proposed point and reject the step (zero update) if :math:`f(\theta_{k+1}) \ge f_k + \delta`,
  :math:`f_k` the loss of the last accepted point; one extra evaluation per step. δ is
  ``allowed_increase``, by default twice the standard deviation of ``f`` from ``samples``
  evaluations of the start point (qiskit's ``2 * estimate_stddev(...)``, 25 samples), whose mean
  is :math:`f_0`. The samples presume independent draws per row (true for shot noise); for a
  loss whose random draw is shared by a batch (a mini-batch) the estimate is 0, so give δ there.
* **Spall's calibrated gain** (Spall 1998, "Implementation of the simultaneous perturbation
  algorithm for stochastic optimization", IEEE Trans. Aerosp. Electron. Syst. 34(3), §III;
  qiskit's ``SPSA.calibrate``): the gain ``a`` of :math:`a_k = a/(k+1+A)^\alpha` is chosen at the
  start point from ``N`` two-sided directions :math:`\Delta_t` of size :math:`c_0`; each gives the
  one-direction estimate :math:`\hat g_t = s\,\frac{f(\theta_0 + c_0\Delta_t) - f(\theta_0 -
  c_0\Delta_t)}{2c_0}\,\Delta_t` (``s`` as in :class:`~zeroth_q.estimators.SPSAGradient`), and
  their mean per-coordinate magnitude

  .. math:: m = \frac{1}{N}\sum_{t=1}^{N}
            \frac{s\,|f(\theta_0 + c_0\Delta_t) - f(\theta_0 - c_0\Delta_t)|}{2c_0}
            \;\frac{1}{P}\sum_{i=1}^{P} |\Delta_{t,i}|

  gives ``a = target_step (A+1)^α / m`` (:func:`~zeroth_q.updates.transforms.calibrated_gain`).
  For Rademacher directions this is qiskit's ``avg_magnitudes`` (``N = 25``, target 2π/10). The
  mean of the scalar magnitudes, not the magnitude of the averaged gradient: averaging first
  shrinks the random components, which would give a larger gain than one-direction steps bear.
* **Iterate averaging** (qiskit's ``last_avg``): keep the last ``k`` iterates the steps moved to;
  the optimizer returns their mean, which averages out the final jitter when noise dominates.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from zeroth_q.estimators.directions import direction_chunks, second_moment_scale
from zeroth_q.estimators.perturbed import perturbed_points
from zeroth_q.objective import Perturbations
from zeroth_q.updates.transforms import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    Schedule,
    calibrated_gain,
    first_step_target,
)


class BlockingState(NamedTuple):
    """loss: f at the last accepted point (NaN before the first step); allowed: δ."""

    loss: float
    allowed: float


def start_samples(allowed_increase: float | None, samples: int) -> int:
    """Start-point evaluations blocking needs: ``samples`` to calibrate δ, one for f_0 when δ is given."""
    return samples if allowed_increase is None else 1


def block_increase(allowed_increase: float | None, samples: int) -> GradientTransformationExtraArgs:
    """Reject (a zero update) a step whose loss exceeds the last accepted one by δ or more."""

    def init(params: np.ndarray) -> BlockingState:
        return BlockingState(math.nan, allowed_increase or 0.0)

    def update(
        updates: np.ndarray, state: BlockingState, params: np.ndarray, *, value_fn: Any, **extra: Any
    ) -> tuple[np.ndarray, BlockingState]:
        loss, allowed = state
        if math.isnan(loss):
            start = value_fn(np.repeat(params[None, :], start_samples(allowed_increase, samples), axis=0))
            loss = float(start.mean())
            allowed = 2 * float(np.std(start)) if allowed_increase is None else allowed
        proposed = float(value_fn((params + updates)[None, :])[0])
        if proposed >= loss + allowed:
            return np.zeros_like(updates), BlockingState(loss, allowed)
        return updates, BlockingState(proposed, allowed)

    return GradientTransformationExtraArgs(init, update)


class GainState(NamedTuple):
    """gain: the calibrated ``a`` (NaN before the first step)."""

    gain: float


def mean_estimate_magnitude(values: np.ndarray, perturbations: Perturbations, dim: int) -> float:
    """``m`` of the module docstring from the values at the points of ``perturbations``
    (``θ + c_0Δ_t`` for all ``t``, then ``θ - c_0Δ_t``)."""
    seed, count, distribution, scale, _, _ = perturbations
    differences = np.abs(values[:count] - values[count : 2 * count]) / (2 * scale)
    spreads = np.concatenate(
        [np.abs(block).mean(axis=1) for _, block in direction_chunks(seed, count, dim, distribution)]
    )
    return float(second_moment_scale(distribution, dim) * np.mean(differences * spreads))


def scale_by_spall_calibration(
    count: int, distribution: str, size: float, target_step: float | None, decay: Schedule
) -> GradientTransformationExtraArgs:
    """Multiply the rule's unit-gain step by Spall's ``a``, calibrated at the first update from
    ``count`` directions drawn from the run's ``rng`` (module docstring)."""

    def update(
        updates: np.ndarray, state: GainState, params: np.ndarray, *, value_fn: Any, rng: Any, **extra: Any
    ) -> tuple[np.ndarray, GainState]:
        gain = state.gain
        if math.isnan(gain):
            probe = Perturbations(int(rng.integers(2**63)), count, distribution, size, True, False)
            values = value_fn(perturbed_points(params, probe))
            magnitude = mean_estimate_magnitude(values, probe, params.size)
            gain = calibrated_gain(first_step_target(target_step, params.size), decay(0), magnitude)
        return gain * updates, GainState(gain)

    return GradientTransformationExtraArgs(lambda params: GainState(math.nan), update)


class AveragingState(NamedTuple):
    """recent: (k, P) the last iterates the steps moved to, oldest first (the start point first)."""

    recent: np.ndarray


def keep_recent_iterates(count: int) -> GradientTransformation:
    """Record ``params + updates`` whenever a step moves (a blocked step does not), the last ``count``."""

    def update(
        updates: np.ndarray, state: AveragingState, params: np.ndarray
    ) -> tuple[np.ndarray, AveragingState]:
        if not np.any(updates):
            return updates, state
        return updates, AveragingState(np.concatenate([state.recent, (params + updates)[None, :]])[-count:])

    return GradientTransformation(lambda params: AveragingState(params[None, :].copy()), update)
