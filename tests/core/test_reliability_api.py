"""The Python API's boundary (issue 28 §8): wrong types get an error saying what was expected,
NumPy scalars are the numbers they are."""

import json
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize

import zeroth_q
from zeroth_q import Budget, build_objective, get_optimizer, scipy_method
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.sweep import run_sweep

from .test_registries import ClippedSGD


@pytest.fixture(scope="module")
def quadratic():
    return build_objective("quadratic", {"dim": 3})


@pytest.mark.parametrize("budget", [5, {"steps": 5}, "5"], ids=["int", "dict", "str"])
def test_a_budget_that_is_not_a_budget_is_refused_naming_the_type(quadratic, budget):
    with pytest.raises(ConfigError, match=r"budget must be a zeroth_q\.Budget .*Budget\(steps=5\)"):
        zeroth_q.minimize(quadratic, "spsa", budget)


def test_an_objective_given_by_name_is_refused_pointing_to_build_objective():
    with pytest.raises(ConfigError, match=r"build_objective\('quadratic'"):
        zeroth_q.minimize("quadratic", "spsa", Budget(steps=3))


@pytest.mark.parametrize("objective", [None, 3.0, np.zeros(3)], ids=["None", "float", "array"])
def test_a_non_objective_is_refused_naming_the_protocol(objective):
    with pytest.raises(
        ConfigError, match=r"objective must be an Objective \(dim, initial_point, evaluate; .* got "
    ):
        zeroth_q.minimize(objective, "spsa", Budget(steps=3))


@pytest.mark.parametrize("name", [None, 3, ["spsa"]])
def test_an_optimizer_name_that_is_not_a_string_is_refused(name):
    with pytest.raises(ConfigError, match=r"optimizer must be given by name \(a string\)"):
        get_optimizer(name)


def test_an_optimizer_that_is_neither_a_name_nor_an_optimizer_is_refused(quadratic):
    with pytest.raises(ConfigError, match=r"optimizer must be a name .* or an Optimizer"):
        zeroth_q.minimize(quadratic, object(), Budget(steps=3))


def test_a_callback_without_the_hooks_is_refused_naming_it(quadratic):
    with pytest.raises(ConfigError, match=r"callbacks\[1\] \(object\) .* subclass zeroth_q\.Callback"):
        zeroth_q.minimize(quadratic, "spsa", Budget(steps=3), callbacks=[zeroth_q.Callback(), object()])


def test_an_executor_that_is_not_an_executor_is_refused_before_any_file(tmp_path):
    grid = {
        "base": {"objective": {"name": "quadratic", "dim": 2}, "budget": {"steps": 2}},
        "axes": {"seed": [0]},
    }
    with pytest.raises(ConfigError, match=r"executor must be a concurrent\.futures\.Executor"):
        run_sweep(grid, tmp_path / "sweep", executor=object(), progress=False)
    assert not (tmp_path / "sweep").exists()


@pytest.mark.parametrize(
    ("fun", "got"),
    [(lambda x: x**2, r"an array of shape \(2,\)"), (lambda x: "small", "str")],
    ids=["vector", "string"],
)
def test_a_scipy_function_that_does_not_return_one_number_is_refused(fun, got):
    with pytest.raises(ZerothQError, match=rf"fun must return one real number .* got {got}"):
        scipy_minimize(fun, np.ones(2), method=scipy_method("spsa"), options={"maxiter": 3})


def test_numpy_integers_are_integers_in_a_budget():
    budget = Budget(steps=np.int64(5), evaluations=np.int32(100), seconds=np.float32(2.5))
    assert budget == Budget(steps=5, evaluations=100, seconds=2.5)
    assert type(budget.steps) is int


def test_a_user_rule_holding_numpy_scalars_writes_plain_json(quadratic):
    optimizer = replace(get_optimizer("zo-sgd"), update=ClippedSGD(lr=np.float32(0.5), clip=np.float64(1.0)))
    data = json.loads(json.dumps(optimizer.to_dict()))
    assert data["update"] == {"kind": "test-clipped-sgd", "lr": 0.5, "clip": 1.0}
