"""The configuration of one run: objective, optimizer, budget, seed, cadence.

``config.json`` in a run directory is ``RunConfig.to_dict()`` with every default written
out, so a run is reproducible from its file alone. A user's ``--config`` file (or a sweep's
base config) may be partial: :meth:`RunConfig.resolve` fills the objective's and the
optimizer's defaults and rejects unknown keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zeroth_q.config import field_names, from_dict, require, to_dict
from zeroth_q.errors import ConfigError
from zeroth_q.loop.budget import Budget
from zeroth_q.objective import Objective
from zeroth_q.objectives.registry import ObjectiveSpec, get_objective_spec
from zeroth_q.optimizers import Optimizer, optimizer_from_dict


@dataclass(frozen=True)
class RunConfig:
    objective: dict[str, Any]
    optimizer: dict[str, Any] = field(default_factory=dict)
    budget: Budget | None = None
    seed: int = 0
    metrics_every: int = 10
    checkpoint_every: int = 10
    metrics_per_decade: int = 0

    def __post_init__(self) -> None:
        require("name" in self.objective, "the config's objective needs a 'name' (see --list).")
        require(self.seed >= 0, f"seed must be >= 0 (got {self.seed}).")
        require(self.metrics_every >= 0, f"metrics_every must be >= 0 (got {self.metrics_every}).")
        per_decade = self.metrics_per_decade
        require(per_decade >= 0, f"metrics_per_decade must be >= 0 (got {per_decade}).")
        require(self.checkpoint_every >= 1, f"checkpoint_every must be >= 1 (got {self.checkpoint_every}).")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        return from_dict(cls, data, where="run config").resolve()

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @property
    def spec(self) -> ObjectiveSpec:
        return get_objective_spec(self.objective["name"])

    def resolve(self) -> RunConfig:
        """This config with every default filled in and every value validated."""
        spec = self.spec
        params = {k: v for k, v in self.objective.items() if k != "name"}
        objective = {"name": spec.name, **to_dict(spec.make_config(params))}
        optimizer = dict(self.optimizer)
        if "name" not in optimizer:
            # Parameters without a name tune the objective's default optimizer.
            optimizer = {"name": spec.default_optimizer, **spec.default_optimizer_params, **optimizer}
        optimizer = optimizer_from_dict(optimizer).to_dict()
        budget = self.budget or Budget(**(spec.default_budget or {"steps": spec.default_steps}))
        return dataclasses.replace(self, objective=objective, optimizer=optimizer, budget=budget)

    def build_objective(self) -> Objective:
        spec = self.spec
        return spec.build(spec.make_config({k: v for k, v in self.objective.items() if k != "name"}))

    def build_optimizer(self) -> Optimizer:
        return optimizer_from_dict(self.optimizer)


def route_assignments(
    objective_name: str, optimizer: Mapping[str, Any], assignments: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``--set`` assignments into objective and optimizer parameters.

    ``objective.KEY`` and ``optimizer.KEY`` go where they say; a bare ``KEY`` goes to the
    objective if its config has that field, else to the optimizer (which rejects unknown
    keys with suggestions). A bare key both could take is an error asking to qualify it.
    """
    objective_fields = set(field_names(get_objective_spec(objective_name).config))
    optimizer_keys = _optimizer_keys(optimizer)
    to_objective: dict[str, Any] = {}
    to_optimizer: dict[str, Any] = {}
    for key, value in assignments.items():
        section, dot, rest = key.partition(".")
        if dot and section == "objective":
            to_objective[rest] = value
        elif dot and section == "optimizer":
            to_optimizer[rest] = value
        elif key in objective_fields and key in optimizer_keys:
            raise ConfigError(f"--set {key} is ambiguous: write objective.{key}=... or optimizer.{key}=...")
        elif key in objective_fields:
            to_objective[key] = value
        else:
            to_optimizer[key] = value
    return to_objective, to_optimizer


def _optimizer_keys(optimizer: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    for section in ("estimator", "update"):
        keys.update(k for k in optimizer.get(section, {}) if k != "kind")
    return keys
