"""Budgets: stop after so many steps, evaluations, shots or seconds, whichever comes first.

Evaluation and shot budgets are *predictive*: a step is taken only if the previous step's
cost still fits, so a run never overspends its budget when each step costs the same
(every estimator here has a fixed cost per step). The final evaluation of the returned
point is reported separately in the last history row.
"""

from __future__ import annotations

from dataclasses import dataclass

from zeroth_q.config import coerce, require
from zeroth_q.objective import Cost


@dataclass(frozen=True)
class Budget:
    steps: int | None = None
    evaluations: int | None = None
    shots: int | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "evaluations", "shots", "seconds"):
            value = getattr(self, name)
            if value is not None:
                # 1.5 steps or "5" steps would compare, then count wrongly; 5.0 becomes 5.
                value = coerce(value, float if name == "seconds" else int, f"budget {name}")
                object.__setattr__(self, name, value)
            require(value is None or value > 0, f"budget {name} must be > 0 (got {value}).")
        require(
            any(v is not None for v in (self.steps, self.evaluations, self.shots, self.seconds)),
            "a budget needs at least one of steps, evaluations, shots, seconds.",
        )

    def exhausted(self, step: int, spent: Cost, elapsed: float, last_step: Cost | None) -> str | None:
        """Why the run must stop before step ``step`` (0-based), or None to go on."""
        if self.steps is not None and step >= self.steps:
            return f"reached {self.steps} steps"
        for name in ("evaluations", "shots"):
            limit = getattr(self, name)
            if limit is not None:
                next_total = getattr(spent, name) + (getattr(last_step, name) if last_step else 0)
                if next_total > limit or getattr(spent, name) >= limit:
                    return f"{name} budget of {limit:,} would be exceeded by another step"
        if self.seconds is not None and elapsed >= self.seconds:
            return f"reached the wall-clock budget of {self.seconds:g} s"
        return None
