"""Objectives by name, without the core importing any backend.

Backends announce their objectives as Python entry points in the group
``zeroth_q.objectives`` (see ``pyproject.toml``); each entry point names an
:class:`ObjectiveSpec`. Loading happens only when a name is looked up, so
``import zeroth_q`` never imports qiskit, pennylane, ``classical`` or ``circuits``.
The core's own test functions are registered the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from zeroth_q.config import from_dict
from zeroth_q.errors import ConfigError, unknown
from zeroth_q.objective import Objective

ENTRY_POINT_GROUP = "zeroth_q.objectives"


@dataclass(frozen=True)
class ObjectiveSpec:
    """How to build a named objective.

    config: a frozen dataclass whose fields are the objective's parameters (``--set``
        keys); its defaults are the objective's defaults.
    build: ``build(config) -> Objective``; imports heavy libraries lazily.
    default_optimizer / default_steps: what ``zeroth_q.run --objective NAME`` uses when
        the user names no optimizer / budget.
    default_budget: the default budget as ``Budget`` fields (``{"shots": 10**8}``) where a
        cost, not a number of steps, is what the default was chosen for; overrides
        ``default_steps``.
    default_optimizer_params: overrides applied to the default optimizer only.
    main_metric: the metric shown in the progress bar and summary (e.g. ``energy_error``), or a
        function of the config that names it (the ``vqe`` objective's depends on its problem).
    """

    name: str
    description: str
    config: type
    build: Callable[[Any], Objective]
    default_optimizer: str = "spsa"
    default_steps: int = 100
    default_budget: Mapping[str, int] = field(default_factory=dict)
    default_optimizer_params: Mapping[str, Any] = field(default_factory=dict)
    main_metric: str | Callable[[Any], str | None] | None = None

    def metric_of(self, config: Any) -> str | None:
        """The main metric of a run with objective parameters ``config``."""
        return self.main_metric(config) if callable(self.main_metric) else self.main_metric

    def make_config(self, params: Mapping[str, Any] | None = None) -> Any:
        return from_dict(self.config, params or {}, where=f"objective {self.name!r}")


_BUILTIN: dict[str, str] = {
    "quadratic": "zeroth_q.objectives.testfunctions:QUADRATIC",
    "rosenbrock": "zeroth_q.objectives.testfunctions:ROSENBROCK",
}


def _entry_points() -> dict[str, str]:
    found = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **_BUILTIN}


def objective_names() -> list[str]:
    return sorted(_entry_points())


def get_objective_spec(name: str) -> ObjectiveSpec:
    """The spec registered under ``name``; a ConfigError with suggestions if unknown."""
    points = _entry_points()
    if name not in points:
        raise unknown("objective", name, points)
    module_name, _, attribute = points[name].partition(":")
    try:
        module = __import__(module_name, fromlist=[attribute])
    except ImportError as exc:
        raise ConfigError(
            f"objective {name!r} needs {module_name!r}, which failed to import ({exc}); "
            f"reinstall the project with `pip install -e .`."
        ) from None
    spec = getattr(module, attribute)
    if not isinstance(spec, ObjectiveSpec):
        raise ConfigError(f"entry point {points[name]!r} is not an ObjectiveSpec.")
    return spec


def build_objective(name: str, params: Mapping[str, Any] | None = None) -> Objective:
    """Build objective ``name`` with ``params`` (validated against its config)."""
    spec = get_objective_spec(name)
    return spec.build(spec.make_config(params))
