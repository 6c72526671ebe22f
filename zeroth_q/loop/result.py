"""What a run is (:class:`RunState`, checkpointed) and what it returns (:class:`Result`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from zeroth_q.loop.history import History
from zeroth_q.objective import Cost

Status = Literal["running", "completed", "diverged", "interrupted"]


@dataclass
class RunState:
    """Everything a resumed run needs to continue bit for bit.

    step: steps taken; x: the current point; opt_state: the optimizer's state;
    rng: the one generator every random draw of the run comes from; cost: cumulative;
    elapsed: wall seconds so far (across resumes); history: one row per step (a list of row
    dicts is taken as a :class:`History`); objective_state:
    the state of a :class:`~zeroth_q.objective.SupportsState` objective that the run starts
    from (its ``initial_state()``, or the checkpoint's), installed by ``minimize``.
    """

    step: int
    x: np.ndarray
    opt_state: Any
    rng: np.random.Generator
    cost: Cost = field(default_factory=Cost)
    elapsed: float = 0.0
    history: History = field(default_factory=History)
    status: Status = "running"
    message: str = ""
    objective_state: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.history, History):
            self.history = History(self.history)

    def result(self, final_loss: float, metrics: dict[str, float], final_cost: Cost) -> Result:
        """What the run returns: its point, step count, costs, status and history, with the final
        evaluation's loss, metrics and cost (a fresh run's end and an ended run read back)."""
        return Result(
            self.x.copy(),
            final_loss,
            self.step,
            self.cost,
            self.status,
            self.message,
            metrics,
            self.history,
            self.elapsed,
            final_cost,
        )


@dataclass
class Result:
    """The outcome of :func:`zeroth_q.minimize`, shaped like ``scipy.optimize.OptimizeResult``.

    x: final point; fun: loss at ``x`` (one final evaluation, on its own random draw,
    charged to the budget: a budget reserves it, so it always fits); nit: steps taken;
    cost: total cost including that final evaluation; status / message: why it stopped;
    metrics: the objective's metrics at ``x`` (exact where the objective can, e.g. the
    statevector energy; they cost nothing); history: one row per step plus a last row
    for ``x``, a sequence of row dicts held as columns (:class:`~zeroth_q.loop.history.History`:
    ``history[-1]["loss"]``, ``pd.DataFrame(history)``, ``history.column("loss")``);
    wall_time: seconds; final_cost: what the final evaluation cost (in ``cost``).
    """

    x: np.ndarray
    fun: float
    nit: int
    cost: Cost
    status: Status
    message: str
    metrics: dict[str, float]
    history: History
    wall_time: float
    final_cost: Cost = field(default_factory=Cost)

    def __post_init__(self) -> None:
        if not isinstance(self.history, History):
            self.history = History(self.history)

    @property
    def success(self) -> bool:
        return self.status == "completed"

    @property
    def best_loss(self) -> float:
        losses = self.history.column("loss")
        finite = losses[np.isfinite(losses)]
        return float(finite.min()) if finite.size else float("nan")
