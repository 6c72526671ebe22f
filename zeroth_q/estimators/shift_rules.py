r"""General parameter-shift rules: exact derivatives of a finite Fourier series from shifted values.

Along one coordinate, a circuit's expectation is :math:`f(\theta + t) = a_0 + \sum_{k=1}^{R}
a_k\cos(\omega_k t) + b_k\sin(\omega_k t)` with the frequencies :math:`\omega_k` of
:class:`~zeroth_q.objective.SupportsFrequencies` (one Pauli rotation: ``(1.0,)``; a parameter in
R rotations: ``(1, ..., R)``; ``c·θ``: ``(|c|,)``; a controlled rotation: ``(0.5, 1.0)``). Then

.. math:: f(\theta + x) - f(\theta - x) = \sum_k 2 b_k \sin(\omega_k x), \qquad
          f'(\theta) = \sum_k \omega_k b_k,

so R shift pairs :math:`\pm x_\mu` and weights :math:`y_\mu` with

.. math:: \sum_{\mu=1}^{R} y_\mu \, 2\sin(\omega_k x_\mu) = \omega_k \quad (k = 1..R)

give :math:`f'(\theta) = \sum_\mu y_\mu [f(\theta + x_\mu) - f(\theta - x_\mu)]` exactly: 2R
evaluations instead of 2 per gate occurrence (Wierichs, Izaac, Wang & Lin, "General parameter-shift
rules for quantum gradients", Quantum 6, 677 (2022), eq. (9) and §3). The shifts are
:math:`x_\mu = (2\mu - 1)\,s/\omega_{\max}`; for equidistant frequencies
:math:`\omega_k = k\omega_0` and :math:`s = \pi/2` these are Wierichs'
:math:`x_\mu = (2\mu-1)\pi/(2R\omega_0)`, whose system is well conditioned (closed form
:math:`y_\mu = (-1)^{\mu-1}\omega_0/(4R\sin^2(\omega_0 x_\mu/2))`).
For one frequency the rule is the two-term rule with shift :math:`s/\omega` and denominator
:math:`2\sin(s)/\omega`: for ``(1.0,)`` exactly today's :math:`[f(\theta+s) - f(\theta-s)]/(2\sin s)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from zeroth_q.errors import ConfigError
from zeroth_q.objective import SupportsFrequencies

MAX_CONDITION = 1e10  # beyond this the weights amplify rounding (and shot noise) without bound


class ShiftRule(NamedTuple):
    r"""``shifts`` (R,) :math:`x_\mu > 0` and ``denominators`` (R,) :math:`d_\mu = 1/y_\mu`:
    :math:`f'(\theta) = \sum_\mu [f(\theta + x_\mu) - f(\theta - x_\mu)] / d_\mu`."""

    shifts: np.ndarray
    denominators: np.ndarray

    def derivative(self, plus: np.ndarray, minus: np.ndarray) -> np.ndarray:
        """The derivative from the values at ``+x_μ`` and ``-x_μ`` (last axis μ)."""
        return ((plus - minus) / self.denominators).sum(axis=-1)


def shift_rule(frequencies: Sequence[float], shift: float = np.pi / 2) -> ShiftRule:
    """The rule for one coordinate with these distinct positive ``frequencies`` (module docstring)."""
    omega = np.asarray(frequencies, dtype=float)
    if omega.size == 1:
        return ShiftRule(np.array([shift / omega[0]]), np.array([2 * np.sin(shift) / omega[0]]))
    shifts = (2 * np.arange(1, omega.size + 1) - 1) * shift / omega.max()
    system = 2 * np.sin(np.outer(omega, shifts))
    condition = np.linalg.cond(system)
    if not condition < MAX_CONDITION:
        raise ConfigError(
            f"the parameter-shift system for frequencies {tuple(omega.tolist())} with shift {shift} is "
            f"singular (condition {condition:.1e}); use shift=pi/2, or rule='finite-difference'."
        )
    weights = np.linalg.solve(system, omega)
    with np.errstate(divide="ignore"):
        return ShiftRule(shifts, 1.0 / weights)


class ShiftedPoints(NamedTuple):
    r"""The rows of a general parameter-shift gradient and how to combine their values.

    points: ``(2M, P)``: θ + x_μ e_i for every coordinate i and its shifts μ (M = Σ_i R_i rows, i
        major), then θ - x_μ e_i in the same order. With R_i = 1 these are the two-term rule's
        rows: θ + s e_1 … θ + s e_P, then θ - s e_1 … θ - s e_P.
    coordinates, denominators: (M,) the coordinate i and the :math:`d_\mu` of each ``+`` row.
    """

    points: np.ndarray
    coordinates: np.ndarray
    denominators: np.ndarray

    def combine(self, per_row: np.ndarray, power: int = 1) -> np.ndarray:
        """Σ_μ per_row[μ] / d_μ^power per coordinate, for (M, ...) ``per_row`` in the order of the
        ``+`` rows: the gradient from value differences (power 1), the single-shot variance from
        summed variances (power 2). One term per coordinate (R_i = 1) is returned unchanged by
        the sum, so the two-term rule's values are reproduced bit for bit."""
        terms = per_row / (self.denominators**power).reshape((-1,) + (1,) * (per_row.ndim - 1))
        dim = int(self.coordinates.max()) + 1
        out = np.zeros((dim, *per_row.shape[1:]))
        np.add.at(out, self.coordinates, terms)
        return out

    def gradient(self, values: np.ndarray) -> np.ndarray:
        """∂f/∂θ_i from the values of :attr:`points` (the first 2M entries of ``values``)."""
        half = len(self.coordinates)
        return self.combine(values[:half] - values[half : 2 * half])


def shifted_rows(frequencies: Sequence[Sequence[float]]) -> int:
    """2 Σ_i R_i: the shifted points of one gradient."""
    return 2 * sum(len(f) for f in frequencies)


def shifted_points(
    theta: np.ndarray, frequencies: Sequence[Sequence[float]], shift: float = np.pi / 2
) -> ShiftedPoints:
    """The shifted points of the general rule at ``theta`` for per-coordinate ``frequencies``."""
    rules = [shift_rule(f, shift) for f in frequencies]
    coordinates = np.concatenate([np.full(len(r.shifts), i) for i, r in enumerate(rules)])
    offsets = np.concatenate([r.shifts for r in rules])
    rows = np.arange(len(offsets))
    plus = np.tile(theta, (len(offsets), 1))
    minus = plus.copy()
    plus[rows, coordinates] += offsets
    minus[rows, coordinates] -= offsets
    return ShiftedPoints(
        np.concatenate([plus, minus]), coordinates, np.concatenate([r.denominators for r in rules])
    )


def pauli_frequencies(dim: int) -> tuple[tuple[float, ...], ...]:
    """``(1.0,)`` for every coordinate: each parameter drives one Pauli rotation."""
    return ((1.0,),) * dim


def stated_frequencies(objective: object, dim: int) -> tuple[tuple[float, ...], ...]:
    """The objective's per-coordinate frequencies (:class:`~zeroth_q.objective.SupportsFrequencies`),
    else :func:`pauli_frequencies`: what every shift-rule estimator differentiates."""
    return objective.frequencies() if isinstance(objective, SupportsFrequencies) else pauli_frequencies(dim)
