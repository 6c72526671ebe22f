"""Use any named optimizer as a ``scipy.optimize.minimize`` method.

scipy accepts a callable ``method`` and calls it as ``method(fun, x0, args=args, jac=jac,
hess=hess, hessp=hessp, bounds=bounds, constraints=constraints, callback=callback,
**options)``; it must return an ``OptimizeResult``::

    from scipy.optimize import minimize
    from zeroth_q import scipy_method
    res = minimize(rosen, x0, method=scipy_method("zo-adam", lr=0.01), options={"maxiter": 2000})

Options: ``maxiter`` (steps, default 1000), ``maxfev`` (function evaluations), ``seed``,
``disp`` (print the final message). ``jac`` (a callable, or ``True`` when ``fun`` returns
the value and the gradient) makes the ``backprop-*`` optimizers usable on plain functions.
What these optimizers cannot honour is refused with a :class:`~zeroth_q.errors.ConfigError`
rather than ignored: ``bounds``, ``constraints``, ``hess``/``hessp``, ``tol`` and any
other option.

``callback`` follows scipy's protocol (scipy >= 1.11): a callable whose only parameter is
named ``intermediate_result`` gets an ``OptimizeResult`` (``x``, ``fun``, ``nit``,
``nfev``) after every step, any other callable gets a copy of ``x``; raising
``StopIteration`` ends the run, reported as scipy does (``status`` 99, ``success`` False).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from zeroth_q.errors import ConfigError, did_you_mean
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import RunState
from zeroth_q.objectives.testfunctions import FunctionObjective
from zeroth_q.optimizers import get_optimizer

if TYPE_CHECKING:
    from scipy.optimize import OptimizeResult

OPTIONS = ("maxiter", "maxfev", "seed", "disp")


def _optimize_result(**fields: Any) -> OptimizeResult:
    """scipy's result type, imported on use: a caller of ``scipy_method`` has imported
    ``scipy.optimize`` already, and ``import zeroth_q`` should not pay its 0.9 s (issue 29)."""
    from scipy.optimize import OptimizeResult

    return OptimizeResult(**fields)


STOPPED_BY_CALLBACK = "`callback` raised `StopIteration`."  # scipy's own message and status 99


class ScipyCallback(Callback):
    """Calls scipy's ``callback`` after each step, in the signature it asks for."""

    def __init__(self, callback: Callable[..., Any]) -> None:
        self.callback = callback
        try:
            parameters = set(inspect.signature(callback).parameters)
        except (TypeError, ValueError):  # a builtin without a signature: scipy's legacy callback(x)
            parameters = set()
        self.wants_result = parameters == {"intermediate_result"}
        self.stopped = False

    def on_step(self, run: RunState) -> None:
        try:
            if self.wants_result:
                result = _optimize_result(
                    x=run.x.copy(), fun=run.history[-1]["loss"], nit=run.step, nfev=run.cost.evaluations
                )
                self.callback(intermediate_result=result)
            else:
                self.callback(run.x.copy())
        except StopIteration:
            self.stopped = True
            run.status, run.message = "completed", STOPPED_BY_CALLBACK


# scipy arguments these optimizers cannot honour, and what to do instead.
UNSUPPORTED = {
    "bounds": "zeroth-q optimizers are unconstrained; use method='L-BFGS-B' or 'Nelder-Mead', "
    "or map bounded parameters through a smooth transform (e.g. x = lo + (hi - lo) * sigmoid(y))",
    "constraints": "zeroth-q optimizers are unconstrained; use method='SLSQP', 'COBYQA' or "
    "'trust-constr', or add a penalty to fun",
    "hess": "the curvature comes from the optimizer itself (e.g. '2spsa', 'newton'); drop hess",
    "hessp": "the curvature comes from the optimizer itself (e.g. '2spsa', 'newton'); drop hessp",
    "tol": "a stochastic run has no convergence tolerance; bound it with options maxiter or maxfev, "
    "or stop it from a callback that raises StopIteration",
}


def refuse_unsupported(name: str, given: dict[str, Any]) -> None:
    """A ConfigError naming the first of ``given`` (scipy's arguments) that is set."""
    for key, value in given.items():
        if bool(value) if key == "constraints" else value is not None:
            raise ConfigError(f"scipy_method({name!r}) cannot honour {key}: {UNSUPPORTED[key]}.")


def scipy_method(name: str, **params: Any) -> Callable[..., OptimizeResult]:
    """A ``method=`` callable for ``scipy.optimize.minimize`` running optimizer ``name``."""
    optimizer = get_optimizer(name, params)

    def method(
        fun: Callable[..., Any],
        x0: np.ndarray,
        args: tuple = (),
        jac: Any = None,
        hess: Any = None,
        hessp: Any = None,
        bounds: Any = None,
        constraints: Any = (),
        callback: Callable[..., Any] | None = None,
        maxiter: int = 1000,
        maxfev: int | None = None,
        seed: int = 0,
        disp: bool = False,
        tol: float | None = None,
        **unknown: Any,
    ) -> OptimizeResult:
        given = {"bounds": bounds, "constraints": constraints, "hess": hess, "hessp": hessp, "tol": tol}
        refuse_unsupported(name, given)
        if unknown:
            key = sorted(unknown)[0]
            hint = did_you_mean(key, OPTIONS)
            raise ConfigError(f"unknown option {key!r} for scipy_method({name!r}).{hint}")
        objective = FunctionObjective(fun, x0, args, jac if callable(jac) else None)
        stopper = ScipyCallback(callback) if callback else None
        # The budget reserves the final evaluation of x within the ``maxfev``.
        result = minimize(
            objective,
            optimizer,
            Budget(steps=maxiter, evaluations=maxfev),
            callbacks=[stopper] if stopper else [],
            seed=seed,
            metrics_every=0,
            metrics_per_decade=0,
        )
        stopped = stopper is not None and stopper.stopped
        success = result.success and not stopped
        if disp:
            print(result.message)
        return _optimize_result(
            x=result.x,
            fun=result.fun,
            nit=result.nit,
            nfev=result.cost.evaluations,
            success=success,
            status=99 if stopped else (0 if success else 1),
            message=result.message,
        )

    return method
