"""The configuration of one run: objective, optimizer, budget, seed, cadence.

A :class:`RunConfig` holds typed objects, each built once: the objective's spec and its
validated config dataclass, the built optimizer, the :class:`Budget`. Dicts exist only
at the file boundary: ``config.json`` in a run directory is :meth:`RunConfig.to_dict`
with every default written out, so a run is reproducible from its file alone, and
:meth:`RunConfig.from_dict` reads it back. A user's ``--config`` file (or a sweep's base
config) may be partial: ``from_dict`` fills the objective's and the optimizer's defaults
and rejects unknown keys.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zeroth_q.config import field_names, from_dict, require, to_dict
from zeroth_q.errors import ConfigError
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.minimize import METRICS_PER_DECADE
from zeroth_q.objective import Objective
from zeroth_q.objectives.registry import ObjectiveSpec, get_objective_spec
from zeroth_q.optimizer import Optimizer
from zeroth_q.optimizers import OPTIMIZERS, optimizer_from_dict


@dataclass(frozen=True)
class RunFile:
    """``config.json`` as written: the objective and the optimizer as ``{"name": ..., ...}``
    objects. Its fields are the file's keys (a sweep's axis paths start with one), and its
    defaults are :class:`RunConfig`'s."""

    objective: dict[str, Any]
    optimizer: dict[str, Any] = field(default_factory=dict)
    budget: Budget | None = None
    seed: int = 0
    metrics_every: int = 0
    checkpoint_every: int = 10
    metrics_per_decade: int = METRICS_PER_DECADE


SCALARS = ("seed", "metrics_every", "checkpoint_every", "metrics_per_decade")


@dataclass(frozen=True)
class RunConfig:
    """One run, typed. ``objective`` is an instance of ``spec.config``; ``optimizer`` is
    built; use :meth:`from_dict` to make one from (possibly partial) file contents."""

    spec: ObjectiveSpec
    objective: Any
    optimizer: Optimizer
    budget: Budget
    seed: int = RunFile.seed
    metrics_every: int = RunFile.metrics_every
    checkpoint_every: int = RunFile.checkpoint_every
    metrics_per_decade: int = RunFile.metrics_per_decade

    def __post_init__(self) -> None:
        require(
            isinstance(self.objective, self.spec.config),
            f"a run config's objective must be a {self.spec.config.__name__} (got {self.objective!r}).",
        )
        require(self.seed >= 0, f"seed must be >= 0 (got {self.seed}).")
        require(self.metrics_every >= 0, f"metrics_every must be >= 0 (got {self.metrics_every}).")
        per_decade = self.metrics_per_decade
        require(per_decade >= 0, f"metrics_per_decade must be >= 0 (got {per_decade}).")
        require(self.checkpoint_every >= 1, f"checkpoint_every must be >= 1 (got {self.checkpoint_every}).")

    @property
    def main_metric(self) -> str | None:
        """The metric the progress bar, summary, curve and sweep comparisons show."""
        return self.spec.metric_of(self.objective)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], spec: ObjectiveSpec | None = None) -> RunConfig:
        """Validate ``data`` (the format of ``config.json``, possibly partial) and build its
        objects: the objective's config, the optimizer (the objective's default one when
        the optimizer section names none), the budget (the objective's default if none).
        ``spec``: the objective's spec, when the caller has looked it up already."""
        file = from_dict(RunFile, data, where="run config")
        require("name" in file.objective, "the config's objective needs a 'name' (see --list).")
        if spec is None or spec.name != file.objective["name"]:
            spec = get_objective_spec(file.objective["name"])
        objective = spec.make_config({k: v for k, v in file.objective.items() if k != "name"})
        optimizer = dict(file.optimizer)
        if "name" not in optimizer:
            # Parameters without a name tune the objective's default optimizer.
            optimizer = {"name": spec.default_optimizer, **spec.default_optimizer_params, **optimizer}
        budget = file.budget or Budget(**(spec.default_budget or {"steps": spec.default_steps}))
        scalars = {name: getattr(file, name) for name in SCALARS}
        return cls(spec, objective, optimizer_from_dict(optimizer), budget, **scalars)

    @functools.cached_property
    def _file(self) -> dict[str, Any]:
        return {
            "objective": {"name": self.spec.name, **to_dict(self.objective)},
            "optimizer": self.optimizer.to_dict(),
            "budget": to_dict(self.budget),
            **{name: getattr(self, name) for name in SCALARS},
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``config.json`` of this run (computed once; each call returns a fresh copy)."""
        return copy.deepcopy(self._file)

    @property
    def name(self) -> str:
        """``objective-optimizer``, e.g. ``vqe-spsa``."""
        return f"{self.spec.name}-{self.optimizer.name}"

    def build_objective(self) -> Objective:
        return self.spec.build(self.objective)

    def with_budget(self, budget: Budget) -> RunConfig:
        return dataclasses.replace(self, budget=budget)


def route_assignments(
    spec: ObjectiveSpec, optimizer_name: str, assignments: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``--set`` assignments into objective and optimizer parameters.

    ``objective.KEY`` and ``optimizer.KEY`` go where they say; a bare ``KEY`` goes to the
    objective if its config has that field, else to the optimizer (which rejects unknown
    keys with suggestions). A bare key both could take is an error asking to qualify it.
    The optimizer's keys are read from its registered preset, which is not rebuilt here.
    """
    objective_fields = set(field_names(spec.config))
    optimizer_keys = _component_keys(optimizer_name)
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


def _component_keys(optimizer_name: str) -> set[str]:
    """The parameters of the named optimizer's estimator and update rule (none for an
    unknown name, which building the optimizer then refuses with suggestions)."""
    entry = OPTIMIZERS.get(optimizer_name)
    keys: set[str] = set()
    for section in ("estimator", "update"):
        component = getattr(entry.preset, section, None) if entry else None
        if dataclasses.is_dataclass(component):
            keys.update(field_names(type(component)))
    return keys
