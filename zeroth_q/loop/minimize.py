"""``minimize``: the one loop that runs every optimizer against every objective.

Each step estimates and updates through the optimizer, adds the step's cost, and appends
a history row describing the iterate it started from: its loss (estimated on the step's
own random draw), the objective's metrics there (on a log-spaced schedule by default; metrics
cost no budget, but time, so an objective may give cheaper ``running_metrics`` for these rows),
the cumulative cost including this step, and the wall time. After the loop the final point is
evaluated once more and gets the last row, with the objective's full ``metrics``, so a history
always ends with the returned point and its final metrics.

The budget rule (:mod:`zeroth_q.loop.budget`): with a budget in a unit of cost, a step is
taken only if the optimizer's ``step_cost`` fits in what is left after setting aside the
final evaluation, which is charged to the budget like any other; the step receives that
allowance and may not spend more. So ``Result.cost`` never exceeds any limit.
"""

from __future__ import annotations

import inspect
import math
import numbers
import time
from collections.abc import Mapping, Sequence

import numpy as np

from zeroth_q.config import require
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.loop.arguments import check_arguments
from zeroth_q.loop.budget import Budget, describe
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import (
    UNLIMITED,
    Cost,
    Evaluation,
    Objective,
    SupportsMetrics,
    SupportsRunningMetrics,
    SupportsState,
    evaluate,
    evaluation_cost,
    first_excess,
    require_complete_state,
)
from zeroth_q.optimizer import Optimizer, check_capabilities

# The default metrics schedule: log-spaced, so that a run's records grow with the logarithm of
# its length (11 in a 1,200-step epoch, 17 in 10^5 steps) and a curve against log cost is
# resolved from the first step to the last. Metrics of a full-set pass cost as much as many
# steps (MNIST, linear model: 20,000 images ~ 12 one-sided T = 50 SPSA steps), so the former
# default of every 10 steps spent 62 % of such an epoch on them (issue 29).
METRICS_PER_DECADE = 3


def start_run(
    objective: Objective, optimizer: Optimizer, seed: int, x0: np.ndarray | None = None
) -> RunState:
    """A fresh run: the generator from ``seed``, ``x0`` or the objective's initial point,
    and the objective's initial state (e.g. no epoch of mini-batches drawn yet)."""
    rng = np.random.default_rng(seed)
    x = objective.initial_point(rng) if x0 is None else np.asarray(x0, dtype=float).copy()
    require(x.shape == (objective.dim,), f"x0 must have shape ({objective.dim},), got {x.shape}.")
    objective_state = objective.initial_state() if isinstance(objective, SupportsState) else {}
    return RunState(step=0, x=x, opt_state=optimizer.init(x), rng=rng, objective_state=objective_state)


def check_budget(objective: Objective, optimizer: Optimizer, budget: Budget, run: RunState) -> Cost:
    """Refuse, before any step, a budget that cannot be kept; return the final evaluation's cost,
    which the loop sets aside (``Cost()`` when the budget has no limit in a unit of cost).

    Refused: a limit in a unit the objective never spends (it would never end the run), a limit
    below what a resumed run has already spent with its final evaluation and, for a fresh run,
    a first step that does not fit together with the final evaluation.
    """
    limits = budget.cost_limits()
    if not limits:
        return Cost()
    step_parameters = inspect.signature(optimizer.step).parameters
    if not hasattr(optimizer, "step_cost") or "allowance" not in step_parameters:
        raise ConfigError(
            f"optimizer {optimizer.name!r} cannot keep a budget in {', '.join(limits)}: it needs "
            f"step_cost(objective, x, state, step) and step(..., allowance=None) (zeroth_q/optimizer.py); "
            f"give the budget in steps instead."
        )
    reserve = final_evaluation_cost(objective, optimizer)
    budget.check_units(reserve, type(objective).__name__)
    overspent = budget.allowance(run.cost + reserve).shortfall(Cost())
    if overspent:
        unit = next(iter(overspent))
        raise ConfigError(
            f"the run has already spent {getattr(run.cost, unit):,} {unit} in {run.step} steps (and its "
            f"final evaluation costs {getattr(reserve, unit):,}); a budget of {limits[unit]:,} {unit} is "
            f"below that: give at least {getattr(run.cost + reserve, unit):,} (--budget-{unit} "
            f"{getattr(run.cost + reserve, unit)} on --resume)."
        )
    if run.step == 0:
        first = optimizer.step_cost(objective, run.x, run.opt_state, run.step)
        short = budget.allowance(run.cost + reserve).shortfall(first)
        if short:
            unit = next(iter(short))
            raise ConfigError(
                f"one {optimizer.name} step costs {getattr(first, unit):,} {unit} (and the final "
                f"evaluation {getattr(reserve, unit):,}); the budget is {limits[unit]:,} {unit}. Raise the "
                f"budget to at least {getattr(first + reserve, unit):,}, or make a step cheaper (a step "
                f"costs {describe(first)})."
            )
    return reserve


