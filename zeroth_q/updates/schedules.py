r"""Step-size schedules ``k -> eta_k`` (``k = 0, 1, ...``)."""

from __future__ import annotations

from zeroth_q.updates.transforms import Schedule


def constant(value: float) -> Schedule:
    return lambda k: value


def spall_gain(a: float, stability: float = 0.0, alpha: float = 0.602) -> Schedule:
    r"""Spall's gain sequence :math:`a_k = a / (k + 1 + A)^\alpha` (Spall 1998).

    ``alpha = 0.602`` and the perturbation exponent ``gamma = 0.101`` are Spall's practical
    choices (the asymptotically optimal 1 and 1/6 decay too fast in finite runs);
    the stability constant ``A`` (≈ 10 % of the planned iterations) damps the early steps.
    """
    return lambda k: a / (k + 1 + stability) ** alpha


def linear_warmup(schedule: Schedule, steps: int) -> Schedule:
    r""":math:`\eta_k \min(1, (k + 1)/W)`: ``schedule`` ramped up linearly over its first ``W = steps``
    steps (Goyal et al. 2017, "Accurate, large minibatch SGD"), then unchanged."""
    return lambda k: schedule(k) * min(1.0, (k + 1) / steps)
