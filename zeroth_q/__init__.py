"""zeroth-q: gradient estimation as a first-class quantity, for circuits and networks.

Public API::

    from zeroth_q import minimize, Budget, get_optimizer
    result = minimize(objective, "zo-adam", Budget(shots=10**6), optimizer_params={"perturbations": 10})

The core imports neither qiskit, pennylane nor the ``classical`` / ``circuits`` backends;
objectives are found by name through entry points (:mod:`zeroth_q.objectives.registry`),
estimators and update rules by ``kind`` (:func:`register_estimator`,
:func:`register_update_rule` add a user's own).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeroth_q.loop.budget import Budget
    from zeroth_q.loop.result import Result
    from zeroth_q.objective import Objective
    from zeroth_q.optimizer import Optimizer

# Where each public name lives. Importing ``zeroth_q`` loads none of them until one is
# used (PEP 562 ``__getattr__``): ``python -m zeroth_q.run`` imports this package before
# its own code runs, and a Ctrl-C during seconds of eager imports here would end in a
# traceback that no handler of the tool can catch.
_EXPORTS = {
    "Allowance": "zeroth_q.objective",
    "AnalyticGradient": "zeroth_q.estimators",
    "Budget": "zeroth_q.loop.budget",
    "Callback": "zeroth_q.loop.callbacks",
    "CapabilityError": "zeroth_q.errors",
    "ComposedOptimizer": "zeroth_q.composition",
    "ConfigError": "zeroth_q.errors",
    "CoordinateGradient": "zeroth_q.estimators",
    "Cost": "zeroth_q.objective",
    "Evaluation": "zeroth_q.objective",
    "GradientEstimate": "zeroth_q.estimators",
    "GradientEstimator": "zeroth_q.estimators",
    "GradientEvaluation": "zeroth_q.objective",
    "MeasuredGroups": "zeroth_q.objective",
    "Objective": "zeroth_q.objective",
    "ObjectiveSpec": "zeroth_q.objectives.registry",
    "Optimizer": "zeroth_q.optimizer",
    "ProgressBar": "zeroth_q.loop.callbacks",
    "Result": "zeroth_q.loop.result",
    "RunConfig": "zeroth_q.runs.config",
    "RunState": "zeroth_q.loop.result",
    "SPSAGradient": "zeroth_q.estimators",
    "ShotEvaluation": "zeroth_q.objective",
    "SupportsCostModel": "zeroth_q.objective",
    "SupportsGradient": "zeroth_q.objective",
    "SupportsMetrics": "zeroth_q.objective",
    "SupportsRunningMetrics": "zeroth_q.objective",
    "SupportsShots": "zeroth_q.objective",
    "SupportsState": "zeroth_q.objective",
    "Terminate": "zeroth_q.loop.callbacks",
    "UpdateRule": "zeroth_q.updates",
    "ZerothQError": "zeroth_q.errors",
    "build_objective": "zeroth_q.objectives.registry",
    "check_thetas": "zeroth_q.objective",
    "get_objective_spec": "zeroth_q.objectives.registry",
    "get_optimizer": "zeroth_q.optimizers",
    "objective_names": "zeroth_q.objectives.registry",
    "optimizer_names": "zeroth_q.optimizers",
    "register_estimator": "zeroth_q.estimators",
    "register_update_rule": "zeroth_q.updates",
    "scipy_method": "zeroth_q.interop.scipy_method",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'zeroth_q' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


def minimize(
    objective: Objective,
    optimizer: Optimizer | str,
    budget: Budget | None = None,
    *,
    optimizer_params: Mapping[str, Any] | None = None,
    **options: Any,
) -> Result:
    """Minimise ``objective`` with ``optimizer`` until ``budget`` is spent; the one entry point.

    objective: anything with the :class:`~zeroth_q.objective.Objective` protocol (e.g.
        :func:`build_objective`), its optional capabilities discovered, never assumed.
    optimizer: a name from the catalogue (``"spsa"``, ``"zo-adam"``, ...:
        :func:`optimizer_names`), resolved with ``optimizer_params`` overriding its
        defaults, or an optimizer object (:func:`get_optimizer`).
    budget: a :class:`~zeroth_q.loop.budget.Budget` (default 100 steps), never overspent:
        each step's cost is stated before it is taken and the final evaluation is reserved.
    options: go unchanged to the loop, :func:`zeroth_q.loop.minimize.minimize`: ``seed``
        (every random draw of the run comes from it), ``callbacks``
        (:class:`~zeroth_q.loop.callbacks.ProgressBar`, :class:`~zeroth_q.loop.callbacks.Terminate`),
        ``x0``, ``metrics_every``, ``metrics_per_decade``, ``resume``.

    Returns a :class:`~zeroth_q.loop.result.Result`, shaped like scipy's ``OptimizeResult``.
    """
    from zeroth_q.loop import minimize as loop
    from zeroth_q.optimizers import get_optimizer

    if isinstance(optimizer, str):
        optimizer = get_optimizer(optimizer, optimizer_params)
    elif optimizer_params:
        optimizer = optimizer.with_params(optimizer_params)  # type: ignore[attr-defined]
    return loop.minimize(objective, optimizer, budget, **options)


__all__ = sorted([*_EXPORTS, "minimize"])