def objective_metrics(objective: Objective, x: np.ndarray, *, final: bool = True) -> dict[str, float]:
    """The objective's metrics at ``x`` as floats: its full ``metrics`` for the ``final`` row (and
    by default), its cheaper ``running_metrics`` (when it has them) for the rows during the run."""
    if not isinstance(objective, SupportsMetrics):
        return {}
    running = not final and isinstance(objective, SupportsRunningMetrics)
    values = objective.running_metrics(x) if running else objective.metrics(x)
    return {k: float(v) for k, v in values.items()}


def history_row(run: RunState, loss: float | None, metrics: Mapping[str, float]) -> dict[str, float]:
    return {
        "step": run.step,
        **run.cost.as_dict(),
        "loss": float("nan") if loss is None else float(loss),
        **metrics,
        "wall_time": run.elapsed,
    }


def final_evaluation(
    objective: Objective, optimizer: Optimizer, run: RunState
) -> tuple[np.ndarray, Evaluation]:
    """The point a run returns and its one final evaluation: the optimizer's own ``finish``
    when it has one (iterate averaging, a high-shot evaluation; :mod:`zeroth_q.composition`),
    else ``run.x`` evaluated once."""
    finish = getattr(optimizer, "finish", None)
    if finish is None:
        return run.x, evaluate(objective, run.x[None, :], run.rng)
    return finish(objective, run.x, run.opt_state, run.rng)


def final_evaluation_cost(objective: Objective, optimizer: Optimizer) -> Cost:
    """What :func:`final_evaluation` will charge: the optimizer's ``finish_cost`` when it has
    its own ``finish``, else one evaluation; a budget sets it aside from the start."""
    finish_cost = getattr(optimizer, "finish_cost", None)
    return finish_cost(objective) if finish_cost is not None else evaluation_cost(objective, 1)


def minimize(
    objective: Objective,
    optimizer: Optimizer,
    budget: Budget | None = None,
    *,
    callbacks: Sequence[Callback] = (),
    seed: int = 0,
    x0: np.ndarray | None = None,
    metrics_every: int = 0,
    metrics_per_decade: int = METRICS_PER_DECADE,
    resume: RunState | None = None,
) -> Result:
    """Minimise ``objective`` with ``optimizer`` until ``budget`` (default 100 steps) is spent.

    optimizer: any object with the :class:`~zeroth_q.optimizer.Optimizer` protocol (names are
        resolved by :func:`zeroth_q.minimize`, which calls this).
    seed: seeds the one generator all draws come from (start point, directions,
        mini-batches, shots): the same seed gives the same run, also on an objective object
        that earlier runs used (its state is reset to ``initial_state()`` first).
    metrics_every: compute ``objective.metrics`` every this many steps (0: not on a fixed period).
    metrics_per_decade: also compute them at about this many log-spaced steps per decade of
        steps (:func:`metrics_due`), so that a plot against log cost is resolved from the first
        steps to the last. Both 0: only at the end, where they are always computed.
    resume: a :class:`RunState` loaded from a checkpoint; the run continues from it and
        produces the same history as an uninterrupted run.

    A non-finite loss or point stops the run with status ``diverged`` (history kept);
    Ctrl-C stops it with status ``interrupted`` after the callbacks saw the last step.
    """
    check_arguments(objective, optimizer, budget, callbacks)
    budget = budget or Budget(steps=100)
    require(metrics_every >= 0, f"metrics_every must be >= 0 (got {metrics_every}).")
    require(metrics_per_decade >= 0, f"metrics_per_decade must be >= 0 (got {metrics_per_decade}).")
    require(
        isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0,
        f"seed must be an integer >= 0 (got {seed!r}).",
    )
    check_capabilities(optimizer, objective)
    require_complete_state(objective)
    run = resume if resume is not None else start_run(objective, optimizer, seed, x0)
    if isinstance(objective, SupportsState):
        objective.set_state(run.objective_state)
    reserve = check_budget(objective, optimizer, budget, run)
    clock_start = time.perf_counter() - run.elapsed
    for callback in callbacks:
        callback.on_start(run)
    try:
        schedule = (metrics_every, metrics_per_decade)
        _loop(objective, optimizer, budget, run, callbacks, schedule, clock_start, reserve)
    except KeyboardInterrupt:
        run.status, run.message = "interrupted", f"interrupted by the user after {run.step} steps"
    final_cost = Cost()
    if run.status == "interrupted":
        final_loss, metrics = float("nan"), {}
    else:
        run.x, final = final_evaluation(objective, optimizer, run)
        if budget.cost_limits() and (unit := first_excess(final.cost, reserve)):
            raise ZerothQError(
                f"the final evaluation of {optimizer.name} charged {getattr(final.cost, unit):,} {unit}, "
                f"more than the {getattr(reserve, unit):,} stated for it (the optimizer's finish_cost, "
                f"else the objective's cost(1)) and set aside from the budget: make the two agree."
            )
        final_cost = final.cost
        run.cost += final.cost
        final_loss, metrics = float(final.values[0]), objective_metrics(objective, run.x, final=True)
        run.elapsed = time.perf_counter() - clock_start
        run.history.append(history_row(run, final_loss, metrics))
    result = run.result(final_loss, metrics, final_cost)
    for callback in callbacks:
        callback.on_end(run, result)
    return result


