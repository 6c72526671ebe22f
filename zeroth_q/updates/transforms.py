r"""Update rules as pure ``init`` / ``update`` pairs over NumPy arrays (after optax).

A :class:`GradientTransformation` turns a gradient estimate into a parameter update:
``state = t.init(params)``; ``updates, state = t.update(grads, state, params)``;
``params = params + updates``. State is plain data (NamedTuples of arrays and ints), so
a checkpoint saves it leaf by leaf and a resumed run continues bit for bit.

Small pieces compose with :func:`chain`; e.g. Adam is
``chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(schedule))``.

A transform that sees more than the gradient is a :class:`GradientTransformationExtraArgs`, as
in optax: its ``update`` also takes keywords ``value`` (the loss at ``params``), ``value_fn``
(evaluates a batch of points, charged to the step) and ``rng`` (the run's generator). :func:`chain`
passes them to such transforms only: plain ones stay plain, and safeguards
(:mod:`zeroth_q.updates.safeguards`) compose with every rule.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

Schedule = Callable[[int], float]


class GradientTransformation(NamedTuple):
    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]


class GradientTransformationExtraArgs(GradientTransformation):
    """A transform whose ``update(grads, state, params, **extra_args)`` takes keyword
    arguments beside the gradient (optax's ``GradientTransformationExtraArgs``)."""


def chain(*transforms: GradientTransformation) -> GradientTransformationExtraArgs:
    """Apply ``transforms`` in order; the state is the tuple of their states. Extra keyword
    arguments reach the :class:`GradientTransformationExtraArgs` among them."""

    def init(params: np.ndarray) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(
        grads: np.ndarray, state: tuple, params: np.ndarray, **extra_args: Any
    ) -> tuple[np.ndarray, tuple]:
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            if isinstance(t, GradientTransformationExtraArgs):
                grads, s = t.update(grads, s, params, **extra_args)
            else:
                grads, s = t.update(grads, s, params)
            new_state.append(s)
        return grads, tuple(new_state)

    return GradientTransformationExtraArgs(init, update)


class EmptyState(NamedTuple):
    pass


def identity() -> GradientTransformation:
    return GradientTransformation(lambda params: EmptyState(), lambda g, s, p: (g, s))


def scale_by_sign() -> GradientTransformation:
    r"""``u = sign(g)``: signSGD (Bernstein et al. 2018); with a ZO estimate, ZO-signSGD
    (Liu et al. 2019), robust to the heavy-tailed noise of few-sample estimates."""
    return GradientTransformation(lambda params: EmptyState(), lambda g, s, p: (np.sign(g), s))


class TraceState(NamedTuple):
    velocity: np.ndarray


def trace(decay: float) -> GradientTransformation:
    r"""Heavy-ball momentum (Polyak 1964): :math:`v_k = \beta v_{k-1} + g_k`, ``u = v_k``."""

    def init(params: np.ndarray) -> TraceState:
        return TraceState(np.zeros_like(params, dtype=float))

    def update(g: np.ndarray, state: TraceState, params: np.ndarray) -> tuple[np.ndarray, TraceState]:
        velocity = decay * state.velocity + g
        return velocity, TraceState(velocity)

    return GradientTransformation(init, update)


class AdamState(NamedTuple):
    count: int
    mu: np.ndarray
    nu: np.ndarray
    nu_max: np.ndarray


def _scale_by_adaptive_moments(b1: float, b2: float, eps: float, amsgrad: bool) -> GradientTransformation:
    def init(params: np.ndarray) -> AdamState:
        zeros = np.zeros_like(params, dtype=float)
        return AdamState(0, zeros, zeros.copy(), zeros.copy())

    def update(g: np.ndarray, state: AdamState, params: np.ndarray) -> tuple[np.ndarray, AdamState]:
        # The formulas' operations in their order (so bit for bit the same values), on fresh
        # arrays updated in place: 7 temporaries of size P instead of 12 (40 -> 30 us at P = 7850).
        count = state.count + 1
        mu = state.mu * b1
        mu += (1 - b1) * g
        nu = state.nu * b2
        square = (1 - b2) * g
        square *= g
        nu += square
        mu_hat = mu / (1 - b1**count)
        nu_hat = nu / (1 - b2**count)
        nu_max = np.maximum(state.nu_max, nu_hat) if amsgrad else nu_hat
        denominator = np.sqrt(nu_max)
        denominator += eps
        mu_hat /= denominator
        return mu_hat, AdamState(count, mu, nu, nu_max)

    return GradientTransformation(init, update)


def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    r"""Adam's direction (Kingma & Ba 2015):

    .. math:: m_k = \beta_1 m_{k-1} + (1-\beta_1) g_k,\quad
              v_k = \beta_2 v_{k-1} + (1-\beta_2) g_k^2,\quad
              u_k = \frac{m_k/(1-\beta_1^k)}{\sqrt{v_k/(1-\beta_2^k)} + \epsilon}.
    """
    return _scale_by_adaptive_moments(b1, b2, eps, amsgrad=False)


def scale_by_amsgrad(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    r"""AMSGrad (Reddi et al. 2018): Adam with the running maximum of the bias-corrected
    second moment, :math:`\hat v_k = \max(\hat v_{k-1}, v_k/(1-\beta_2^k))`, in the
    denominator, so the effective step never grows. With a ZO gradient estimate this is
    ZO-AdaMM (Chen et al. 2019), whose convergence proof needs the max."""
    return _scale_by_adaptive_moments(b1, b2, eps, amsgrad=True)


class ScheduleState(NamedTuple):
    count: int


def scale_by_learning_rate(schedule: Schedule) -> GradientTransformation:
    r"""``u_k = -\eta_k u``: descent with step size ``schedule(k)``, ``k = 0, 1, ...``."""

    def update(g: np.ndarray, state: ScheduleState, params: np.ndarray) -> tuple[np.ndarray, ScheduleState]:
        return -schedule(state.count) * g, ScheduleState(state.count + 1)

    return GradientTransformation(lambda params: ScheduleState(0), update)


class CalibratedState(NamedTuple):
    count: int
    gain: float


# Spall's and qiskit-algorithms' first-step target per coordinate (qiskit's SPSA.calibrate,
# target_magnitude), kept up to this many parameters; beyond, the target falls as 1/P.
SPALL_TARGET_STEP = 2 * math.pi / 10
SPALL_TARGET_PARAMETERS = 10


def first_step_target(target_step: float | None, dim: int) -> float:
    r"""``target_step``, or where it is None the size-aware default
    :math:`\frac{2\pi}{10}\min(1, 10/P)`: Spall's 2π/10 per coordinate for up to 10 parameters
    (all of qiskit's and PennyLane's SPSA test problems), 2π/P beyond. A first step of 2π/10 on
    every one of P coordinates is a move of :math:`0.63\sqrt{P}` rad, which at P = 96 (TFIM
    n = 16, HEA) took the energy error from 6.05 to 10.8-15.9 in one step and left it at
    12.4-13.3 after 60 (3 seeds, exact energies); with 2π/P (0.065) the first step does not
    raise it and 60 steps end at 3.2-4.2 (issue 27 §5)."""
    if target_step is not None:
        return target_step
    return SPALL_TARGET_STEP * min(1.0, SPALL_TARGET_PARAMETERS / dim)


def calibrated_gain(target_step: float, first_decay: float, magnitude: float) -> float:
    r"""Spall's gain ``a`` for a first step of ``target_step`` per coordinate on average:

    .. math:: a = \frac{\text{target\_step}}{\mathrm{decay}(0)\;m},

    ``m`` the mean magnitude of a gradient estimate at the start (Spall 1998, "Implementation
    of the simultaneous perturbation algorithm for stochastic optimization", §III). A zero or
    non-finite ``m`` (a flat start, or a noise-free objective at its optimum) gives no usable
    ``a``: rather than a run that never moves, it warns and returns ``target_step``, as
    qiskit-algorithms' ``SPSA.calibrate`` does ("Calibration failed, using {target} for `a`").
    """
    gain = target_step / (first_decay * magnitude) if magnitude > 0 else float("nan")
    if np.isfinite(gain) and gain > 0:
        return gain
    warnings.warn(
        f"Calibration failed (the gradient estimates at the start have mean magnitude {magnitude:g}), "
        f"using {target_step:g} (target_step) for `a`; set lr to choose it yourself.",
        RuntimeWarning,
        stacklevel=3,
    )
    return target_step


def scale_by_calibrated_gain(
    target_step: float | None, decay: Callable[[int], float]
) -> GradientTransformation:
    r"""Descent with gain :math:`a \cdot \mathrm{decay}(k)`, ``a`` calibrated on the first
    gradient so that the first step moves each coordinate by ``target_step`` on average:
    :func:`calibrated_gain` with :math:`m = \overline{|\hat g_0|}`. The first step's own
    estimate is used, so calibration costs no evaluations. The SPSA optimizer by default
    calibrates from 25 extra directions instead, as qiskit-algorithms does
    (:mod:`zeroth_q.updates.safeguards`).
    """

    def update(
        g: np.ndarray, state: CalibratedState, params: np.ndarray
    ) -> tuple[np.ndarray, CalibratedState]:
        gain = state.gain
        if state.count == 0:
            target = first_step_target(target_step, params.size)
            gain = calibrated_gain(target, decay(0), float(np.mean(np.abs(g))))
        return -gain * decay(state.count) * g, CalibratedState(state.count + 1, gain)

    return GradientTransformation(lambda params: CalibratedState(0, 0.0), update)
