"""zeroth-q: gradient estimation as a first-class quantity, for circuits and networks.

Public API::

    from zeroth_q import minimize, Budget, get_optimizer
    result = minimize(objective, "zo-adam", Budget(shots=10**6), optimizer_params={"perturbations": 10})

The core imports neither qiskit, pennylane nor the ``classical`` / ``circuits`` backends;
objectives are found by name through entry points (:mod:`zeroth_q.objectives.registry`),
estimators and update rules by ``kind`` (:func:`register_estimator`,
:func:`register_update_rule` add a user's own).
"""

from collections.abc import Mapping
from typing import Any

from zeroth_q.composition import ComposedOptimizer
from zeroth_q.errors import CapabilityError, ConfigError, ZerothQError
from zeroth_q.estimators import (
    AnalyticGradient,
    CoordinateGradient,
    GradientEstimate,
    GradientEstimator,
    SPSAGradient,
    register_estimator,
)
from zeroth_q.interop.scipy_method import scipy_method
from zeroth_q.loop import minimize as _loop
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.callbacks import Callback, ProgressBar, Terminate
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import (
    Allowance,
    Cost,
    Evaluation,
    GradientEvaluation,
    MeasuredGroups,
    Objective,
    ShotEvaluation,
    SupportsCostModel,
    SupportsGradient,
    SupportsMetrics,
    SupportsShots,
    SupportsState,
    check_thetas,
)
from zeroth_q.objectives.registry import ObjectiveSpec, build_objective, get_objective_spec, objective_names
from zeroth_q.optimizer import Optimizer
from zeroth_q.optimizers import get_optimizer, optimizer_names
from zeroth_q.runs.config import RunConfig
from zeroth_q.updates import UpdateRule, register_update_rule


def minimize(
    objective: Objective,
    optimizer: Optimizer | str,
    budget: Budget | None = None,
    *,
    optimizer_params: Mapping[str, Any] | None = None,
    **options: Any,
) -> Result:
    """:func:`zeroth_q.loop.minimize.minimize`, with ``optimizer`` also given by name.

    A name (``"spsa"``, ``"zo-adam"`` ...) is resolved in the catalogue with
    ``optimizer_params`` overriding its defaults; ``options`` go to the loop unchanged.
    """
    if isinstance(optimizer, str):
        optimizer = get_optimizer(optimizer, optimizer_params)
    elif optimizer_params:
        optimizer = optimizer.with_params(optimizer_params)  # type: ignore[attr-defined]
    return _loop.minimize(objective, optimizer, budget, **options)


__all__ = [
    "Allowance",
    "AnalyticGradient",
    "Budget",
    "Callback",
    "CapabilityError",
    "ComposedOptimizer",
    "ConfigError",
    "CoordinateGradient",
    "Cost",
    "Evaluation",
    "GradientEstimate",
    "GradientEstimator",
    "GradientEvaluation",
    "MeasuredGroups",
    "Objective",
    "ObjectiveSpec",
    "Optimizer",
    "ProgressBar",
    "Result",
    "RunConfig",
    "RunState",
    "SPSAGradient",
    "SupportsCostModel",
    "ShotEvaluation",
    "SupportsGradient",
    "SupportsMetrics",
    "SupportsShots",
    "SupportsState",
    "UpdateRule",
    "Terminate",
    "ZerothQError",
    "build_objective",
    "check_thetas",
    "get_objective_spec",
    "get_optimizer",
    "minimize",
    "objective_names",
    "optimizer_names",
    "register_estimator",
    "register_update_rule",
    "scipy_method",
]
