"""What ``minimize`` asks of an optimizer: ``init``, ``step_cost`` and ``step``, and what a step returns.

The budget rule: before each step the loop asks ``step_cost`` (from the objective's cost
model, :class:`~zeroth_q.objective.SupportsCostModel`) and takes the step only if that
fits in what is left; it hands the step that :class:`~zeroth_q.objective.Allowance`, and a
step never spends more than its allowance. For a method of fixed cost ``step_cost`` is
exact; a method of variable cost (a line search) states the least a step can spend and
stops its own search before a call that would not fit the allowance.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

import numpy as np

from zeroth_q.objective import Allowance, Cost, Objective, require_capability


class StepOutcome(NamedTuple):
    """One optimizer step: the new point and state, the loss estimated at the old point
    (``None`` if the step did not estimate it), and what the step cost."""

    x: np.ndarray
    state: Any
    loss: float | None
    cost: Cost


class Optimizer(Protocol):
    """Any method ``minimize`` can run: first order, line search or second order.

    ``state`` must be a tree of NamedTuples/tuples with array or number leaves, so that a
    checkpoint can store it (:mod:`zeroth_q.loop.checkpoint`). An optional ``requires``, names
    of :data:`~zeroth_q.objective.CAPABILITIES`, is checked before a run starts, and so is an
    optional ``check_objective(objective)`` that raises a ConfigError for settings the objective
    makes meaningless (``final_shots`` without shots). An optional
    ``finish(objective, x, state, rng) -> (point, Evaluation)`` replaces the loop's final
    evaluation of ``x`` (iterate averaging, a final evaluation with more shots).
    """

    name: str

    def init(self, x: np.ndarray) -> Any: ...

    def step_cost(self, objective: Objective, x: np.ndarray, state: Any, step: int) -> Cost:
        """What step number ``step`` from ``(x, state)`` will spend (the least, if it varies)."""
        ...

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: Any,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """One step, spending at most ``allowance`` (``None``: no limit)."""
        ...

    def to_dict(self) -> dict[str, Any]: ...


def check_capabilities(optimizer: Optimizer, objective: Objective) -> None:
    """Fail before the first step (and before a run directory is written) if ``objective``
    lacks what ``optimizer`` calls, with the fix in the message."""
    for capability in getattr(optimizer, "requires", ()):
        require_capability(objective, capability, optimizer.name)
    check_objective = getattr(optimizer, "check_objective", None)
    if check_objective is not None:
        check_objective(objective)
