"""The budget rule: a step is taken only if its stated cost fits; what cannot fit is refused
up front; methods of variable or dense cost keep to what is left (the property over every
optimizer and objective is tests/test_budget_property.py)."""

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize
from scipy.optimize import rosen, rosen_der

from zeroth_q import Budget, ConfigError, build_objective, get_optimizer, minimize, scipy_method
from zeroth_q.objectives.testfunctions import FunctionObjective
from zeroth_q.updates.rules import SGD


def noisy_quadratic(**params):
    return build_objective("quadratic", {"dim": 8, "noise": 1.0, "shots": 100, **params})


def test_the_final_evaluation_is_reserved_inside_the_budget():
    # zo-adam with T=3: 6 rows = 600 shots a step; the final evaluation is 100 shots.
    result = minimize(
        noisy_quadratic(), "zo-adam", Budget(shots=6_000), optimizer_params={"perturbations": 3}
    )
    assert result.nit == 9 and result.cost.shots == 9 * 600 + 100 <= 6_000
    assert result.final_cost.shots == 100
    assert result.message == (
        "shots budget of 6,000 reached after 9 steps: 600 left (100 of them for the final evaluation), "
        "the next step costs 600"
    )


def test_a_first_step_that_does_not_fit_is_refused_before_anything_runs():
    with pytest.raises(
        ConfigError, match=r"one fd-sgd step costs 1,700 shots \(and the final evaluation 100\)"
    ):
        minimize(noisy_quadratic(), "fd-sgd", Budget(shots=1_000))


@pytest.mark.parametrize(
    ("objective", "budget", "unit"),
    [
        (("quadratic", {}), Budget(shots=1000), "shots"),
        (("rosenbrock", {}), Budget(circuits=10, steps=5), "circuits"),
        (("quadratic", {"shots": 10}), Budget(examples=10), "examples"),
    ],
)
def test_a_budget_in_a_unit_the_objective_never_spends_is_refused(objective, budget, unit):
    with pytest.raises(ConfigError, match=f"spends no {unit} .* would never end the run"):
        minimize(build_objective(*objective), "spsa", budget)


@pytest.mark.parametrize("name", ["bfgs", "lbfgs"])
@pytest.mark.parametrize("evaluations", [4, 7, 20, 41])
def test_line_searches_stop_at_the_budget_and_still_descend(name, evaluations):
    rosenbrock = build_objective("rosenbrock", {"dim": 4})
    result = minimize(rosenbrock, name, Budget(evaluations=evaluations))
    assert result.cost.evaluations <= evaluations
    assert result.cost.evaluations >= evaluations - 2  # stops only when not even a probe fits
    assert result.fun <= rosenbrock.loss(rosenbrock.initial_point(None)[None, :])[0]


def test_scipy_maxfev_counts_the_final_evaluation():
    result = scipy_minimize(
        rosen, np.zeros(3), jac=rosen_der, method=scipy_method("bfgs"), options={"maxfev": 25}
    )
    assert result.nfev <= 25


class WithoutStepCost:
    """An optimizer written to the protocol before step_cost and allowance existed."""

    name = "without-step-cost"

    def __init__(self):
        self.inner = get_optimizer("zo-adam")

    def init(self, x):
        return self.inner.init(x)

    def step(self, objective, x, state, step, rng):
        return self.inner.step(objective, x, state, step, rng)


def test_an_optimizer_without_step_cost_runs_on_steps_and_is_refused_a_cost_budget():
    assert minimize(noisy_quadratic(), WithoutStepCost(), Budget(steps=3)).nit == 3
    with pytest.raises(
        ConfigError, match="'without-step-cost' cannot keep a budget in shots: it needs step_cost"
    ):
        minimize(noisy_quadratic(), WithoutStepCost(), Budget(shots=10_000))


def test_budget_values_must_be_integers():
    for bad in (1.5, "5", True):
        with pytest.raises(ConfigError, match="budget steps must be an integer"):
            Budget(steps=bad)


def huge_function_objective():
    """10^6 parameters: 8 MB as a vector, terabytes as a dense matrix or a coordinate batch."""
    return FunctionObjective(lambda x: float(x @ x), np.zeros(10**6), jac=lambda x: 2 * x)


@pytest.mark.parametrize(
    ("optimizer", "message"),
    [
        (
            "fd-sgd",
            r"fd-sgd evaluates 2,000,001 points of 1,000,000 parameters at once, which needs about [\d.]+ TB",
        ),
        ("parameter-shift-adam", r"use an SPSA estimator instead"),
        ("newton", r"newton's 1,000,000 x 1,000,000 Hessian \(and its factor\) needs about [\d.]+ TB"),
        ("2spsa", r"estimator keeps 1,000,000 x 1,000,000 curvature matrices, which needs about [\d.]+ TB"),
    ],
)
def test_dense_methods_refuse_sizes_that_cannot_fit_in_memory(optimizer, message):
    with pytest.raises(ConfigError, match=message):
        minimize(huge_function_objective(), optimizer, Budget(steps=1))


class NanHessian(FunctionObjective):
    """A quadratic whose Hessian is NaN, as a Hessian overflows far from the optimum."""

    def hessian(self, theta):
        return np.full((self.dim, self.dim), np.nan)


@pytest.mark.timeout(30)
def test_a_nan_hessian_ends_the_run_as_diverged():
    objective = NanHessian(lambda x: float(x @ x), np.ones(3), jac=lambda x: 2 * x)
    result = minimize(objective, "newton", Budget(steps=5))
    assert result.status == "diverged" and result.nit == 0


def test_a_failed_spsa_calibration_warns_and_falls_back_to_target_step():
    transform = SGD(lr=None, schedule="spall", target_step=0.2).transform()
    state = transform.init(np.zeros(2))
    with pytest.warns(RuntimeWarning, match="Calibration failed .* using 0.2 .* for `a`"):
        updates, state = transform.update(np.zeros(2), state, np.zeros(2))
    updates, state = transform.update(np.ones(2), state, np.zeros(2))
    np.testing.assert_allclose(updates, -0.2 / 2**0.602)
