r"""Spall's gain calibration from several directions at the start point, as qiskit-algorithms'
``SPSA.calibrate`` does it.

Spall (1998, "Implementation of the simultaneous perturbation algorithm for stochastic
optimization", IEEE Trans. Aerosp. Electron. Syst. 34(3), §III) chooses the gain ``a`` of
:math:`a_k = a/(k+1+A)^\alpha` so that the first steps move the parameters by a desired
amount, judged from "several replications" of the gradient estimate at the start
:math:`\theta_0`. With ``N`` two-sided directions :math:`\Delta_t` of size :math:`c_0`, each gives
the one-direction estimate :math:`\hat g_t = s\,\frac{f(\theta_0 + c_0\Delta_t) - f(\theta_0 -
c_0\Delta_t)}{2c_0}\,\Delta_t` (``s`` as in :class:`~zeroth_q.estimators.SPSAGradient`); their
mean per-coordinate magnitude is

.. math:: m = \frac{1}{N}\sum_{t=1}^{N}
          \frac{s\,|f(\theta_0 + c_0\Delta_t) - f(\theta_0 - c_0\Delta_t)|}{2c_0}
          \;\frac{1}{P}\sum_{i=1}^{P} |\Delta_{t,i}|,

and ``a = target_step (A+1)^α / m`` makes a one-direction first step move each coordinate
by ``target_step`` on average (:func:`zeroth_q.updates.transforms.calibrated_gain`). For
Rademacher directions :math:`|\Delta_{t,i}| = 1` and ``s = 1``, so ``m`` is qiskit's
``avg_magnitudes`` (its ``calibrate`` uses ``N = 25`` and the target 2π/10). The mean of the
scalar magnitudes, not the magnitude of the averaged gradient: averaging the ``N`` estimates
first shrinks their random components, so it would give a smaller ``m`` and a larger gain
than the one-direction steps that follow can bear.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from zeroth_q.estimators import SPSAGradient
from zeroth_q.estimators.directions import direction_chunks, second_moment_scale
from zeroth_q.objective import Perturbations
from zeroth_q.updates.rules import SGD, UpdateRule
from zeroth_q.updates.transforms import GradientTransformation, calibrated_gain


def calibrates_gain(update: UpdateRule, calibration_steps: int) -> bool:
    """Whether a start-point calibration sets the gain: SGD with ``lr=None`` (Spall's
    calibrated gains) and ``calibration_steps > 0`` (with 0, SGD calibrates from its first
    gradient itself)."""
    return isinstance(update, SGD) and update.lr is None and calibration_steps > 0


def unit_gain_transform(update: UpdateRule, calibration_steps: int) -> GradientTransformation:
    """The update's transformation; with :func:`calibrates_gain`, at ``lr = 1``, so that its
    steps are then multiplied by the calibrated gain (SGD's step is linear in ``lr``)."""
    if calibrates_gain(update, calibration_steps):
        return dataclasses.replace(update, lr=1.0).transform()
    return update.transform()


def spall_gain(update: SGD, values: np.ndarray, probe: Perturbations, dim: int) -> float:
    """``a`` of the update's schedule from the values at the probe's points (module docstring)."""
    return calibrated_gain(update.target_step, update.decay()(0), mean_estimate_magnitude(values, probe, dim))


def calibration_perturbations(estimator: SPSAGradient, count: int, seed: int) -> Perturbations:
    """``count`` two-sided directions of the estimator's distribution, of its first size ``c_0``."""
    return Perturbations(seed, count, estimator.distribution, estimator.perturbation_size(0), True, False)


def mean_estimate_magnitude(values: np.ndarray, perturbations: Perturbations, dim: int) -> float:
    """``m`` of the module docstring from the values at the points of ``perturbations``
    (``θ + c_0Δ_t`` for all ``t``, then ``θ - c_0Δ_t``)."""
    seed, count, distribution, scale, _, _ = perturbations
    differences = np.abs(values[:count] - values[count : 2 * count]) / (2 * scale)
    spreads = np.concatenate(
        [np.abs(block).mean(axis=1) for _, block in direction_chunks(seed, count, dim, distribution)]
    )
    return float(second_moment_scale(distribution, dim) * np.mean(differences * spreads))
