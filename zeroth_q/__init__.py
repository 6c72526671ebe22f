"""zeroth-q: gradient estimation as a first-class quantity, for circuits and networks.

Public API::

    from zeroth_q import minimize, Budget, get_optimizer
    result = minimize(objective, "zo-adam", Budget(shots=10**6), optimizer_params={"perturbations": 10})

The core imports neither qiskit, pennylane nor the ``classical`` / ``circuits`` backends;
objectives are found by name through entry points (:mod:`zeroth_q.registry`).
"""

from zeroth_q.budget import Budget
from zeroth_q.callbacks import Callback, ProgressBar
from zeroth_q.errors import CapabilityError, ConfigError, ZerothQError
from zeroth_q.estimators import AnalyticGradient, CoordinateGradient, GradientEstimate, SPSAGradient
from zeroth_q.minimize import minimize
from zeroth_q.objective import (
    Cost,
    Evaluation,
    GradientEvaluation,
    Objective,
    SupportsGradient,
    SupportsMetrics,
    SupportsState,
    check_thetas,
)
from zeroth_q.optimizers import ComposedOptimizer, Optimizer, get_optimizer, optimizer_names
from zeroth_q.registry import ObjectiveSpec, build_objective, get_objective_spec, objective_names
from zeroth_q.result import Result, RunState
from zeroth_q.runconfig import RunConfig
from zeroth_q.scipy_method import scipy_method

__all__ = [
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
    "GradientEvaluation",
    "Objective",
    "ObjectiveSpec",
    "Optimizer",
    "ProgressBar",
    "Result",
    "RunConfig",
    "RunState",
    "SPSAGradient",
    "SupportsGradient",
    "SupportsMetrics",
    "SupportsState",
    "ZerothQError",
    "build_objective",
    "check_thetas",
    "get_objective_spec",
    "get_optimizer",
    "minimize",
    "objective_names",
    "optimizer_names",
    "scipy_method",
]
