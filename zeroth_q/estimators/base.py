"""What a gradient estimator is and what it returns."""

from __future__ import annotations

import inspect
from typing import ClassVar, NamedTuple, Protocol, runtime_checkable

import numpy as np

from zeroth_q.config import require_memory
from zeroth_q.objective import Cost, Objective


class GradientEstimate(NamedTuple):
    """A gradient estimate at ``theta`` and the loss there, on one random draw.

    ``loss`` is ``None`` where the evaluated points say nothing about ``f(theta)``
    (parameter-shift without the centre point).
    """

    gradient: np.ndarray
    loss: float | None
    cost: Cost


@runtime_checkable
class GradientEstimator(Protocol):
    """A frozen dataclass (its fields are its configuration) called once per step.

    kind: its name in configs (``{"estimator": {"kind": ...}}``), registered with
        :func:`zeroth_q.estimators.register_estimator`.
    requires: the objective capabilities it calls beyond ``evaluate`` (e.g. ``"gradient"``).
    rows: how many points one call evaluates (memory is checked from it before a run); it may
        take the objective as a second, optional argument when the count depends on it (the
        general parameter-shift rule's ``2 Σ_i R_i`` rows).
    cost: what one call will charge, stated before it is made (from ``objective.cost(rows)``,
        see :func:`zeroth_q.objective.evaluation_cost`), so that budgets are never overspent.

    A *stateful* estimator (shot-adaptive counts, a curvature average) also has
    ``init(dim) -> state`` (NamedTuples of arrays and numbers, checkpointed with the optimizer's),
    ``cost(objective, dim, step, state)`` and is called as
    ``(objective, theta, step, rng, state, lr, needed_by) -> (GradientEstimate, state)``, ``lr``
    the update rule's step size (``None`` if it has none) and ``needed_by`` the optimizer's name.
    """

    kind: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]

    def rows(self, dim: int, objective: Objective | None = None) -> int: ...

    def cost(self, objective: Objective, dim: int, step: int) -> Cost: ...

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate: ...


def estimator_rows(estimator: GradientEstimator, dim: int, objective: Objective | None) -> int:
    """The points one call of ``estimator`` evaluates on ``objective`` (None: on a generic one),
    passing the objective to the estimators whose count depends on it (multi-frequency shift rules)."""
    if objective is not None and "objective" in inspect.signature(estimator.rows).parameters:
        return estimator.rows(dim, objective)
    return estimator.rows(dim)


def require_batch_memory(
    rows: int,
    dim: int,
    needed_by: str,
    fix: str = "use an SPSA estimator instead (--set estimator.kind=spsa, or an optimizer built on one): it "
    "evaluates 2T points whatever the number of parameters.",
) -> None:
    """Refuse a batch of ``rows × dim`` floats that cannot fit in memory (the coordinate
    estimator's ``2P + 1`` rows on a large network, a setting that multiplies rows), before any step."""
    require_memory(
        8.0 * rows * dim, f"{needed_by} evaluates {rows:,} points of {dim:,} parameters at once, which", fix
    )
