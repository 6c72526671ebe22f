"""Gradient estimators: backprop, parameter-shift and SPSA as one abstraction.

An estimator is a frozen dataclass (its own configuration) called as
``estimator(objective, theta, step, rng) -> GradientEstimate``. Each issues exactly ONE
``objective.evaluate`` call per gradient (or one ``objective.gradient`` call), so that
all perturbed points share one random draw (common random numbers) and a circuit
backend sees one batched job.

The estimate also carries ``loss``, an estimate of ``f(theta)`` on the same draw, free of
extra cost where possible: it is what the history records at each step. ``rows(dim)`` is
the number of points of that call and ``cost(objective, dim, step)`` what it will charge,
from the objective's cost model, before it is made (the budget rule).
"""

from zeroth_q.estimators.analytic import AnalyticGradient
from zeroth_q.estimators.base import GradientEstimate, require_batch_memory
from zeroth_q.estimators.coordinate import CoordinateGradient
from zeroth_q.estimators.spsa import SPSAGradient

GradientEstimator = SPSAGradient | CoordinateGradient | AnalyticGradient
ESTIMATORS: dict[str, type] = {cls.kind: cls for cls in (SPSAGradient, CoordinateGradient, AnalyticGradient)}

__all__ = [
    "ESTIMATORS",
    "AnalyticGradient",
    "CoordinateGradient",
    "GradientEstimate",
    "GradientEstimator",
    "SPSAGradient",
    "require_batch_memory",
]
