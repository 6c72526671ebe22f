r"""Parameter-shift gradients with a chosen number of shots per component, and their variance.

Shot-adaptive optimizers (iCANS, Rosalin, gCANS) decide before each step how many shots
``s_i`` each partial derivative gets, and need, besides the gradient, the variance of ONE
shot's contribution to it. With the shift π/2 (exact for Pauli rotations, Mitarai et al.
2018; Schuld et al. 2019) the single-shot sample of :math:`\partial_i f` is
:math:`(o_+ - o_-)/2` for independent shots :math:`o_\pm` at :math:`\theta \pm \tfrac{\pi}{2} e_i`,
so with :math:`s_i` shots on each shifted circuit

.. math:: \hat g_i = \tfrac12(\bar o_+ - \bar o_-),\qquad
          S_i = \tfrac14\,(\hat V_+ + \hat V_-),\qquad \operatorname{Var}\hat g_i = S_i/s_i,

where :math:`\hat V_\pm` are the single-shot sample variances (Kübler et al., Quantum 4, 263
(2020), ``iEvaluate``). A "shot" of a loss measured in ``G`` groups is one shot of every group
(its variance is the sum of the groups'), unless ``term_sampling`` is on.

Weighted random sampling (Rosalin; Arrasmith et al., arXiv:2004.06252, §III): each of the
``s_i`` shots measures ONE group ``g``, drawn with probability :math:`p_g = w_g/\sum w`, and
contributes :math:`o_g/p_g`. The group counts are Multinomial(:math:`s_i, p`) and the estimate
:math:`\text{offset} + \frac{1}{s}\sum_g n_g \bar o_g/p_g` is unbiased for every total ``s``
because :math:`E[n_g] = s p_g`; its single-shot variance is the pooled sample variance of the
``s`` values :math:`o_g/p_g`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from zeroth_q.objective import Cost, ShotEvaluation, SupportsShots

HALF_PI = float(np.pi / 2)


class ShotGradient(NamedTuple):
    """gradient: (P,); variance: (P,) single-shot variance ``S_i`` of each component; cost."""

    gradient: np.ndarray
    variance: np.ndarray
    cost: Cost


def shifted_points(theta: np.ndarray) -> np.ndarray:
    """The 2P rows θ + π/2 e_i (first P) and θ − π/2 e_i (last P)."""
    offsets = HALF_PI * np.eye(theta.size)
    return np.concatenate([theta + offsets, theta - offsets])


def sampled_terms(
    evaluation: ShotEvaluation, counts: np.ndarray, probabilities: np.ndarray, offset: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the importance-weighted estimate and the pooled single-shot variance of the
    values :math:`o_g/p_g` (module docstring), from per-group shot means and variances."""
    total = counts.sum(axis=1)
    scaled_means = np.nan_to_num(evaluation.means) / probabilities
    scaled_variances = np.nan_to_num(evaluation.variances) / probabilities**2
    mean = (counts * scaled_means).sum(axis=1) / total
    squares = ((counts - 1).clip(0) * scaled_variances + counts * scaled_means**2).sum(axis=1)
    variance = (squares - total * mean**2) / (total - 1)
    return offset + mean, variance


def shot_parameter_shift(
    objective: SupportsShots,
    theta: np.ndarray,
    shots: np.ndarray,
    rng: np.random.Generator,
    term_sampling: bool = False,
) -> ShotGradient:
    """:math:`\\hat g` and ``S`` at ``theta`` with ``shots[i] >= 2`` shots on each circuit of
    component ``i`` (per group, or in total over sampled groups with ``term_sampling``), in
    one ``evaluate_shots`` call."""
    dim = theta.size
    per_row = np.concatenate([shots, shots]).astype(np.int64)
    groups = objective.measurement_groups()
    if term_sampling:
        probabilities = groups.weights / groups.weights.sum()
        counts = rng.multinomial(per_row, probabilities)
        evaluation = objective.evaluate_shots(shifted_points(theta), counts, rng)
        values, variances = sampled_terms(evaluation, counts, probabilities, groups.offset)
    else:
        evaluation = objective.evaluate_shots(shifted_points(theta), per_row, rng)
        values, variances = evaluation.values, evaluation.variances.sum(axis=1)
    gradient = (values[:dim] - values[dim:]) / 2
    variance = (variances[:dim] + variances[dim:]) / 4
    return ShotGradient(gradient, variance, evaluation.cost)
