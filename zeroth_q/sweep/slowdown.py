r"""The zeroth-order slowdown: how many times more steps a ZO run needs than a first-order one.

One definition for every study (the classical notebooks use it and nothing else). With a
loss curve ``(t_i, L_i)`` per run (``t`` steps, or any cost that grows along the run) and one
absolute target loss ``L*`` common to both runs,

.. math:: t(L^*) = \text{the first } t \text{ at which } L(t) \le L^*,

linearly interpolated between the last recorded point above ``L*`` and the first at or below
it, and the slowdown is :math:`t_{ZO}(L^*) / t_{FO}(L^*)` (Chen et al. 2019, "ZO-AdaMM", count
iterations to a loss in the same way). The ratio is defined only when *both* runs reach
``L*`` after their start; otherwise :attr:`Slowdown.undefined` says why, so that a table can
report the case instead of dropping it. At a horizon ``H``, the target is the lowest loss the
ZO run recorded up to step ``H`` (:func:`target_at_horizon`): a level ZO reaches by
construction, so only the first-order run can fail to reach it.

The ZO-AdaMM paper's worst-case bound makes the slowdown at most :math:`O(\sqrt{d})` (``d``
parameters); :func:`power_law_fit` estimates the exponent :math:`\alpha` of
:math:`\text{slowdown} \propto d^\alpha` from measured ratios.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zeroth_q.config import require


@dataclass(frozen=True)
class Slowdown:
    """``ratio = t_zo / t_fo`` to reach ``target``; nan when ``undefined`` (the reason) is set."""

    target: float
    t_zo: float
    t_fo: float
    undefined: str | None = None

    @property
    def ratio(self) -> float:
        return float("nan") if self.undefined else self.t_zo / self.t_fo


def _curve(t: Sequence[float], loss: Sequence[float], name: str) -> tuple[np.ndarray, np.ndarray]:
    t_array, loss_array = np.asarray(t, dtype=float), np.asarray(loss, dtype=float)
    require(
        t_array.ndim == 1 and t_array.shape == loss_array.shape and t_array.size >= 1,
        f"the {name} curve needs one loss per time point (got {t_array.shape} times and "
        f"{loss_array.shape} losses); pass the history's step column and its loss column.",
    )
    require(
        bool(np.all(np.diff(t_array) > 0)),
        f"the {name} curve's times must increase strictly; sort the history by step and drop repeated rows.",
    )
    return t_array, loss_array


def time_to_target(t: Sequence[float], loss: Sequence[float], target: float) -> float:
    """The first time the curve is at or below ``target``, linearly interpolated between the
    points either side of the crossing; nan if it never is. A curve that starts at or below
    the target reaches it at its first time."""
    times, losses = _curve(t, loss, "loss")
    below = np.flatnonzero(losses <= target)  # nan losses (a diverged run) are never below
    if below.size == 0:
        return float("nan")
    i = int(below[0])
    if i == 0:
        return float(times[0])
    fraction = (losses[i - 1] - target) / (losses[i - 1] - losses[i])
    return float(times[i - 1] + fraction * (times[i] - times[i - 1]))


def target_at_horizon(t: Sequence[float], loss: Sequence[float], horizon: float) -> float:
    """The lowest loss the curve recorded at times up to ``horizon``: the ZO run's progress
    by then, as an absolute target for both runs."""
    times, losses = _curve(t, loss, "ZO")
    within = losses[times <= horizon]
    require(
        within.size > 0 and horizon > times[0],
        f"horizon {horizon:g} must lie after the curve's first time {times[0]:g}.",
    )
    return float(np.nanmin(within)) if np.any(np.isfinite(within)) else float("nan")


def slowdown(
    zo: tuple[Sequence[float], Sequence[float]],
    fo: tuple[Sequence[float], Sequence[float]],
    target: float,
) -> Slowdown:
    """``t_ZO(target) / t_FO(target)`` for two ``(times, losses)`` curves, or the reason it is
    undefined: a run that never reaches the target within its records, or a target at or
    above a run's starting loss (no progress to time)."""
    (t_zo, loss_zo), (t_fo, loss_fo) = _curve(*zo, "ZO"), _curve(*fo, "FO")
    reached_zo, reached_fo = time_to_target(t_zo, loss_zo, target), time_to_target(t_fo, loss_fo, target)
    reasons = []
    for name, t, loss, reached in (("ZO", t_zo, loss_zo, reached_zo), ("FO", t_fo, loss_fo, reached_fo)):
        if math.isnan(reached):
            reasons.append(f"{name} never reached {target:.4g} in {t[-1]:g} (lowest {np.nanmin(loss):.4g})")
        elif loss[0] <= target:
            reasons.append(f"{name} started at or below {target:.4g}")
    return Slowdown(target, reached_zo, reached_fo, "; ".join(reasons) or None)


@dataclass(frozen=True)
class PowerLaw:
    """``y ≈ exp(log_c) x^alpha`` by least squares on logs; ``se`` is alpha's standard error
    (nan with fewer than three points)."""

    alpha: float
    se: float
    log_c: float
    points: int


def power_law_fit(x: Sequence[float], y: Sequence[float]) -> PowerLaw:
    r"""Least squares :math:`\log y = \alpha \log x + \log c` over the finite pairs, with
    :math:`SE(\alpha) = \sqrt{s^2 / \sum (\log x - \overline{\log x})^2}` and :math:`s^2` the
    residual variance on ``n - 2`` degrees of freedom."""
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    keep = np.isfinite(lx) & np.isfinite(ly)
    lx, ly = lx[keep], ly[keep]
    require(
        lx.size >= 2 and np.ptp(lx) > 0,
        f"a power law needs positive y at two or more distinct x (got {lx.size} usable points).",
    )
    alpha, log_c = np.polyfit(lx, ly, 1)
    residual = ly - (alpha * lx + log_c)
    dof = lx.size - 2
    se = math.sqrt(residual @ residual / dof / np.sum((lx - lx.mean()) ** 2)) if dof > 0 else float("nan")
    return PowerLaw(float(alpha), se, float(log_c), int(lx.size))
