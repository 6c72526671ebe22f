"""Every named optimizer, run unchanged, solves an ill-conditioned quadratic."""

import json

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize
from scipy.optimize import rosen, rosen_der

from zeroth_q import (
    Budget,
    ConfigError,
    build_objective,
    get_optimizer,
    minimize,
    optimizer_names,
    scipy_method,
)
from zeroth_q.optimizers import optimizer_from_dict

# Hyper-parameters for a 20-D quadratic with condition number 100 (eigenvalues 1..100):
# the defaults suit circuits (angles in radians); these suit this problem's scale. SPSA's
# gain, calibrated from 25 directions, is steadier but on average smaller than a
# one-direction calibration's (E[1/m] > 1/E[m]): target_step 0.1 reaches 100x in 10 of 10
# seeds (final/start 0.10-0.48 %), 0.05 in 3 of 10.
SETTINGS = {
    "spsa": ({"target_step": 0.1, "stability": 50}, 3000),
    "zo-sgd": ({"lr": 0.004}, 1000),
    "zo-signsgd": ({"lr": 0.1, "schedule": "spall"}, 1000),
    "zo-adam": ({"lr": 0.05}, 1000),
    "zo-adamm": ({"lr": 0.05}, 1000),
    "fd-sgd": ({"lr": 0.015}, 500),
    "parameter-shift-sgd": ({"lr": 0.01}, 500),
    "parameter-shift-adam": ({"lr": 0.05}, 500),
    "backprop-sgd": ({"lr": 0.015}, 500),
    "backprop-adam": ({"lr": 0.05}, 500),
    "backprop-amsgrad": ({"lr": 0.05}, 500),
    "signsgd": ({"lr": 0.1, "schedule": "spall"}, 1000),
    "newton": ({}, 5),
    "bfgs": ({}, 50),
    "lbfgs": ({}, 50),
    "2spsa": ({}, 3000),
    # Shot-adaptive methods take parameter-shift steps, (π/2)·∇f on a quadratic, so the
    # step size must stay below 2/(L·π/2) with L = 100 (here without noise: 2 shots each).
    "icans": ({"lr": 0.012}, 500),
    "rosalin": ({"lr": 0.012}, 500),
    "gcans": ({"lr": 0.012}, 500),
    # Evaluation-only methods: a generation (CMA-ES) or one evaluation (scipy's) per step.
    "cmaes": ({}, 100),
    "powell": ({}, 1000),
    "nelder-mead": ({}, 9000),
    "cobyla": ({}, 400),
    "cobyqa": ({}, 200),
}
# QN-SPSA's curvature is the metric of a quantum state: it runs on circuit objectives only
# (tests/circuits); a quadratic has no state fidelity, nor rotation frequencies (Rotosolve, NFT).
# The natural gradient and K-FAC need a network's layer statistics (tests/classical/test_fisher_training.py).
NEEDS_A_CIRCUIT = {"qnspsa", "rotosolve", "nft"}
NEEDS_A_NETWORK = {"natural-gradient", "gauss-newton", "kfac"}


def test_every_registered_optimizer_is_covered():
    assert set(SETTINGS) | NEEDS_A_CIRCUIT | NEEDS_A_NETWORK == set(optimizer_names())


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_lowers_an_ill_conditioned_quadratic_100x(name):
    quadratic = build_objective("quadratic", {"dim": 20, "condition": 100.0})
    params, steps = SETTINGS[name]
    result = minimize(quadratic, name, Budget(steps=steps), optimizer_params=params, seed=1, metrics_every=0)
    start = quadratic.loss(quadratic.initial_point(None)[None, :])[0]
    assert result.status == "completed"
    assert result.metrics["exact_loss"] < start / 100


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_optimizer_config_round_trips_through_json(name):
    optimizer = get_optimizer(name, SETTINGS[name][0])
    assert optimizer_from_dict(json.loads(json.dumps(optimizer.to_dict()))) == optimizer


def test_estimator_and_rule_compose_freely():
    optimizer = get_optimizer("spsa", {"update": {"kind": "adam", "lr": 0.02}, "perturbations": 4})
    assert optimizer.update.kind == "adam" and optimizer.update.lr == 0.02
    assert optimizer.estimator.perturbations == 4
    with pytest.raises(ConfigError, match="unknown optimizer 'spsa' update kind 'adma'.*'adam'"):
        get_optimizer("spsa", {"update": {"kind": "adma"}})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"perturbations": 0}, "perturbations must be >= 1"),
        ({"lr": -1.0}, "lr must be > 0"),
        ({"pertubations": 5}, "Did you mean 'perturbations'"),
        ({"distribution": "uniform"}, "distribution must be one of"),
        ({"c": "big"}, "must be a number"),
    ],
)
def test_bad_optimizer_parameters_name_the_problem(params, message):
    with pytest.raises(ConfigError, match=message):
        get_optimizer("zo-adam", params)


def test_scipy_adapter_runs_a_named_optimizer_on_a_plain_function():
    x0 = np.array([-1.2, 1.0])
    res = scipy_minimize(
        rosen, x0, jac=rosen_der, method=scipy_method("backprop-adam", lr=0.02), options={"maxiter": 3000}
    )
    assert res.success and res.nit == 3000
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=2e-2)
    assert res.fun < 1e-3 < rosen(x0)

    seen = []
    res = scipy_minimize(
        lambda x: float(np.sum((x - 3.0) ** 2)),
        np.zeros(5),
        callback=seen.append,
        method=scipy_method("zo-adam", lr=0.05),
        options={"maxiter": 400, "maxfev": 3000},
    )
    assert res.nfev <= 3000 and res.nit == len(seen) < 400
    np.testing.assert_allclose(res.x, 3.0, atol=0.1)
