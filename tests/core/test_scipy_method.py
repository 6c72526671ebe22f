"""``scipy_method``: what it cannot honour is refused, and callbacks follow scipy's protocol."""

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, OptimizeResult, minimize, rosen, rosen_der, rosen_hess

from zeroth_q import ConfigError, scipy_method


def sphere(x):
    return float(np.sum((x - 1.0) ** 2))


X0 = np.zeros(3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"bounds": [(-1, 1)] * 3}, "cannot honour bounds: .*L-BFGS-B"),
        ({"constraints": {"type": "ineq", "fun": lambda x: x[0]}}, "cannot honour constraints: .*SLSQP"),
        ({"constraints": [LinearConstraint(np.eye(3), 0, 1)]}, "cannot honour constraints"),
        ({"hess": rosen_hess}, "cannot honour hess: .*'newton'"),
        ({"hessp": lambda x, p: p}, "cannot honour hessp"),
        ({"tol": 1e-6}, "cannot honour tol: .*maxiter"),
        ({"options": {"maxiters": 10}}, "unknown option 'maxiters'.*Did you mean 'maxiter'"),
        ({"options": {"gtol": 1e-3}}, "unknown option 'gtol'.*Valid choices: disp, maxfev, maxiter, seed"),
    ],
)
def test_what_the_optimizer_cannot_honour_is_refused_by_name(arguments, message):
    with pytest.raises(ConfigError, match=message):
        minimize(sphere, X0, method=scipy_method("zo-adam"), **arguments)


def test_empty_constraints_and_jac_true_are_fine():
    def value_and_gradient(x):
        return rosen(x), rosen_der(x)

    res = minimize(
        value_and_gradient, X0, jac=True, constraints=(), method=scipy_method("backprop-adam", lr=0.02),
        options={"maxiter": 50},
    )  # fmt: skip
    assert res.success and res.nit == 50 and res.fun < rosen(X0)


def test_an_intermediate_result_callback_gets_optimize_results_and_can_stop_the_run():
    seen = []

    def callback(intermediate_result):
        seen.append(intermediate_result)
        if intermediate_result.nit == 7:
            raise StopIteration

    res = minimize(sphere, X0, method=scipy_method("zo-adam", lr=0.05), callback=callback)
    assert all(isinstance(r, OptimizeResult) for r in seen)
    assert [r.nit for r in seen] == list(range(1, 8)) and res.nit == 7
    assert seen[-1].nfev == 7 * 20 and np.isfinite(seen[-1].fun)
    assert (res.status, res.success, res.message) == (99, False, "`callback` raised `StopIteration`.")
    np.testing.assert_array_equal(res.x, seen[-1].x)


def test_a_legacy_callback_gets_a_copy_of_x_and_stop_iteration_works_there_too():
    points = []

    def callback(xk):
        points.append(xk)
        xk[:] = np.nan  # a copy: the run must not see this
        if len(points) == 3:
            raise StopIteration

    res = minimize(sphere, X0, method=scipy_method("zo-sgd"), callback=callback)
    assert len(points) == 3 and res.nit == 3 and res.status == 99
    assert np.all(np.isfinite(res.x))
