"""Shots as an input (SupportsShots) on the noisy test functions: cost, shapes, statistics."""

import numpy as np
import pytest

from zeroth_q import ConfigError, get_optimizer
from zeroth_q.objective import Cost, SupportsShots
from zeroth_q.objectives.testfunctions import Quadratic, QuadraticConfig


def quadratic(**noise):
    return Quadratic(QuadraticConfig(dim=3, condition=10.0, **noise))


def test_cost_is_exactly_what_was_asked():
    objective = quadratic(noise=1.0, terms=(3.0, 1.0))
    rng = np.random.default_rng(0)
    thetas = np.zeros((3, 3))
    per_group = objective.evaluate_shots(thetas, np.array([[5, 0], [2, 7], [0, 0]]), rng)
    assert per_group.cost == Cost(evaluations=3, circuits=3, shots=14)
    per_row = objective.evaluate_shots(thetas, np.array([4, 1, 3]), rng)
    assert per_row.cost == Cost(evaluations=3, circuits=6, shots=16)
    assert np.isnan(per_group.values[[0, 2]]).all() and np.isfinite(per_group.values[1])
    assert np.isnan(per_group.variances[0, 1]) and np.isnan(per_row.variances[1]).all()


@pytest.mark.parametrize("shots", [np.array([1, 2]), np.array([[1, 2, 3]]), np.array([-1]), np.array([0.5])])
def test_bad_shots_name_the_fix(shots):
    with pytest.raises(ConfigError, match="shots"):
        quadratic(noise=1.0).evaluate_shots(np.zeros((1, 3)), shots, np.random.default_rng(0))


def test_term_means_and_single_shot_variances_are_unbiased():
    """Over many draws the group means average to w_g f and the ddof=1 variances to σ_g²."""
    objective = quadratic(noise=2.0, terms=(3.0, 1.0))
    theta = np.array([[0.3, -0.2, 0.5]])
    exact = objective.loss(theta)[0] * objective.noise.term_weights
    rows, shots = np.repeat(theta, 400, axis=0), np.array([[4, 9]] * 400)
    draws = objective.evaluate_shots(rows, shots, np.random.default_rng(1))
    sigmas = objective.noise.term_sigmas
    standard_errors = sigmas / np.sqrt(np.array([4, 9]) * 400)
    assert np.all(np.abs(draws.means.mean(axis=0) - exact) < 3 * standard_errors)
    assert np.allclose(draws.variances.mean(axis=0), sigmas**2, rtol=0.15)
    assert np.isclose((sigmas**2).sum(), 4.0)  # the terms split σ² (fixed-shot model unchanged)


def test_fixed_shot_evaluate_charges_every_term():
    objective = quadratic(noise=1.0, shots=100, terms=(1.0, 1.0, 2.0))
    assert objective.evaluate(np.zeros((2, 3)), np.random.default_rng(0)).cost == Cost(2, 6, 600, 0)
    assert isinstance(objective, SupportsShots)


def test_parameter_shift_with_its_own_shots_charges_them_whatever_the_configured_n():
    """``gradient_shots`` on the coordinate estimator overrides the objective's N: 2P+1 rows × G terms
    × 500 shots, and the estimate is as precise as 500 shots make it."""
    objective = quadratic(noise=1.0, shots=10, terms=(1.0, 1.0))
    optimizer = get_optimizer("parameter-shift-sgd", gradient_shots=500)
    x = np.array([0.3, -0.2, 0.5])
    estimates = [optimizer.estimator(objective, x, 0, np.random.default_rng(s)) for s in range(200)]
    assert estimates[0].cost == Cost(evaluations=7, circuits=14, shots=7 * 2 * 500)
    spread = np.std([e.gradient for e in estimates], axis=0)
    assert np.allclose(spread, np.sqrt(2) / 2 / np.sqrt(500), rtol=0.2)  # (σ²/N + σ²/N)/4
