"""iCANS1/2, gCANS and Rosalin: the estimator's statistics, the shot rules by hand, exact step costs."""

import numpy as np
import pytest

from zeroth_q import Budget, ConfigError, get_optimizer, minimize
from zeroth_q.estimators import ShotAdaptiveGradient
from zeroth_q.estimators.shot_allocated import shifted_points, shot_parameter_shift
from zeroth_q.objective import shots_cost
from zeroth_q.objectives.testfunctions import Quadratic, QuadraticConfig


def quadratic(noise=1.0, terms=(5.0, 2.0, 1.0)):
    return Quadratic(QuadraticConfig(dim=3, condition=4.0, noise=noise, terms=terms))


def exact_parameter_shift(objective, theta):
    values = objective.loss(shifted_points(theta))
    return (values[:3] - values[3:]) / 2


@pytest.mark.parametrize("term_sampling", [False, True])
def test_estimates_are_unbiased_and_their_variance_is_the_single_shot_variance(term_sampling):
    """Mean of 2000 draws within 3 SE of the exact shift rule; mean S_i/s_i = Var ĝ_i (±20 %).
    With term sampling (Rosalin) even 3 shots over 3 unequal terms are unbiased."""
    objective, theta = quadratic(), np.array([0.4, -0.3, 0.2])
    shots = np.array([3, 5, 8])
    rng = np.random.default_rng(7)
    draws = [shot_parameter_shift(objective, theta, shots, rng, term_sampling) for _ in range(2000)]
    gradients = np.array([d.gradient for d in draws])
    standard_error = gradients.std(axis=0, ddof=1) / np.sqrt(len(draws))
    assert np.all(
        np.abs(gradients.mean(axis=0) - exact_parameter_shift(objective, theta)) < 3 * standard_error
    )
    predicted = np.mean([d.variance for d in draws], axis=0) / shots
    assert np.allclose(predicted, gradients.var(axis=0, ddof=1), rtol=0.2)


def test_shot_rules_match_a_hand_computation():
    """L = 2, α = 0.5 (so 2Lα/(2−Lα) = 2), χ = (1, 0.5), ξ = (1, 1), k = 0:
    iCANS wants s = ⌈2ξ/χ²⌉ = (2, 8); γ = (0.0625, 0.0039) picks s_max = 2 -> (2, 2);
    iCANS2 steps component 2 (given 2 < 8 shots) with 2·2·0.25/(2·(2 + 0.5)) = 0.2;
    gCANS wants ⌈2·1·2/1.25⌉ = 4 each."""
    chi, xi = np.array([1.0, 0.5]), np.array([1.0, 1.0])
    used = np.array([2, 2])
    rate, shots = ShotAdaptiveGradient(min_shots=2).allocate(chi, xi, 0, used, 2.0, 0.5)
    assert rate == 0.5 and shots.tolist() == [2, 2]
    rates, _ = ShotAdaptiveGradient(min_shots=2, variant="icans2").allocate(chi, xi, 0, used, 2.0, 0.5)
    assert np.allclose(rates, [0.5, 0.2])  # the optimal counts (2, 8): component 2 fell short
    _, shots = ShotAdaptiveGradient(min_shots=2, variant="gcans").allocate(chi, xi, 0, used, 2.0, 0.5)
    assert shots.tolist() == [4, 4]


def test_a_noise_free_icans_step_by_hand():
    """No noise: ĝ = (π/2)∇f exactly (central difference of a quadratic), θ₁ = θ₀ − αĝ;
    ξ = 0 so every component wants 1 shot, s_max = max(1, 2) = 2 and NumPy's clip to
    [10, 2] gives 2 (as PennyLane's ShotAdaptiveOptimizer does); χ = (1 − μ)ĝ."""
    objective = quadratic(noise=0.0)
    optimizer = get_optimizer("icans", lr=0.1)
    x = np.array([0.4, -0.3, 0.2])
    outcome = optimizer.step(objective, x, optimizer.init(x), 0, np.random.default_rng(0))
    gradient = np.pi / 2 * objective.exact_gradient(x)
    assert np.allclose(outcome.x, x - 0.1 * gradient)
    assert outcome.state.estimator.shots.tolist() == [2, 2, 2]
    assert np.allclose(outcome.state.estimator.chi, 0.01 * gradient)
    described = optimizer.to_dict()
    assert described["estimator"]["kind"] == "shot-adaptive" and described["update"] == {
        "kind": "sgd",
        **described["update"],
        "lr": 0.1,
        "momentum": 0.0,
    }
    assert outcome.cost.shots == 2 * 3 * 10 * 3  # ± shift, 3 components, 10 shots, 3 terms


@pytest.mark.parametrize("name", ["icans", "rosalin", "gcans"])
def test_step_cost_is_known_before_the_step(name):
    objective, optimizer = quadratic(), get_optimizer(name, lr=0.2)
    x, state, rng = np.array([0.4, -0.3, 0.2]), optimizer.init(np.zeros(3)), np.random.default_rng(3)
    for step in range(5):
        predicted = optimizer.step_cost(objective, x, state, step)
        x, state, _, cost = optimizer.step(objective, x, state, step, rng)
        assert (cost.shots, cost.evaluations) == (predicted.shots, predicted.evaluations)
        assert cost.circuits <= predicted.circuits
        assert name != "icans" or cost == predicted


@pytest.mark.parametrize("params", [{"variant": "icans1"}, {"variant": "icans2"}])
def test_icans_variants_converge_on_a_noisy_quadratic(params):
    objective = quadratic(noise=0.5)
    result = minimize(objective, "icans", Budget(steps=150), optimizer_params={"lr": 0.2, **params}, seed=2)
    assert result.metrics["exact_loss"] < 1e-3 * objective.loss(np.zeros((1, 3)))[0]


def test_step_size_above_two_over_l_is_refused():
    with pytest.raises(ConfigError, match="2/L"):
        minimize(quadratic(), "rosalin", Budget(steps=1), optimizer_params={"lr": 0.6})


@pytest.mark.parametrize("name", ["icans", "rosalin", "gcans"])
def test_the_default_step_size_is_valid_wherever_shots_are(name):
    """Issue 28 cause 2: lr=0.07 exceeded 2/L = 0.04 on this quadratic (L = 50) and the default
    was refused; unset, α is 1/L there, and 0.07 where that is below 2/L (the VQE anchors)."""
    objective = Quadratic(QuadraticConfig(dim=3, condition=50.0, noise=1.0, shots=10))
    result = minimize(objective, name, Budget(steps=30), seed=0)
    assert result.status == "completed"
    assert result.metrics["exact_loss"] < objective.loss(objective.initial_point(None)[None, :])[0]
    with pytest.raises(ConfigError, match="2/L"):
        minimize(objective, name, Budget(steps=1), optimizer_params={"lr": 0.07})


def test_shot_counts_are_capped_at_2_to_the_53_and_the_cost_does_not_wrap():
    """Issue 28 cause 0a: min_shots = 2^61 was accepted and the shot sums wrapped."""
    with pytest.raises(ConfigError, match="2\\^53"):
        get_optimizer("gcans", min_shots=2**61)
    with pytest.raises(ConfigError, match="2\\^53"):
        get_optimizer("icans", max_shots=2**60)
    estimator = ShotAdaptiveGradient(min_shots=2**53)
    state = estimator.init(4)
    assert estimator.cost(quadratic(), 4, 0, state).shots == 2 * 4 * 2**53 * 3
    assert shots_cost(np.full((2000, 3), 2**53)).shots == 6000 * 2**53  # a 64-bit sum wraps here