def metrics_due(step: int, every: int, per_decade: int) -> bool:
    r"""Whether step ``step`` records metrics: every ``every`` steps, and where
    :math:`\lfloor K \log_{10}(s + 1) \rfloor` (K = ``per_decade``) first reaches a new value,
    which is step 0, then about K steps per decade (all of the first ones while 1/K of a
    decade is less than one step)."""
    if every and step % every == 0:
        return True
    if not per_decade:
        return False
    if step == 0:
        return True
    return math.floor(per_decade * math.log10(step + 1)) > math.floor(per_decade * math.log10(step))


def _loop(
    objective: Objective,
    optimizer: Optimizer,
    budget: Budget,
    run: RunState,
    callbacks: Sequence[Callback],
    schedule: tuple[int, int],
    clock_start: float,
    reserve: Cost,
) -> None:
    metered = bool(budget.cost_limits())
    while run.status == "running":
        reason = budget.exhausted(run.step, run.elapsed)
        if reason is None and metered:
            planned = optimizer.step_cost(objective, run.x, run.opt_state, run.step)
            reason = budget.stop_reason(run.cost, planned, reserve, run.step)
        if reason:
            run.status, run.message = "completed", reason
            return
        # Only a metered run hands the step an allowance: an optimizer written to the protocol
        # without one (no step_cost, no allowance) still runs on steps or seconds (check_budget).
        allowance = budget.allowance(run.cost + reserve) if metered else UNLIMITED
        limit = {"allowance": allowance} if metered else {}
        due = metrics_due(run.step, *schedule)
        metrics = objective_metrics(objective, run.x, final=False) if due else {}
        outcome = optimizer.step(objective, run.x, run.opt_state, run.step, run.rng, **limit)
        if not allowance.covers(outcome.cost):
            raise ZerothQError(
                f"{optimizer.name} spent {describe(outcome.cost)} in step {run.step}, more than it was "
                f"allowed ({allowance.shortfall(outcome.cost)}, as (spent, allowed) per unit): its step_cost "
                f"or its own budget check is wrong."
            )
        run.cost += outcome.cost
        run.elapsed = time.perf_counter() - clock_start
        run.history.append(history_row(run, outcome.loss, metrics))
        finite_loss = outcome.loss is None or math.isfinite(outcome.loss)
        if not (finite_loss and np.all(np.isfinite(outcome.x))):
            run.status = "diverged"
            run.message = (
                f"loss or parameters became non-finite at step {run.step} (loss {outcome.loss}); "
                f"lower the learning rate (lr) or perturbation size (c)"
            )
            return
        run.x, run.opt_state = outcome.x, outcome.state
        run.step += 1
        for callback in callbacks:
            callback.on_step(run)
