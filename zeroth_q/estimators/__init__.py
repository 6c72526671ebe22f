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

Estimators are registered by ``kind`` in :data:`ESTIMATORS`; a user's own estimator class
joins with :func:`register_estimator` and is then named in JSON configs like the built-in
ones.
"""

from zeroth_q.config import register_kind
from zeroth_q.estimators.analytic import AnalyticGradient
from zeroth_q.estimators.base import GradientEstimate, GradientEstimator, estimator_rows, require_batch_memory
from zeroth_q.estimators.coordinate import CoordinateGradient
from zeroth_q.estimators.curvature import CurvatureSPSAGradient
from zeroth_q.estimators.fisher import KFAC, NaturalGradient
from zeroth_q.estimators.shot_adaptive import ShotAdaptiveGradient
from zeroth_q.estimators.spsa import SPSAGradient

ESTIMATORS: dict[str, type] = {}


def register_estimator(cls: type) -> type:
    """Register a :class:`GradientEstimator` dataclass under its ``kind``; returns ``cls``, so
    it also works as a class decorator. Then ``{"estimator": {"kind": cls.kind, ...}}``
    builds it in any optimizer that has an estimator."""
    return register_kind(ESTIMATORS, cls, "estimator", ("kind", "requires", "rows", "cost", "__call__"))


for _builtin in (
    SPSAGradient,
    CoordinateGradient,
    AnalyticGradient,
    ShotAdaptiveGradient,
    CurvatureSPSAGradient,
    NaturalGradient,
    KFAC,
):
    register_estimator(_builtin)

__all__ = [
    "ESTIMATORS",
    "KFAC",
    "NaturalGradient",
    "AnalyticGradient",
    "CoordinateGradient",
    "CurvatureSPSAGradient",
    "GradientEstimate",
    "GradientEstimator",
    "SPSAGradient",
    "ShotAdaptiveGradient",
    "register_estimator",
    "estimator_rows",
    "require_batch_memory",
]
