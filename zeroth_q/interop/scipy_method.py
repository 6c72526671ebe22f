"""Use any named optimizer as a ``scipy.optimize.minimize`` method.

scipy accepts a callable ``method`` and calls it as ``method(fun, x0, args=args,
jac=jac, callback=callback, **options)``; it must return an ``OptimizeResult``::

    from scipy.optimize import minimize
    from zeroth_q import scipy_method
    res = minimize(rosen, x0, method=scipy_method("zo-adam", lr=0.01), options={"maxiter": 2000})

Options: ``maxiter`` (steps, default 1000), ``maxfev`` (function evaluations), ``seed``.
``jac`` (a callable) makes the ``backprop-*`` optimizers usable on plain functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult

from zeroth_q.loop.budget import Budget
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import RunState
from zeroth_q.objectives.testfunctions import FunctionObjective
from zeroth_q.optimizers import get_optimizer


class _ScipyCallback(Callback):
    """Calls scipy's ``callback(intermediate_result)`` after each step."""

    def __init__(self, callback: Callable[..., Any]) -> None:
        self.callback = callback

    def on_step(self, run: RunState) -> None:
        self.callback(OptimizeResult(x=run.x.copy(), fun=run.history[-1]["loss"]))


def scipy_method(name: str, **params: Any) -> Callable[..., OptimizeResult]:
    """A ``method=`` callable for ``scipy.optimize.minimize`` running optimizer ``name``."""
    optimizer = get_optimizer(name, params)

    def method(
        fun: Callable[..., float],
        x0: np.ndarray,
        args: tuple = (),
        jac: Any = None,
        callback: Callable[..., Any] | None = None,
        maxiter: int = 1000,
        maxfev: int | None = None,
        seed: int = 0,
        **unused: Any,
    ) -> OptimizeResult:
        objective = FunctionObjective(fun, x0, args, jac if callable(jac) else None)
        callbacks = [_ScipyCallback(callback)] if callback else []
        # The budget reserves the final evaluation of x within the ``maxfev``.
        result = minimize(
            objective,
            optimizer,
            Budget(steps=maxiter, evaluations=maxfev),
            callbacks=callbacks,
            seed=seed,
            metrics_every=0,
        )
        return OptimizeResult(
            x=result.x,
            fun=result.fun,
            nit=result.nit,
            nfev=result.cost.evaluations,
            success=result.success,
            status=0 if result.success else 1,
            message=result.message,
        )

    return method
