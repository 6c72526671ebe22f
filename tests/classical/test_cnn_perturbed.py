"""The CNN's structured perturbed evaluation equals the generic path, and its memory does not
grow with T (issues 15 and 16)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from network_checks import assert_structured_equals_materialized

from classical.chunked_perturbed import chunk_size
from classical.specs import CNN
from zeroth_q.estimators import SPSAGradient
from zeroth_q.estimators.perturbed import evaluate_perturbed
from zeroth_q.objective import Perturbations, SupportsPerturbedEvaluation

SIDES = [(True, False), (True, True), (False, True)]  # (two_sided, center)


def cnn(**params):
    return CNN.build(CNN.make_config({"architecture": "1.4k", "batch_size": 10, **params}))


@pytest.fixture(scope="module")
def cnn64():
    return cnn(dtype="float64")


@pytest.mark.parametrize("distribution", ["rademacher", "gaussian", "sphere"])
@pytest.mark.parametrize(("two_sided", "center"), SIDES)
@pytest.mark.parametrize("memory", [2**30, 1, 3 * 1419 * 8 * 3], ids=["whole", "one-at-a-time", "chunked"])
def test_structured_equals_materialized_in_float64(cnn64, distribution, two_sided, center, memory):
    cnn64.direction_memory = memory
    theta = cnn64.initial_point(np.random.default_rng(1)) + 0.01
    perturbations = Perturbations(5, 7, distribution, 0.01, two_sided, center)
    assert_structured_equals_materialized(cnn64, theta, perturbations)


def test_spsa_uses_the_capability_and_float32_agrees_to_single_precision():
    single = cnn()
    double = cnn(dtype="float64")
    assert isinstance(single, SupportsPerturbedEvaluation)
    theta = double.initial_point(np.random.default_rng(2))
    estimator = SPSAGradient(perturbations=6, distribution="gaussian", c=0.05, gamma=0.0)
    a = estimator(single, theta, 0, np.random.default_rng(4))
    b = estimator(double, theta, 0, np.random.default_rng(4))
    np.testing.assert_allclose(a.gradient, b.gradient, atol=1e-4 * np.abs(b.gradient).max())
    assert a.cost == b.cost


def test_chunks_follow_the_memory_budget():
    perturbations = Perturbations(0, 10, "rademacher", 0.1, True, False)
    float32 = np.dtype(np.float32)
    assert chunk_size(1000, perturbations, float32, 2**30) == 10
    assert chunk_size(1000, perturbations, float32, 4 * 1000 * 3 * 4) == 4  # direction + 2 points each
    assert chunk_size(1000, perturbations, float32, 1) == 1


def _peak_bytes(objective, count):
    """tracemalloc peak of one structured evaluation, beyond θ and the data."""
    theta = objective.initial_point(np.random.default_rng(0))
    perturbations = Perturbations(7, count, "rademacher", 0.01, True, True)
    tracemalloc.start()
    evaluate_perturbed(objective, theta, perturbations, np.random.default_rng(1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_memory_is_a_few_copies_of_p_whatever_t():
    """One direction at a time: the peak for T = 8 is that of T = 2 (the 8·P directions and
    16·P points of the generic path would add 96·P bytes in float32 alone) and within
    6·P·4 bytes (direction, two points, float64 combination, θ in float32) + activations."""
    objective = cnn(architecture="600k", batch_size=8, direction_memory_mb=1e-6, memory_mb=4)
    small, large = _peak_bytes(objective, 2), _peak_bytes(objective, 8)
    assert large <= 6 * objective.dim * 4 + 5 * 2**20
    assert large < small * 1.1
