"""Update rules: optax-style gradient transformations and the rule configurations built on them."""

from zeroth_q.updates.rules import (
    SGD,
    UPDATE_RULES,
    Adam,
    AMSGrad,
    SignSGD,
    StepSize,
    UpdateRule,
    register_update_rule,
)

__all__ = [
    "SGD",
    "UPDATE_RULES",
    "AMSGrad",
    "Adam",
    "SignSGD",
    "StepSize",
    "UpdateRule",
    "register_update_rule",
]
