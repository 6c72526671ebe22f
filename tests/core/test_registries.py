"""A user's own estimator and update rule round-trip through a JSON run config like the built-ins."""

import json
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from zeroth_q import (
    ConfigError,
    GradientEstimate,
    RunConfig,
    minimize,
    register_estimator,
    register_update_rule,
)
from zeroth_q.cli.main import list_choices
from zeroth_q.estimators import ESTIMATORS
from zeroth_q.objective import evaluation_cost
from zeroth_q.updates import UPDATE_RULES
from zeroth_q.updates.transforms import GradientTransformation, chain, scale_by_learning_rate

ESTIMATOR_METHODS = dict.fromkeys(("rows", "cost", "__call__"), id)


@register_estimator
@dataclass(frozen=True)
class ForwardDifference:
    """One-sided differences along every coordinate: (f(θ + h e_i) - f(θ)) / h."""

    h: float = 1e-4
    kind: ClassVar[str] = "test-forward-difference"
    requires: ClassVar[tuple[str, ...]] = ()

    def rows(self, dim):
        return dim + 1

    def cost(self, objective, dim, step):
        return evaluation_cost(objective, self.rows(dim))

    def __call__(self, objective, theta, step, rng):
        points = np.vstack([theta, theta + self.h * np.eye(theta.size)])
        values, cost = objective.evaluate(points, rng)
        return GradientEstimate((values[1:] - values[0]) / self.h, float(values[0]), cost)


def clip_by_norm(limit: float) -> GradientTransformation:
    def update(g, state, params):
        norm = np.linalg.norm(g)
        return (g if norm <= limit else g * (limit / norm)), state

    return GradientTransformation(lambda params: (), update)


@register_update_rule
@dataclass(frozen=True)
class ClippedSGD:
    """SGD on the gradient clipped to norm at most ``clip``."""

    lr: float = 0.1
    clip: float = 1.0
    kind: ClassVar[str] = "test-clipped-sgd"

    def transform(self) -> GradientTransformation:
        return chain(clip_by_norm(self.clip), scale_by_learning_rate(lambda k: self.lr))


def test_user_estimator_and_rule_go_from_json_to_a_run_and_back():
    text = json.dumps(
        {
            "objective": {"name": "quadratic", "dim": 3, "condition": 1.0},
            "optimizer": {
                "name": "zo-sgd",
                "estimator": {"kind": "test-forward-difference", "h": 1e-6},
                "update": {"kind": "test-clipped-sgd", "lr": 0.5, "clip": 0.2},
            },
            "budget": {"steps": 3},
        }
    )
    config = RunConfig.from_dict(json.loads(text))
    optimizer = config.optimizer
    assert optimizer.estimator == ForwardDifference(h=1e-6)
    assert optimizer.update == ClippedSGD(lr=0.5, clip=0.2)
    objective = config.build_objective()
    x0 = objective.initial_point(np.random.default_rng(0))
    result = minimize(objective, optimizer, config.budget, x0=x0)
    # every step is clipped to norm lr * clip = 0.1, and the minimiser is farther away than that
    assert np.linalg.norm(result.x - x0) == pytest.approx(0.3, rel=1e-3)
    assert result.cost.evaluations == 3 * 4 + 1
    again = json.loads(json.dumps(config.to_dict()))
    assert again["optimizer"]["estimator"] == {"kind": "test-forward-difference", "h": 1e-6}
    assert again["optimizer"]["update"] == {"kind": "test-clipped-sgd", "lr": 0.5, "clip": 0.2}
    assert RunConfig.from_dict(again) == config


def test_a_user_rule_takes_flat_set_keys_like_a_built_in_one():
    optimizer = {"name": "spsa", "update": {"kind": "test-clipped-sgd"}}
    config = RunConfig.from_dict({"objective": {"name": "quadratic"}, "optimizer": optimizer})
    tuned = config.optimizer.with_params({"clip": 2.0})
    assert tuned.update == ClippedSGD(clip=2.0)


@pytest.mark.parametrize(
    ("register", "cls", "message"),
    [
        (register_estimator, type("NotADataclass", (), {"kind": "x"}), "must be a dataclass"),
        (register_estimator, dataclass(type("NoKind", (), {})), "needs a class attribute kind"),
        (register_update_rule, dataclass(type("NoTransform", (), {"kind": "y"})), "lacks transform"),
        (
            register_estimator,
            dataclass(type("Thief", (), {"kind": "spsa", "requires": (), **ESTIMATOR_METHODS})),
            "already registered by SPSAGradient",
        ),
    ],
)
def test_registering_a_class_that_cannot_round_trip_says_what_is_missing(register, cls, message):
    with pytest.raises(ConfigError, match=message):
        register(cls)


def test_an_unknown_kind_lists_the_registered_ones():
    with pytest.raises(ConfigError, match="test-forward-difference"):
        optimizer = {"name": "zo-sgd", "estimator": {"kind": "fwd"}}
        RunConfig.from_dict({"objective": {"name": "quadratic"}, "optimizer": optimizer})
    assert {"spsa", "coordinate", "analytic"} <= set(ESTIMATORS) and {"sgd", "adam"} <= set(UPDATE_RULES)


def test_the_cli_list_shows_user_kinds_beside_the_built_in_ones():
    listing = list_choices()
    estimators, rules = listing.split("estimator kinds:\n")[1].split("update rule kinds:\n")
    assert "test-forward-difference" in estimators and "spsa" in estimators
    assert "One-sided differences along every coordinate" in estimators
    assert "test-clipped-sgd" in rules and "amsgrad" in rules
