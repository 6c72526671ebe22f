"""The batched CNN: backprop against finite differences, batched against single evaluations,
the presets, the configuration errors and training through ``zeroth_q.minimize``."""

from __future__ import annotations

import tomllib
import typing
from pathlib import Path

import numpy as np
import pytest
from network_checks import assert_batched_equals_singles

import zeroth_q
from classical.specs import CNN, CNN_PRESETS, cnn_network
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.objective import (
    Objective,
    SupportsGradient,
    SupportsLayerCurvature,
    SupportsMetrics,
    SupportsPerturbedEvaluation,
    SupportsState,
    require_capability,
)


def cnn(**params):
    return CNN.build(CNN.make_config(params))


ARCHITECTURES = [
    pytest.param({"architecture": "1.4k"}, id="1.4k-preset-5x5-pool"),
    pytest.param({"channels": [3, 4], "kernel_size": 3, "padding": 1, "dense": [7]}, id="3x3-pad1-dense"),
    pytest.param(
        {"channels": [3, 2], "kernel_size": 4, "stride": 2, "padding": 2, "pool": False, "dense": []},
        id="4x4-stride2-pad2-no-pool",
    ),
    pytest.param(
        {"channels": [2, 3, 2], "kernel_size": 3, "padding": 0, "dense": [5]}, id="three-convs-odd-pools"
    ),
    pytest.param({"architecture": "zo-sgd-fc", "width": 0.1, "loss": "mse"}, id="fully-connected-mse"),
]


@pytest.mark.parametrize("params", ARCHITECTURES)
def test_backprop_matches_central_finite_differences(params):
    """Relative error < 1e-6 (float64) on 30 coordinates of every layer and 5 random directions,
    every finite-difference point a row of one ``evaluate`` on the mini-batch ``gradient`` saw."""
    objective = cnn(**params, dtype="float64", batch_size=6)
    rng = np.random.default_rng(1)
    theta = objective.initial_point(rng) + 0.05 * rng.standard_normal(objective.dim)
    state = objective.get_state()
    exact = objective.gradient(theta, np.random.default_rng(7)).gradient
    objective.set_state(state)

    coordinates = np.concatenate(
        [
            rng.choice(np.arange(start, bias + fan_out), size=min(30, bias + fan_out - start), replace=False)
            for start, _, fan_out, bias in objective.network.layer_offsets
        ]
    )
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
    assert np.count_nonzero(exact[coordinates]) > 0.5 * len(coordinates)  # not a vacuous check


@pytest.mark.parametrize(("dtype", "tolerance"), [("float32", 1e-6), ("float64", 1e-12)])
@pytest.mark.parametrize("memory_mb", [128, 1], ids=["one-pass", "chunked-rows-and-examples"])
@pytest.mark.parametrize("architecture", ["10k", "zo-sgd-fc"])
def test_batched_evaluate_equals_single_evaluations(dtype, tolerance, memory_mb, architecture):
    objective = cnn(architecture=architecture, dtype=dtype, batch_size=64, memory_mb=memory_mb)
    rng = np.random.default_rng(0)
    thetas = objective.initial_point(rng) + 0.1 * rng.standard_normal((7, objective.dim))
    assert_batched_equals_singles(objective, thetas, tolerance)


def test_output_only_pass_equals_the_traced_forward_pass():
    """``logits`` (chunked, no trace) and ``forward`` (the trace backprop reads) agree."""
    objective = cnn(architecture="1.4k", dtype="float64", memory_mb=1)
    network, rng = objective.network, np.random.default_rng(2)
    thetas = objective.initial_point(rng) + 0.1 * rng.standard_normal((3, objective.dim))
    x = objective.train.features(slice(0, 300), np.dtype("float64"))
    assert network.transient_bytes(8) * 300 * 3 > 2**20  # memory_mb=1 really splits the pass
    np.testing.assert_allclose(
        network.logits(thetas, x, 2**20), network.forward(thetas, x)[-1], rtol=1e-10, atol=1e-13
    )


@pytest.mark.parametrize(
    ("architecture", "low", "high"),
    [
        ("1.4k", 1_200, 1_600),
        ("10k", 8_000, 12_000),
        ("100k", 80_000, 120_000),
        ("600k", 500_000, 700_000),
        ("2.5m", 2_500_000, 3_000_000),
    ],
)
def test_presets_span_the_promised_sizes(architecture, low, high):
    assert low <= cnn_network(CNN.make_config({"architecture": architecture})).dim <= high


