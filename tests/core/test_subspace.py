"""``restrict(f, indices, base)``: ``g(z) = f(Ez)``, with f's capabilities restricted to the
trained coordinates (and only those f has)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zeroth_q.errors import CapabilityError, ConfigError
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.minimize import minimize
from zeroth_q.objective import (
    Cost,
    SupportsCostModel,
    SupportsFidelity,
    SupportsGradient,
    SupportsHessian,
    SupportsLayerCurvature,
    SupportsMetrics,
    SupportsState,
    require_capability,
)
from zeroth_q.objectives.registry import build_objective
from zeroth_q.objectives.subspace import restrict
from zeroth_q.objectives.testfunctions import Quadratic, QuadraticConfig
from zeroth_q.optimizers import get_optimizer


@st.composite
def restricted_quadratics(draw):
    dim = draw(st.integers(2, 6))
    indices = draw(st.lists(st.integers(0, dim - 1), min_size=1, max_size=dim, unique=True))
    seed = draw(st.integers(0, 10_000))
    objective = Quadratic(QuadraticConfig(dim=dim, condition=10.0, seed=seed))
    base = np.random.default_rng(seed).standard_normal(dim)
    return objective, indices, base, np.random.default_rng(seed + 1)


@settings(max_examples=40, deadline=None)
@given(restricted_quadratics())
def test_restriction_is_the_objective_at_embedded_points(case):
    """Values, gradient (∇g = (∇f)_I), Hessian (H_II) and metrics of g equal f's at Ez,
    and Ez keeps every other coordinate at the base."""
    objective, indices, base, rng = case
    restricted = restrict(objective, indices, base)
    others = np.setdiff1d(np.arange(objective.dim), indices)
    z = rng.standard_normal((3, len(indices)))
    full = restricted.embed(z)
    np.testing.assert_array_equal(full[:, indices], z)
    np.testing.assert_array_equal(full[:, others], np.broadcast_to(base[others], (3, len(others))))
    np.testing.assert_array_equal(restricted.initial_point(rng), base[indices])
    np.testing.assert_allclose(restricted.evaluate(z, rng).values, objective.loss(full), rtol=1e-14)
    value, gradient, _ = restricted.gradient(z[0], rng)
    assert value == pytest.approx(objective.loss(full[:1])[0], rel=1e-14)
    np.testing.assert_allclose(gradient, objective.exact_gradient(full[0])[indices], rtol=1e-14)
    np.testing.assert_allclose(restricted.hessian(z[0]), objective.matrix[np.ix_(indices, indices)])
    assert restricted.metrics(z[0]) == objective.metrics(full[0])


def test_newton_on_a_restriction_finds_the_restricted_minimiser():
    """min_z ½(Ez − x*)ᵀH(Ez − x*) is z* = x*_I − H_II⁻¹ H_IO (base_O − x*_O)."""
    objective = Quadratic(QuadraticConfig(dim=6, condition=50.0, seed=3))
    indices, others = np.array([4, 1]), np.array([0, 2, 3, 5])
    base = np.linspace(-1.0, 1.0, 6)
    restricted = restrict(objective, list(indices), base)
    H, x_star = objective.matrix, objective.minimizer
    expected = x_star[indices] - np.linalg.solve(
        H[np.ix_(indices, indices)], H[np.ix_(indices, others)] @ (base[others] - x_star[others])
    )
    result = minimize(restricted, get_optimizer("newton"), Budget(steps=30), metrics_every=0)
    np.testing.assert_allclose(result.x, expected, atol=1e-8)


def test_capabilities_are_exactly_the_wrapped_objectives():
    quadratic = restrict(Quadratic(QuadraticConfig(dim=3)), [0, 2], np.zeros(3))
    assert all(isinstance(quadratic, p) for p in (SupportsGradient, SupportsHessian, SupportsMetrics))
    assert not any(
        isinstance(quadratic, p) for p in (SupportsFidelity, SupportsState, SupportsLayerCurvature)
    )
    assert isinstance(quadratic, SupportsCostModel)

    xor = build_objective("xor")
    network = restrict(xor, [24, 25], xor.initial_point(np.random.default_rng(0)))
    assert isinstance(network, SupportsGradient) and isinstance(network, SupportsMetrics)
    assert not isinstance(network, SupportsHessian) and not isinstance(network, SupportsLayerCurvature)
    assert isinstance(network, SupportsState) == isinstance(xor, SupportsState)
    if isinstance(xor, SupportsState):  # the epoch sampler's position, until runs own it
        for key, value in xor.get_state().items():
            np.testing.assert_array_equal(network.get_state()[key], value)
    with pytest.raises(CapabilityError, match="no dense layers"):
        require_capability(network, "layer_curvature", "kfac")


def test_cost_model_passes_through_unchanged():
    objective = Quadratic(QuadraticConfig(dim=4, noise=1.0, shots=100))
    restricted = restrict(objective, [1, 2], np.zeros(4))
    assert restricted.cost(5) == objective.cost(5) == Cost(evaluations=5, circuits=5, shots=500)
    assert restricted.evaluate(np.zeros((5, 2)), np.random.default_rng(0)).cost == restricted.cost(5)


@pytest.mark.parametrize(
    ("indices", "base", "message"),
    [
        ([0, 4], np.zeros(4), "out of range"),
        ([1, 1], np.zeros(4), "distinct"),
        ([], np.zeros(4), "distinct"),
        ([0, 1], np.zeros(3), "shape"),
    ],
)
def test_bad_restrictions_name_the_problem(indices, base, message):
    with pytest.raises(ConfigError, match=message):
        restrict(Quadratic(QuadraticConfig(dim=4)), indices, base)
