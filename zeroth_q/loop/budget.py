"""Budgets: steps, evaluations, circuits, shots, examples or seconds, whichever binds first.

A budget in a unit of :class:`~zeroth_q.objective.Cost` is a contract, never overspent:
before each step the optimizer states what the step will cost (``step_cost``, from the
objective's cost model) and the step is taken only if it fits in what is left *after*
reserving the final evaluation of the returned point, which is charged to the budget
too. A run whose first step does not fit is refused before it starts, and a budget in a
unit the objective never spends (shots on an exact objective) is refused up front,
since it could never end the run. Steps and seconds are checked before each step; a
step already started is not cut short by the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from zeroth_q.config import coerce, require
from zeroth_q.errors import ConfigError
from zeroth_q.objective import COST_UNITS, Allowance, Cost


@dataclass(frozen=True)
class Budget:
    """Limits of a run, each optional (at least one): ``steps``, ``seconds``, and one per unit
    of :class:`~zeroth_q.objective.Cost` (``evaluations``, ``shots``, ``circuits``, ``examples``)."""

    steps: int | None = None
    evaluations: int | None = None
    shots: int | None = None
    seconds: float | None = None
    circuits: int | None = None
    examples: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                # 1.5 steps or "5" steps would compare, then count wrongly; 5.0 becomes 5.
                value = coerce(value, float if f.name == "seconds" else int, f"budget {f.name}")
                object.__setattr__(self, f.name, value)
            require(value is None or value > 0, f"budget {f.name} must be > 0 (got {value}).")
        require(
            any(getattr(self, f.name) is not None for f in fields(self)),
            f"a budget needs at least one of {', '.join(f.name for f in fields(self))}.",
        )

    def cost_limits(self) -> dict[str, int]:
        """The limits in units of :class:`Cost` (the ones ``step_cost`` is checked against)."""
        return {unit: limit for unit in COST_UNITS if (limit := getattr(self, unit)) is not None}

    def allowance(self, spent: Cost) -> Allowance:
        """What may still be spent after ``spent``."""
        return Allowance(**{unit: limit - getattr(spent, unit) for unit, limit in self.cost_limits().items()})

    def exhausted(self, step: int, elapsed: float) -> str | None:
        """Why the run must stop before step ``step`` (0-based) by steps or seconds, or None."""
        if self.steps is not None and step >= self.steps:
            return f"reached {self.steps} steps"
        if self.seconds is not None and elapsed >= self.seconds:
            return f"reached the wall-clock budget of {self.seconds:g} s"
        return None

    def check_units(self, per_evaluation: Cost, objective_name: str) -> None:
        """Refuse a limit in a unit that one evaluation of the objective does not spend:
        such a budget would never end the run."""
        for unit in self.cost_limits():
            if getattr(per_evaluation, unit) == 0:
                spent = [u for u in COST_UNITS if getattr(per_evaluation, u)]
                shots_hint = ", or give the objective shots (--set shots=N)" if unit == "shots" else ""
                raise ConfigError(
                    f"{objective_name} spends no {unit} (an evaluation costs {describe(per_evaluation)}), "
                    f"so a {unit} budget would never end the run; give the budget in "
                    f"{' or '.join(spent + ['steps'])}{shots_hint}."
                )

    def stop_reason(self, spent: Cost, next_step: Cost, reserve: Cost, step: int) -> str | None:
        """Why step ``step`` (costing ``next_step``) cannot be taken within the budget, once
        ``spent`` is spent and ``reserve`` (the final evaluation) is set aside; None if it fits."""
        short = self.allowance(spent + reserve).shortfall(next_step)
        if not short:
            return None
        unit, (cost, left) = next(iter(short.items()))
        final = getattr(reserve, unit)
        return (
            f"{unit} budget of {getattr(self, unit):,} reached after {step} steps: {left + final:,} left "
            f"({final:,} of them for the final evaluation), the next step costs {cost:,}"
        )


def describe(cost: Cost) -> str:
    """``"1 evaluation, 2 circuits, 1,000 shots"``: the nonzero units of a cost."""
    parts = [
        f"{value:,} {unit if value != 1 else unit[:-1]}"
        for unit in COST_UNITS
        if (value := getattr(cost, unit))
    ]
    return ", ".join(parts) or "nothing"
