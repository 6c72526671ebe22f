"""General parameter-shift rules (Wierichs et al. 2022): exact on finite Fourier series, the two-term
rule bit for bit on one frequency, and the coordinate estimator's rows and cost from the objective."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zeroth_q import ConfigError
from zeroth_q.estimators import CoordinateGradient
from zeroth_q.estimators.shift_rules import shift_rule, shifted_points
from zeroth_q.objective import Cost, Evaluation, SupportsFrequencies


class FourierSeries:
    """f(θ) = Σ_i Σ_k a_ik cos(ω_ik θ_i) + b_ik sin(ω_ik θ_i) + c cos(ω_01 θ_0) sin(ω_P1 θ_P): a
    Fourier series with the stated frequencies in each coordinate alone, its gradient known."""

    def __init__(self, frequencies, seed):
        rng = np.random.default_rng(seed)
        self._frequencies = tuple(tuple(f) for f in frequencies)
        self.a = [rng.normal(size=len(f)) for f in frequencies]
        self.b = [rng.normal(size=len(f)) for f in frequencies]
        self.coupling = rng.normal() if len(frequencies) > 1 else 0.0  # couples two different coordinates

    @property
    def dim(self):
        return len(self._frequencies)

    def frequencies(self):
        return self._frequencies

    def initial_point(self, rng):
        return np.zeros(self.dim)

    def cost(self, rows):
        return Cost(evaluations=rows)

    def value(self, theta):
        total = sum(
            a @ np.cos(np.array(w) * t) + b @ np.sin(np.array(w) * t)
            for a, b, w, t in zip(self.a, self.b, self._frequencies, theta, strict=True)
        )
        # a product of the first two coordinates' lowest harmonics keeps f a Fourier series per coordinate
        w0, w1 = self._frequencies[0][0], self._frequencies[-1][0]
        return total + self.coupling * np.cos(w0 * theta[0]) * np.sin(w1 * theta[-1])

    def evaluate(self, thetas, rng):
        return Evaluation(np.array([self.value(t) for t in thetas]), self.cost(len(thetas)))

    def gradient(self, theta):
        grad = np.array(
            [
                w_arr @ (-a * np.sin(w_arr * t) + b * np.cos(w_arr * t))
                for a, b, w, t in zip(self.a, self.b, self._frequencies, theta, strict=True)
                for w_arr in [np.array(w)]
            ]
        )
        w0, w1 = self._frequencies[0][0], self._frequencies[-1][0]
        grad[0] += -self.coupling * w0 * np.sin(w0 * theta[0]) * np.sin(w1 * theta[-1])
        grad[-1] += self.coupling * w1 * np.cos(w0 * theta[0]) * np.cos(w1 * theta[-1])
        return grad


frequency_sets = st.one_of(
    st.tuples(st.sampled_from([0.5, 1.0, 2.0]), st.integers(1, 6)).map(
        lambda t: tuple(t[0] * k for k in range(1, t[1] + 1))
    ),
    st.sampled_from([(0.5, 1.0), (1.0, np.sqrt(2)), (2.0,), (1.0, 3.0)]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(frequency_sets, min_size=1, max_size=4), st.integers(0, 2**16))
def test_the_general_rule_is_exact_on_finite_fourier_series(frequencies, seed):
    objective = FourierSeries(frequencies, seed)
    assert isinstance(objective, SupportsFrequencies)
    theta = np.random.default_rng(seed).uniform(-np.pi, np.pi, objective.dim)
    estimator = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift")
    estimate = estimator(objective, theta, 0, np.random.default_rng(0))
    np.testing.assert_allclose(estimate.gradient, objective.gradient(theta), atol=1e-9)
    rows = 2 * sum(len(f) for f in frequencies) + 1
    assert estimator.rows(objective.dim, objective) == rows
    assert estimate.cost == estimator.cost(objective, objective.dim, 0) == Cost(evaluations=rows)


@given(st.floats(0.05, 3.0), st.integers(1, 5), st.integers(0, 1000))
def test_one_frequency_is_the_two_term_rule_bit_for_bit(shift, dim, seed):
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-3, 3, dim)
    values = rng.normal(size=2 * dim)
    shifted = shifted_points(theta, ((1.0,),) * dim, shift)
    two_term = np.tile(theta, (2 * dim, 1))
    two_term[np.arange(dim), np.arange(dim)] += shift
    two_term[dim + np.arange(dim), np.arange(dim)] -= shift
    assert np.array_equal(shifted.points, two_term)
    assert np.array_equal(shifted.gradient(values), (values[:dim] - values[dim:]) / (2 * np.sin(shift)))


@pytest.mark.parametrize("repeats", [2, 3, 5])
def test_equidistant_frequencies_give_wierichs_closed_form(repeats):
    rule = shift_rule(tuple(float(k) for k in range(1, repeats + 1)))
    mu = np.arange(1, repeats + 1)
    np.testing.assert_allclose(rule.shifts, (2 * mu - 1) * np.pi / (2 * repeats))
    closed = (-1.0) ** (mu - 1) / (4 * repeats * np.sin(rule.shifts / 2) ** 2)
    np.testing.assert_allclose(1 / rule.denominators, closed, rtol=1e-12)


def test_a_singular_system_is_refused_with_the_fix():
    with pytest.raises(ConfigError, match="rule='finite-difference'"):
        shift_rule((1.0, 2.0), shift=np.pi)
