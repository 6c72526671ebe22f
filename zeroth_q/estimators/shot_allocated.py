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
:math:`\frac{1}{s}\sum_g n_g (\bar o_{g+} - \bar o_{g-})/(2p_g)` is unbiased for every total
``s`` because :math:`E[n_g] = s p_g`. The same draw of groups serves both shifted circuits of a
component (as in PennyLane's ``ShotAdaptiveOptimizer``): each single-shot gradient sample then
differences ONE term at :math:`\theta \pm \tfrac{\pi}{2}e_i`, so the spread between the terms'
values (large: :math:`c_g\langle P_g\rangle/p_g` varies across terms) cancels instead of adding
to the variance (common random numbers, as everywhere in this library). ``S_i`` is the pooled
sample variance of the ``s`` paired samples :math:`(o_{g+} - o_{g-})/(2p_g)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from zeroth_q.estimators.shift_rules import ShiftedPoints, pauli_frequencies, stated_frequencies
from zeroth_q.estimators.shift_rules import shifted_points as general_shifted_points
from zeroth_q.objective import Cost, ShotEvaluation, SupportsShots

HALF_PI = float(np.pi / 2)


class ShotGradient(NamedTuple):
    """gradient: (P,); variance: (P,) single-shot variance ``S_i`` of each component; cost."""

    gradient: np.ndarray
    variance: np.ndarray
    cost: Cost


def shifted_points(theta: np.ndarray, frequencies: Sequence[Sequence[float]] | None = None) -> np.ndarray:
    """The rows θ + x_μ e_i (first half) and θ − x_μ e_i (second half) of the shift rule for
    ``frequencies`` (default ``(1.0,)`` each: θ ± π/2 e_i, 2P rows)."""
    return general_shifted_points(theta, frequencies or pauli_frequencies(theta.size), HALF_PI).points


def sampled_terms_gradient(
    evaluation: ShotEvaluation, counts: np.ndarray, probabilities: np.ndarray, shifted: ShiftedPoints
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per component: the importance-weighted gradient and the pooled single-shot variance
    of the paired samples :math:`\sum_\mu (o_{g+\mu} - o_{g-\mu})/(d_\mu p_g)` (module docstring),
    from the per-group shot means and variances of the ``+`` rows (first half) and ``-`` rows
    (second half); ``counts`` (P, G) is the group draw shared by all rows of a component."""
    half = len(shifted.coordinates)
    means, variances = np.nan_to_num(evaluation.means), np.nan_to_num(evaluation.variances)
    pair_means = shifted.combine(means[:half] - means[half:]) / probabilities
    pair_variances = shifted.combine(variances[:half] + variances[half:], power=2) / probabilities**2
    total = counts.sum(axis=1)
    gradient = (counts * pair_means).sum(axis=1) / total
    squares = ((counts - 1).clip(0) * pair_variances + counts * pair_means**2).sum(axis=1)
    return gradient, (squares - total * gradient**2) / (total - 1)


def shot_parameter_shift(
    objective: SupportsShots,
    theta: np.ndarray,
    shots: np.ndarray,
    rng: np.random.Generator,
    term_sampling: bool = False,
) -> ShotGradient:
    """:math:`\\hat g` and ``S`` at ``theta`` with ``shots[i] >= 2`` shots on each circuit of
    component ``i`` (per group, or in total over sampled groups with ``term_sampling``), in
    one ``evaluate_shots`` call. Component ``i`` has ``2 R_i`` circuits, ``R_i`` the number of
    frequencies the objective states for it (:class:`~zeroth_q.objective.SupportsFrequencies`;
    1 otherwise); the general rule's weights enter both the gradient and ``S``."""
    dim = theta.size
    groups = objective.measurement_groups()
    shifted = general_shifted_points(theta, stated_frequencies(objective, dim), HALF_PI)
    rows = np.concatenate([shifted.coordinates, shifted.coordinates])  # component of each row
    if term_sampling:
        probabilities = groups.weights / groups.weights.sum()
        counts = rng.multinomial(shots.astype(np.int64), probabilities)  # (P, G), shared by ± and μ
        evaluation = objective.evaluate_shots(shifted.points, counts[rows], rng)
        gradient, variance = sampled_terms_gradient(evaluation, counts, probabilities, shifted)
    else:
        evaluation = objective.evaluate_shots(shifted.points, shots.astype(np.int64)[rows], rng)
        values, variances = evaluation.values, evaluation.variances.sum(axis=1)
        half = len(shifted.coordinates)
        gradient = shifted.gradient(values)
        variance = shifted.combine(variances[:half] + variances[half:], power=2)
    return ShotGradient(gradient, variance, evaluation.cost)


def shot_parameter_shift_cost(
    objective: SupportsShots, dim: int, shots: np.ndarray, term_sampling: bool = False
) -> Cost:
    """What :func:`shot_parameter_shift` with these ``shots`` will charge, stated before the call:
    ``2 R_i`` circuits per component and group, ``shots[i]`` shots each (in total over the groups
    with ``term_sampling``); circuits counted as if every group were measured (an upper bound
    under term sampling, where a group may draw no shot)."""
    groups = len(objective.measurement_groups().weights)
    circuits = np.array([2 * len(f) for f in stated_frequencies(objective, dim)])
    per_component = 1 if term_sampling else groups
    total = int((circuits * shots.astype(np.int64)).sum() * per_component)
    return Cost(evaluations=int(circuits.sum()), circuits=int(circuits.sum()) * groups, shots=total)
