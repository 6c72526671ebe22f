"""Configurations: strict parsing, did-you-mean errors, JSON round trips."""

import json

import pytest

from zeroth_q import Budget, ConfigError, RunConfig, get_objective_spec
from zeroth_q.config import from_dict, parse_assignment, to_dict
from zeroth_q.estimators import ESTIMATORS
from zeroth_q.updates.rules import UPDATE_RULES

CORE_OBJECTIVES = ["quadratic", "rosenbrock"]


@pytest.mark.parametrize(
    "cls", [Budget, *ESTIMATORS.values(), *UPDATE_RULES.values()], ids=lambda c: c.__name__
)
def test_component_configs_round_trip(cls):
    config = cls() if cls is not Budget else Budget(steps=3, shots=10**6)
    assert from_dict(cls, json.loads(json.dumps(to_dict(config)))) == config


@pytest.mark.parametrize("name", CORE_OBJECTIVES)
def test_objective_configs_round_trip(name):
    spec = get_objective_spec(name)
    config = spec.make_config({"dim": 4, "noise": 0.5, "shots": 100})
    assert spec.make_config(json.loads(json.dumps(to_dict(config)))) == config


def test_run_config_resolves_defaults_and_round_trips():
    config = RunConfig.from_dict(
        {"objective": {"name": "quadratic", "dim": 5}, "optimizer": {"name": "zo-adam"}}
    )
    assert config.budget == Budget(steps=get_objective_spec("quadratic").default_steps)
    assert config.objective.condition == 100.0 and config.optimizer.estimator.perturbations == 10
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_an_objectives_default_budget_in_shots_replaces_its_default_steps():
    config = RunConfig.from_dict({"objective": {"name": "vqe"}})
    assert config.budget == Budget(shots=10**8)
    assert config.optimizer.name == "parameter-shift-adam" and config.optimizer.update.lr == 0.05
    given = RunConfig.from_dict({"objective": {"name": "vqe"}, "budget": {"steps": 3}})
    assert given.budget == Budget(steps=3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"objective": {"name": "quadratc"}}, "unknown objective 'quadratc'. Did you mean 'quadratic'"),
        ({"objective": {"name": "quadratic", "dimm": 3}}, "unknown key 'dimm'.*Did you mean 'dim'"),
        ({"objective": {"name": "quadratic", "shots": 0}}, "shots must be a positive integer"),
        ({"objective": {"name": "quadratic", "dim": 2.5}}, "dim must be an integer"),
        ({"objective": {"name": "quadratic"}, "budget": {"steps": -3}}, "budget steps must be > 0"),
        ({"objective": {"name": "quadratic"}, "seeed": 1}, "unknown key 'seeed'"),
        ({"objective": {"name": "quadratic"}, "optimizer": {"name": "adam"}}, "Did you mean 'zo-adam'"),
        ({"objective": {}}, "needs a 'name'"),
    ],
)
def test_bad_configs_name_the_problem(data, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_dict(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lr=0.01", ("lr", 0.01)),
        ("hidden=[128, 64]", ("hidden", [128, 64])),
        ("device=lightning.qubit", ("device", "lightning.qubit")),
        ("shots=null", ("shots", None)),
        ("one_sided=true", ("one_sided", True)),
    ],
)
def test_set_values_parse_as_json_or_strings(text, expected):
    assert parse_assignment(text) == expected


def test_set_without_equals_is_an_error():
    with pytest.raises(ConfigError, match="key=value"):
        parse_assignment("lr")


def test_optimizer_parameters_without_a_name_tune_the_objectives_default_optimizer():
    config = RunConfig.from_dict({"objective": {"name": "rosenbrock"}, "optimizer": {"lr": 0.02}})
    spec = get_objective_spec("rosenbrock")
    assert config.optimizer.name == spec.default_optimizer
    assert config.optimizer.update.lr == 0.02
