r"""The exact one-parameter restriction of a circuit objective, and its global minimum.

Along one parameter whose frequencies are integer multiples :math:`n_k\omega_0` of a base
:math:`\omega_0` (``(1,)`` for one Pauli rotation, ``(1, 2)`` for a parameter shared by two,
``(0.5, 1)`` for a controlled rotation), the objective is a trigonometric polynomial of degree
:math:`M = \max_k n_k`,

.. math:: g(t) = a_0 + \sum_{k=1}^{M} a_k \cos(k\omega_0 t) + b_k \sin(k\omega_0 t),

determined by its values at :math:`2M+1` shifts. Wierichs, Izaac, Wang & Lin, "General
parameter-shift rules for quantum gradients", Quantum 6, 677 (2022), §3, take them
equidistant, :math:`t_\mu = 2\pi\mu/((2M+1)\omega_0)`, :math:`\mu = -M..M` (the best
conditioned choice; :math:`t_0 = 0` is the current point); a gap in the spectrum (``(1, 3)``)
is filled, which costs two points per missing frequency and keeps the fit exact. Rotosolve
(Ostaszewski, Grant & Benedetti, Quantum 5, 391 (2021)) and NFT (Nakanishi, Fujii & Todo,
PRR 2, 043158 (2020)) are the case :math:`M = 1`.

The minimum: with :math:`z = e^{i\omega_0 t}`, :math:`z^M g'(t)` is a polynomial of degree
2M whose coefficients at :math:`z^{M\pm k}` are :math:`\tfrac{k\omega_0}{2}(b_k \pm i a_k)`;
its roots on the unit circle are the critical points (companion-matrix roots,
``numpy.roots``), and the least of ``g`` over their angles and ``t = 0`` is the global minimum
(``t = 0`` is kept so that a flat or degenerate fit never moves to a worse predicted value).
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import NamedTuple

import numpy as np

from zeroth_q.errors import ConfigError


class Spectrum(NamedTuple):
    """Frequencies ``base · (1..degree)``: what the reconstruction fits."""

    base: float
    degree: int

    @property
    def points(self) -> int:
        return 2 * self.degree + 1

    def shifts(self) -> np.ndarray:
        """The equidistant shifts :math:`t_\\mu`, ``μ = -M..M`` (index ``M`` is ``t = 0``)."""
        mu = np.arange(-self.degree, self.degree + 1)
        return 2 * np.pi * mu / (self.points * self.base)


def spectrum(frequencies: tuple[float, ...], parameter: int) -> Spectrum:
    """The base frequency and degree covering ``frequencies`` (commensurate, denominators up to 1000)."""
    try:
        return _spectrum(tuple(frequencies))
    except ConfigError as error:
        raise ConfigError(f"parameter {parameter} {error}") from None


@cache
def _spectrum(frequencies: tuple[float, ...]) -> Spectrum:
    fractions = [Fraction(float(f)).limit_denominator(1000) for f in frequencies]
    if not fractions or any(
        f <= 0 or abs(float(f) - w) > 1e-9 * w for f, w in zip(fractions, frequencies, strict=True)
    ):
        raise ConfigError(
            f"has frequencies {frequencies}: Rotosolve/NFT need positive frequencies "
            "that are rational multiples of one another (e.g. (0.5, 1.0)); use a method that only "
            "evaluates (SPSA, CMA-ES)."
        )
    denominator = np.lcm.reduce([f.denominator for f in fractions])
    numerators = [int(f * denominator) for f in fractions]
    base = Fraction(int(np.gcd.reduce(numerators)), int(denominator))
    return Spectrum(float(base), int(max(fractions) / base))


class TrigPolynomial(NamedTuple):
    """:math:`g(t) = a_0 + \\sum_k a_k\\cos(k\\omega_0 t) + b_k\\sin(k\\omega_0 t)`."""

    a0: float
    a: np.ndarray
    b: np.ndarray
    base: float

    def __call__(self, t: np.ndarray) -> np.ndarray:
        angles = np.multiply.outer(np.atleast_1d(t), np.arange(1, len(self.a) + 1) * self.base)
        return self.a0 + np.cos(angles) @ self.a + np.sin(angles) @ self.b

    def minimum(self) -> tuple[float, float]:
        r"""``(t, g(t))`` at the global minimum, t in ``(-π/ω0, π/ω0]`` (module docstring); for one
        frequency in closed form, :math:`\omega_0 t = \operatorname{atan2}(-b_1, -a_1)`,
        :math:`g = a_0 - \sqrt{a_1^2 + b_1^2}` (Ostaszewski et al., App. A)."""
        degree = len(self.a)
        if degree == 1:
            a, b = float(self.a[0]), float(self.b[0])
            amplitude = float(np.hypot(a, b))
            return (float(np.arctan2(-b, -a) / self.base) if amplitude else 0.0), self.a0 - amplitude
        k = np.arange(1, degree + 1)
        coefficients = np.zeros(2 * degree + 1, dtype=complex)  # by power of z, highest first
        coefficients[degree - k] = k * self.base / 2 * (self.b + 1j * self.a)
        coefficients[degree + k] = k * self.base / 2 * (self.b - 1j * self.a)
        roots = np.roots(coefficients) if np.any(coefficients) else np.zeros(0)
        candidates = np.concatenate([[0.0], np.angle(roots) / self.base])
        values = self(candidates)
        best = int(np.argmin(values))
        return float(candidates[best]), float(values[best])


def reconstruct(values: np.ndarray, spectrum: Spectrum) -> TrigPolynomial:
    """The trigonometric polynomial through ``values`` at ``spectrum.shifts()`` (exact: a
    square, well-conditioned linear system)."""
    solution = _fit_matrix(spectrum) @ values
    degree = spectrum.degree
    return TrigPolynomial(float(solution[0]), solution[1 : degree + 1], solution[degree + 1 :], spectrum.base)


@cache
def _fit_matrix(spectrum: Spectrum) -> np.ndarray:
    """The inverse of the design matrix ``[1, cos(kω0 t_μ), sin(kω0 t_μ)]`` (computed once)."""
    t = spectrum.shifts()
    angles = np.outer(t, np.arange(1, spectrum.degree + 1) * spectrum.base)
    inverse = np.linalg.inv(np.hstack([np.ones((len(t), 1)), np.cos(angles), np.sin(angles)]))
    inverse.flags.writeable = False
    return inverse
