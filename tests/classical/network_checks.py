"""Checks that every batched network objective (MLP, CNN) must pass, shared by their tests."""

from __future__ import annotations

import numpy as np

from zeroth_q.estimators.perturbed import evaluate_materialized, evaluate_perturbed


def assert_batched_equals_singles(objective, thetas: np.ndarray, tolerance: float) -> None:
    """One ``evaluate`` of all rows equals one call per row on the same mini-batch."""
    state = objective.get_state()
    batched = objective.evaluate(thetas, np.random.default_rng(3)).values
    singles = []
    for theta in thetas:
        objective.set_state(state)
        singles.append(objective.evaluate(theta[None, :], np.random.default_rng(3)).values[0])
    assert batched.dtype == np.float64 and batched.shape == (len(thetas),)
    np.testing.assert_allclose(batched, singles, rtol=tolerance, atol=0)
    assert np.ptp(batched) > 1e-3  # the rows really are different networks


def both_paths(objective, theta, perturbations, seed=3):
    """The objective's own perturbed evaluation and the materialized one, on one mini-batch."""
    state = objective.get_state()
    fast = evaluate_perturbed(objective, theta, perturbations, np.random.default_rng(seed))
    objective.set_state(state)
    generic = evaluate_materialized(objective, theta, perturbations, np.random.default_rng(seed))
    return fast, generic


def assert_structured_equals_materialized(objective, theta, perturbations) -> None:
    """Same values, combination and cost to 1e-10 (float64), on points that really differ."""
    fast, generic = both_paths(objective, theta, perturbations)
    assert fast.values.shape == (perturbations.rows,)
    np.testing.assert_allclose(fast.values, generic.values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.combination, generic.combination, rtol=0, atol=1e-10)
    assert fast.cost == generic.cost
    assert np.ptp(fast.values) > 1e-4  # the points differ: the comparison is not vacuous
