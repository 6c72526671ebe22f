"""Optimizers as frozen dataclasses built from components, and how ``--set`` reaches them.

An optimizer's fields are its own hyper-parameters (``memory``, ``damping``) and its
*components*: a gradient ``estimator`` and an ``update`` rule, each a frozen dataclass
of a registered ``kind``. :class:`Configurable` gives every such optimizer the same
``to_dict`` / ``with_params``, so that a flat ``--set lr=0.01 --set perturbations=50``
reaches whichever part owns the key, and ``{"update": {"kind": "adam"}}`` swaps a part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Self

import numpy as np

from zeroth_q.config import field_names, from_dict, to_dict
from zeroth_q.errors import ConfigError, did_you_mean, unknown
from zeroth_q.estimators import ESTIMATORS, GradientEstimator, require_batch_memory
from zeroth_q.objective import Allowance, Cost, Objective
from zeroth_q.optimizer import StepOutcome
from zeroth_q.updates.rules import UPDATE_RULES, UpdateRule
from zeroth_q.updates.transforms import GradientTransformation

COMPONENT_KINDS: dict[str, Mapping[str, type]] = {"estimator": ESTIMATORS, "update": UPDATE_RULES}


class Configurable:
    """Mixin for dataclass optimizers with a ``name`` field and optional components."""

    name: str

    def _components(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in field_names(type(self)) if f in COMPONENT_KINDS}

    def _own_fields(self) -> list[str]:
        return [f for f in field_names(type(self)) if f not in COMPONENT_KINDS and f != "name"]

    def to_dict(self) -> dict[str, Any]:
        own = {f: to_dict(self)[f] for f in self._own_fields()}
        parts = {k: {"kind": c.kind, **to_dict(c)} for k, c in self._components().items()}
        return {"name": self.name, **own, **parts}

    def with_params(self, params: Mapping[str, Any]) -> Self:
        """A copy with hyper-parameters replaced, validated.

        Keys are own field names, component field names (``lr``, ``perturbations``),
        qualified names (``estimator.c``), or whole component sections
        (``{"update": {"kind": "adam", "lr": 0.01}}``, which may change the kind).
        """
        components = self._components()
        owners: dict[str, str | None] = {key: None for key in self._own_fields()}
        for section, component in components.items():
            owners.update({key: section for key in field_names(type(component)) if key not in owners})
        own: dict[str, Any] = {}
        sections: dict[str, dict[str, Any]] = {section: {} for section in components}
        for key, value in params.items():
            section, dot, rest = key.partition(".")
            if key in sections and isinstance(value, Mapping):
                sections[key].update(value)
            elif dot and section in sections:
                sections[section][rest] = value
            elif key in owners:
                target = owners[key]
                (own if target is None else sections[target])[key] = value
            else:
                raise ConfigError(
                    f"unknown parameter {key!r} for optimizer {self.name!r}.{did_you_mean(key, owners)}"
                )
        rebuilt = {
            section: rebuild_component(
                components[section], overrides, COMPONENT_KINDS[section], f"optimizer {self.name!r} {section}"
            )
            for section, overrides in sections.items()
        }
        current = {f: getattr(self, f) for f in self._own_fields()}
        return from_dict(
            type(self), {"name": self.name, **current, **own, **rebuilt}, where=f"optimizer {self.name!r}"
        )


def rebuild_component(
    component: Any, overrides: Mapping[str, Any], kinds: Mapping[str, type], where: str
) -> Any:
    """``component`` with ``overrides``; a ``kind`` key switches to another registered class."""
    if not overrides:
        return component
    overrides = dict(overrides)
    kind = overrides.pop("kind", component.kind)
    if kind not in kinds:
        raise unknown(f"{where} kind", kind, kinds)
    base = to_dict(component) if kind == component.kind else {}
    return from_dict(kinds[kind], {**base, **overrides}, where=where)


@dataclass(frozen=True)
class ComposedOptimizer(Configurable):
    """``x_{k+1} = x_k + update(estimate(f, x_k))``: an estimator and an update rule."""

    name: str
    estimator: GradientEstimator
    update: UpdateRule

    @property
    def requires(self) -> tuple[str, ...]:
        return self.estimator.requires

    @cached_property
    def transform(self) -> GradientTransformation:
        return self.update.transform()

    def init(self, x: np.ndarray) -> Any:
        require_batch_memory(self.estimator.rows(x.size), x.size, self.name)
        return self.transform.init(x)

    def step_cost(self, objective: Objective, x: np.ndarray, state: Any, step: int) -> Cost:
        return self.estimator.cost(objective, x.size, step)

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: Any,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        estimate = self.estimator(objective, x, step, rng)
        updates, state = self.transform.update(estimate.gradient, state, x)
        return StepOutcome(x + updates, state, estimate.loss, estimate.cost)
