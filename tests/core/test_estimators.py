"""Gradient estimators: unbiasedness, 1/T variance, exactness, one evaluate call, costs."""

import numpy as np
import pytest

from zeroth_q import AnalyticGradient, CapabilityError, CoordinateGradient, Cost, Evaluation, SPSAGradient
from zeroth_q.estimators.directions import direction_chunks
from zeroth_q.objectives.testfunctions import FunctionObjective, Quadratic, QuadraticConfig


class CountingObjective:
    """A real objective that records how it was called (a spy, not a stand-in)."""

    def __init__(self, inner):
        self.inner, self.calls, self.rows = inner, 0, 0

    @property
    def dim(self):
        return self.inner.dim

    def initial_point(self, rng):
        return self.inner.initial_point(rng)

    def evaluate(self, thetas, rng) -> Evaluation:
        self.calls += 1
        self.rows += len(thetas)
        return self.inner.evaluate(thetas, rng)


@pytest.fixture
def quadratic():
    return Quadratic(QuadraticConfig(dim=6, condition=10.0))


def sample_estimates(estimator, objective, theta, draws, seed=0):
    rng = np.random.default_rng(seed)
    return np.array([estimator(objective, theta, 0, rng).gradient for _ in range(draws)])


@pytest.mark.parametrize("distribution", ["rademacher", "gaussian", "sphere"])
@pytest.mark.parametrize("one_sided", [False, True])
def test_spsa_is_unbiased_on_a_quadratic(quadratic, distribution, one_sided):
    theta = np.linspace(-1, 1, quadratic.dim)
    true = quadratic.exact_gradient(theta)
    draws = sample_estimates(
        SPSAGradient(perturbations=2, distribution=distribution, one_sided=one_sided), quadratic, theta, 4000
    )
    standard_error = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    z = (draws.mean(axis=0) - true) / standard_error
    assert np.all(np.abs(z) < 3), z


def test_spsa_variance_falls_as_one_over_t(quadratic):
    theta = np.linspace(-1, 1, quadratic.dim)
    counts = np.array([1, 2, 4, 8, 16, 32])
    variances = [
        sample_estimates(SPSAGradient(perturbations=t), quadratic, theta, 1500, seed=t).var(axis=0).sum()
        for t in counts
    ]
    slope = np.polyfit(np.log(counts), np.log(variances), 1)[0]
    assert -1.15 < slope < -0.85, slope


@pytest.mark.parametrize("shift", [np.pi / 2, 0.3, 2.0])
def test_parameter_shift_is_exact_for_sums_of_sines(shift):
    amplitude, phase = np.array([1.5, -0.7, 2.0, 0.3]), np.array([0.1, 1.0, -2.0, 0.5])
    objective = FunctionObjective(lambda x: float(np.sum(amplitude * np.sin(x + phase))), np.zeros(4))
    theta = np.array([0.4, -1.3, 2.2, 0.0])
    estimate = CoordinateGradient(shift=shift, rule="parameter-shift")(
        objective, theta, 0, np.random.default_rng()
    )
    np.testing.assert_allclose(estimate.gradient, amplitude * np.cos(theta + phase), rtol=0, atol=1e-12)
    assert estimate.loss == pytest.approx(np.sum(amplitude * np.sin(theta + phase)))


def test_finite_differences_are_not_exact_for_sines_but_parameter_shift_is():
    objective = FunctionObjective(lambda x: float(np.sin(x[0])), np.zeros(1))
    theta, rng = np.array([0.3]), np.random.default_rng()
    fd = CoordinateGradient(shift=np.pi / 2, rule="finite-difference")(objective, theta, 0, rng).gradient
    ps = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift")(objective, theta, 0, rng).gradient
    assert abs(fd[0] - np.cos(0.3)) > 0.1
    assert ps[0] == pytest.approx(np.cos(0.3), abs=1e-14)


@pytest.mark.parametrize(
    ("estimator", "rows"),
    [
        (SPSAGradient(perturbations=7), 14),
        (SPSAGradient(perturbations=7, evaluate_center=True), 15),
        (SPSAGradient(perturbations=7, one_sided=True), 8),
        (CoordinateGradient(), 2 * 6 + 1),
        (CoordinateGradient(rule="parameter-shift", shift=np.pi / 2, evaluate_center=False), 2 * 6),
    ],
)
def test_one_evaluate_call_and_cost_equal_to_rows(estimator, rows):
    objective = CountingObjective(Quadratic(QuadraticConfig(dim=6, noise=1.0, shots=100)))
    estimate = estimator(objective, np.zeros(6), 0, np.random.default_rng(0))
    assert objective.calls == 1
    assert objective.rows == rows
    assert estimate.cost == Cost(evaluations=rows, circuits=rows, shots=100 * rows)


def test_spsa_gradient_is_built_from_the_regenerated_directions(quadratic):
    estimator = SPSAGradient(perturbations=5, distribution="gaussian", gamma=0.0, c=0.01)
    theta = np.full(quadratic.dim, 0.2)
    rng = np.random.default_rng(3)
    seed = int(np.random.default_rng(3).integers(2**63))
    estimate = estimator(quadratic, theta, 0, rng)
    directions = np.concatenate([block for _, block in direction_chunks(seed, 5, quadratic.dim, "gaussian")])
    plus = quadratic.loss(theta + 0.01 * directions)
    minus = quadratic.loss(theta - 0.01 * directions)
    expected = ((plus - minus) / 0.02) @ directions / 5
    np.testing.assert_allclose(estimate.gradient, expected, rtol=1e-12)


def test_sphere_directions_have_unit_norm_and_chunks_are_reproducible():
    first = np.concatenate([b for _, b in direction_chunks(11, 300, 5000, "sphere")])
    again = np.concatenate([b for _, b in direction_chunks(11, 300, 5000, "sphere")])
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0)
    assert len(list(direction_chunks(11, 300, 5000, "sphere"))) > 1


def test_analytic_gradient_needs_the_capability():
    objective = FunctionObjective(lambda x: float(x @ x), np.ones(3))
    with pytest.raises(CapabilityError, match="no jac"):
        AnalyticGradient()(objective, np.ones(3), 0, np.random.default_rng())
    with pytest.raises(CapabilityError, match="does not provide"):
        AnalyticGradient()(CountingObjective(objective), np.ones(3), 0, np.random.default_rng())
