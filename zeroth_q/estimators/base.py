"""What a gradient estimator is and what it returns."""

from __future__ import annotations

from typing import ClassVar, NamedTuple, Protocol, runtime_checkable

import numpy as np

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
    """

    kind: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]

    def __call__(
        self, objective: Objective, theta: np.ndarray, step: int, rng: np.random.Generator
    ) -> GradientEstimate: ...
