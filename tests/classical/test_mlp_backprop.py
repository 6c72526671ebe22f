"""The batched MLP: backprop against finite differences, batched against single evaluations."""

from __future__ import annotations

import numpy as np
import pytest
from network_checks import assert_batched_equals_singles

from classical.activations import ACTIVATIONS
from classical.examples import standardized
from classical.losses import LOSSES
from classical.mlp import MLP
from classical.mnist import load_mnist
from classical.specs import XOR, MnistConfig, build_mnist
from classical.supervised import SupervisedObjective
from zeroth_q.errors import ConfigError


def mnist_objective(hidden, activation="relu", loss="cross-entropy", dtype="float64", batch_size=20):
    train = standardized(load_mnist().train)
    network = MLP((784, *hidden, 10), ACTIVATIONS[activation])
    return SupervisedObjective(
        network,
        LOSSES[loss],
        train,
        {},
        batch_size=batch_size,
        dtype=dtype,
        init=ACTIVATIONS[activation].default_init,
    )


ARCHITECTURES = [
    pytest.param(mnist_objective(()), id="linear-cross-entropy"),
    pytest.param(mnist_objective((16,)), id="784-16-10-relu-cross-entropy"),
    pytest.param(mnist_objective((12, 8), activation="tanh", loss="mse"), id="784-12-8-10-tanh-mse"),
    pytest.param(XOR.build(XOR.make_config({"hidden": [6, 5]})), id="xor-2-6-5-1-tanh-bce"),
]


@pytest.mark.parametrize("objective", ARCHITECTURES)
def test_backprop_matches_central_finite_differences(objective):
    """Relative error < 1e-6 on 40 random coordinates and 5 random directions (float64).

    Every FD point is one row of a single ``evaluate`` call, so all see the mini-batch
    that ``gradient`` saw (the sampler state is rewound in between)."""
    rng = np.random.default_rng(1)
    theta = objective.initial_point(rng) + 0.05 * rng.standard_normal(objective.dim)
    state = objective.get_state()
    exact = objective.gradient(theta, np.random.default_rng(7)).gradient
    objective.set_state(state)

    coordinates = rng.choice(objective.dim, size=min(40, objective.dim), replace=False)
    directions = np.zeros((len(coordinates) + 5, objective.dim))
    directions[np.arange(len(coordinates)), coordinates] = 1.0
    directions[len(coordinates) :] = rng.standard_normal((5, objective.dim))
    h = 1e-6
    values = objective.evaluate(
        np.concatenate([theta + h * directions, theta - h * directions]), np.random.default_rng(7)
    ).values
    finite_differences = (values[: len(directions)] - values[len(directions) :]) / (2 * h)
    predicted = directions @ exact
    error = np.linalg.norm(finite_differences - predicted) / np.linalg.norm(predicted)
    assert error < 1e-6


@pytest.mark.parametrize(("dtype", "tolerance"), [("float32", 1e-6), ("float64", 1e-12)])
@pytest.mark.parametrize("hidden", [(), (32,), (16, 8)])
def test_batched_evaluate_equals_single_evaluations(dtype, tolerance, hidden):
    objective = build_mnist(MnistConfig(hidden=hidden, dtype=dtype, batch_size=64))
    rng = np.random.default_rng(0)
    thetas = objective.initial_point(rng) + 0.1 * rng.standard_normal((9, objective.dim))
    assert_batched_equals_singles(objective, thetas, tolerance)


def test_evaluate_reports_examples_times_networks():
    objective = build_mnist(MnistConfig(hidden=(), batch_size=50))
    evaluation = objective.evaluate(np.zeros((7, objective.dim)), np.random.default_rng(0))
    assert evaluation.cost.evaluations == 7 and evaluation.cost.examples == 350
    np.testing.assert_allclose(evaluation.values, np.log(10))  # zero weights: uniform softmax


def test_evaluate_rejects_a_single_vector_and_non_finite_parameters():
    objective = build_mnist(MnistConfig(hidden=()))
    with pytest.raises(ConfigError, match="shape"):
        objective.evaluate(np.zeros(objective.dim), np.random.default_rng(0))
    with pytest.raises(ConfigError, match="NaN"):
        objective.evaluate(np.full((1, objective.dim), np.nan), np.random.default_rng(0))


@pytest.mark.parametrize("name", ["cross-entropy", "mse"])
def test_losses_stay_finite_and_exact_for_huge_logits(name):
    outputs = np.array([[[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]], dtype=np.float32)
    labels = np.array([0, 2])
    loss = LOSSES[name]
    value = loss.value(outputs, labels)
    expected = 0.5e4 if name == "cross-entropy" else 0.25 * ((1e4 - 1) ** 2 + 1e8 + 1e8 + 1)
    np.testing.assert_allclose(value, [expected], rtol=1e-6)
    assert np.all(np.isfinite(loss.output_gradient(outputs, labels)))


def test_binary_cross_entropy_is_stable_at_extreme_log_odds():
    loss = LOSSES["binary-cross-entropy"]
    outputs = np.array([[[800.0], [-800.0], [0.0]]])
    labels = np.array([0, 0, 1])
    np.testing.assert_allclose(loss.value(outputs, labels), [(800 + 0 + np.log(2)) / 3])
    np.testing.assert_allclose(loss.output_gradient(outputs, labels)[0, :, 0], [1 / 3, 0, -1 / 6])


@pytest.mark.parametrize(("activation", "fan_variance"), [("relu", 2 / 784), ("tanh", 2 / (784 + 256))])
def test_initialisation_variance_matches_he_or_xavier(activation, fan_variance):
    network = MLP((784, 256, 10), ACTIVATIONS[activation])
    theta = network.initial_point(np.random.default_rng(0), ACTIVATIONS[activation].default_init)
    (weights, bias), _ = network.layers(theta[None, :])
    assert weights.var() == pytest.approx(fan_variance, rel=0.02)
    assert not bias.any()
    assert network.dim == 784 * 256 + 256 + 256 * 10 + 10