def test_width_scales_every_channel_and_hidden_layer():
    config = CNN.make_config({"architecture": "zo-sgd-cnn", "width": 0.5})
    network = cnn_network(config)
    assert [c.channels for c in network.convolutions] == [8, 16] and network.dense == (32,)
    assert cnn_network(CNN.make_config({"architecture": "zo-sgd-fc", "width": 2})).dense == (256, 128)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"channels": [4, 4, 4, 4], "kernel_size": 5, "padding": 0}, "shrinks to nothing"),
        ({"width": 0}, "width must be positive"),
        ({"channels": [4, 0]}, "widths must be positive"),
        ({"kernel_size": 0}, "kernel_size and stride"),
        ({"architecture": "5m"}, "architecture"),
    ],
)
def test_bad_configs_name_the_problem(params, message):
    with pytest.raises(ConfigError, match=message):
        CNN.make_config(params)


def test_capabilities_all_but_dense_layer_statistics():
    objective = cnn(architecture="1.4k")
    capabilities = (Objective, SupportsGradient, SupportsMetrics, SupportsState, SupportsPerturbedEvaluation)
    assert all(isinstance(objective, capability) for capability in capabilities)
    assert not isinstance(objective, SupportsLayerCurvature)
    with pytest.raises(ZerothQError, match="layer_curvature"):
        require_capability(objective, "layer_curvature", "kfac")


def test_first_layer_filters_are_the_kernels_as_images():
    objective = cnn(architecture="1.4k")
    theta = np.arange(objective.dim, dtype=float)
    filters = objective.first_layer_filters(theta)
    assert filters.shape == (4, 1, 5, 5)
    # weight (row (i, j, c), column o) sits at index row * 4 + o of the flat vector
    assert filters[2, 0, 1, 3] == (1 * 5 + 3) * 4 + 2


def test_backprop_adam_trains_the_small_cnn():
    objective = cnn(architecture="1.4k", train_metric_size=500)
    result = zeroth_q.minimize(
        objective,
        "backprop-adam",
        zeroth_q.Budget(steps=100),
        optimizer_params={"lr": 1e-2},
        metrics_every=0,
        metrics_per_decade=0,
    )
    assert result.metrics["test_accuracy"] >= 0.8  # 0.887 measured; 0.11 at the start


def test_zo_adam_lowers_the_loss_of_the_small_cnn():
    objective = cnn(architecture="1.4k", train_metric_size=500)
    start = objective.metrics(objective.initial_point(np.random.default_rng(0)))
    result = zeroth_q.minimize(
        objective,
        "zo-adam",
        zeroth_q.Budget(steps=30),
        optimizer_params={"lr": 1e-2},
        metrics_every=0,
        metrics_per_decade=0,
    )
    assert result.metrics["test_loss"] < 0.8 * start["test_loss"]
    assert result.cost.evaluations == 30 * 20 + 1  # 2T rows per step (T = 10), one evaluate each


def test_the_cnn_objective_is_registered_as_an_entry_point():
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["zeroth_q.objectives"]["cnn"] == "classical.specs:CNN"
    assert set(CNN_PRESETS) == set(typing.get_args(typing.get_type_hints(CNN.config)["architecture"]))


@pytest.mark.parametrize("params", ARCHITECTURES[1:3])
def test_batched_backprop_equals_single_backprops(params):
    """``backward`` of B networks on one mini-batch is B independent backprops (the first layer's
    shared GEMM and the stacked products do not mix the networks)."""
    objective = cnn(**params, dtype="float64")
    network, rng = objective.network, np.random.default_rng(5)
    thetas = objective.initial_point(rng) + 0.05 * rng.standard_normal((3, objective.dim))
    x = objective.train.features(slice(0, 9), np.dtype("float64"))
    labels = objective.train.labels[:9]

    def gradients(batch):
        trace = network.forward(batch, x)
        return network.backward(batch, x, trace, objective.loss.output_gradient(trace[-1], labels))

    singles = np.concatenate([gradients(theta[None, :]) for theta in thetas])
    np.testing.assert_allclose(gradients(thetas), singles, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("init", "variance"), [("auto", 2 / 25), ("he", 2 / 25), ("xavier", 2 / (25 + 4))])
def test_initialisations_set_the_first_filters_variance(init, variance):
    objective = cnn(architecture="1.4k", init=init)
    filters = objective.first_layer_filters(objective.initial_point(np.random.default_rng(0)))
    assert filters.var() == pytest.approx(variance, rel=0.4)  # 100 weights
