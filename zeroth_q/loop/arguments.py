"""The loop's public boundary: arguments of the wrong kind refused at the door.

``minimize`` takes objects (an objective, an optimizer, a :class:`Budget`, callbacks) that a
user writes or builds; a wrong one (a name, an int budget, an object without the hooks)
would otherwise fail with an AttributeError or TypeError from deep inside the loop. Each
check says what was expected and how to get it.
"""

from __future__ import annotations

from collections.abc import Sequence

from zeroth_q.config import require
from zeroth_q.errors import ConfigError
from zeroth_q.loop.budget import Budget
from zeroth_q.objective import Objective

CALLBACK_HOOKS = ("on_start", "on_step", "on_end")


def check_arguments(
    objective: object, optimizer: object, budget: object, callbacks: Sequence[object]
) -> None:
    """Refuse arguments of the wrong kind at the door, saying what was expected, rather than
    with an AttributeError from deep inside the loop."""
    if isinstance(objective, str):
        raise ConfigError(
            f"objective must be an Objective, not its name {objective!r}: build it with "
            f"zeroth_q.build_objective({objective!r}, {{...its parameters}}) and pass that (building may "
            f"load data, so it is a step of its own)."
        )
    require(
        isinstance(objective, Objective),
        f"objective must be an Objective (dim, initial_point, evaluate; zeroth_q/objective.py), got "
        f"{type(objective).__name__}.",
    )
    require(
        all(callable(getattr(optimizer, method, None)) for method in ("init", "step")),
        f"optimizer must be a name (zeroth_q.optimizer_names()) or an Optimizer (init, step_cost, step; "
        f"zeroth_q/optimizer.py), got {type(optimizer).__name__}.",
    )
    require(
        budget is None or isinstance(budget, Budget),
        f"budget must be a zeroth_q.Budget or None, e.g. Budget(steps=5) or Budget(shots=10**6), got "
        f"{type(budget).__name__} {budget!r}.",
    )
    require(
        isinstance(callbacks, Sequence) and not isinstance(callbacks, str),
        f"callbacks must be a list of callbacks, got {type(callbacks).__name__}.",
    )
    for i, callback in enumerate(callbacks):
        require(
            all(callable(getattr(callback, hook, None)) for hook in CALLBACK_HOOKS),
            f"callbacks[{i}] ({type(callback).__name__}) lacks {', '.join(CALLBACK_HOOKS)}: subclass "
            f"zeroth_q.Callback, which does nothing in the hooks you do not override.",
        )
