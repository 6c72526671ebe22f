"""The registered ``mnist`` and ``xor`` objectives: configs, validation, splits, metrics."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from classical.idx import DataError
from classical.specs import MNIST, XOR, MnistConfig
from zeroth_q.config import from_dict, to_dict
from zeroth_q.errors import ConfigError
from zeroth_q.objective import Objective, SupportsGradient, SupportsMetrics, SupportsState
from zeroth_q.objectives.registry import build_objective, get_objective_spec


def test_specs_are_registered_under_their_names():
    assert get_objective_spec("mnist") is MNIST and get_objective_spec("xor") is XOR
    assert MNIST.main_metric == XOR.main_metric == "test_accuracy"


def test_importing_the_specs_loads_neither_data_nor_network_code():
    code = "import sys, classical.specs; print(sorted(m for m in sys.modules if m.startswith('classical')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['classical', 'classical.specs']"


@pytest.mark.parametrize("spec", [MNIST, XOR], ids=["mnist", "xor"])
def test_objectives_implement_every_capability(spec):
    objective = spec.build(spec.make_config({}))
    assert isinstance(objective, Objective)
    assert all(isinstance(objective, p) for p in (SupportsGradient, SupportsMetrics, SupportsState))


def test_mnist_defaults_are_the_784_128_10_relu_network():
    objective = build_objective("mnist")
    assert objective.dim == 784 * 128 + 128 + 128 * 10 + 10 == 101_770
    assert objective.steps_per_epoch == 1200
    theta = objective.initial_point(np.random.default_rng(0))
    assert theta.dtype == np.float64 and theta.shape == (objective.dim,)


def test_set_values_reach_the_objective_and_round_trip_through_json():
    config = MNIST.make_config({"hidden": [], "batch_size": 100, "dtype": "float64"})
    assert config == from_dict(MnistConfig, to_dict(config))
    objective = MNIST.build(config)
    assert objective.dim == 7850 and objective.steps_per_epoch == 600 and objective.dtype == np.float64


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden": [128, 0]}, "hidden widths must be positive"),
        ({"batch_size": 0}, "batch_size must be between 1"),
        ({"validation_size": 60_000}, "validation_size must be between 0"),
        (
            {"validation_size": 59_990, "batch_size": 50},
            "batch_size must be between 1 and the training-set size 10",
        ),
        ({"activation": "sigmoid"}, "must be one of 'relu', 'tanh'"),
        ({"hiden": [10]}, "Did you mean 'hidden'"),
    ],
)
def test_invalid_mnist_settings_name_the_problem(params, message):
    with pytest.raises(ConfigError, match=message):
        MNIST.make_config(params)


@pytest.mark.parametrize(
    ("params", "message"),
    [({"grid_size": 15}, "grid_size must be even"), ({"hidden": []}, "not linearly separable")],
)
def test_invalid_xor_settings_name_the_problem(params, message):
    with pytest.raises(ConfigError, match=message):
        XOR.make_config(params)


def test_validation_split_is_held_out_and_normalised_with_training_statistics():
    objective = build_objective("mnist", {"hidden": [], "validation_size": 10_000, "train_metric_size": None})
    assert len(objective.train) == 50_000 and objective.steps_per_epoch == 1000
    validation = objective.metric_sets["validation"]
    assert len(validation) == 10_000
    assert validation.shift == objective.train.shift == objective.metric_sets["test"].shift
    pixels = objective.train.inputs
    assert objective.train.shift == pytest.approx(pixels.mean())
    features = objective.train.features(slice(None), np.dtype(np.float64))
    assert abs(features.mean()) < 1e-9 and features.std() == pytest.approx(1.0)
    metrics = objective.metrics(np.zeros(objective.dim))
    assert set(metrics) == {f"{s}_{m}" for s in ("train", "validation", "test") for m in ("loss", "accuracy")}
    assert metrics["test_loss"] == pytest.approx(np.log(10))


def test_test_metric_size_measures_the_first_test_images_only():
    small = build_objective("mnist", {"hidden": [], "train_metric_size": 10, "test_metric_size": 300})
    assert len(small.metric_sets["test"]) == 300
    whole = build_objective("mnist", {"hidden": [], "train_metric_size": 10})
    assert len(whole.metric_sets["test"]) == 10_000
    theta = small.initial_point(np.random.default_rng(0))
    first = whole.losses(theta[None, :], whole.metric_sets["test"], slice(300))[0]
    assert small.metrics(theta)["test_loss"] == pytest.approx(first)
    with pytest.raises(ConfigError, match="test_metric_size must be in 1..10000"):
        build_objective("mnist", {"hidden": [], "test_metric_size": 0})


def test_data_dir_setting_reaches_the_loader(tmp_path):
    with pytest.raises(DataError, match="none does not exist"):
        build_objective("mnist", {"data_dir": str(tmp_path / "none")})
