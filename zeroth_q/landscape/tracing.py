"""Run several optimizers from one start and keep every iterate and the loss the run saw there.

Each path is one :func:`~zeroth_q.loop.minimize.minimize` run with a callback that keeps the
iterates. The loss at iterate ``k`` is the run's own history: row ``k`` is the loss the step
from ``x_k`` measured there, and the run's final evaluation gives the last point's.
Estimators that can evaluate the centre point (SPSA, ZO-*) are asked to
(``evaluate_center=True``, one more row in the same ``evaluate`` call, the path unchanged
on a deterministic objective), so that every method but 2-SPSA/QN-SPSA (which report the
mean of their perturbed points) records ``f(x_k)`` itself, and the legend and the GIF show
the loss the contour shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zeroth_q.errors import unknown
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.callbacks import Callback, StopWhenConverged
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import RunState
from zeroth_q.objective import Objective, SupportsFidelity, SupportsGradient, SupportsLayerCurvature
from zeroth_q.optimizer import Optimizer
from zeroth_q.optimizers import OPTIMIZERS, get_optimizer

ALIASES = {"sgd": "backprop-sgd", "adam": "backprop-adam", "amsgrad": "backprop-amsgrad"}
GRADIENT_OPTIMIZERS = "sgd,adam,spsa,zo-adam,newton,bfgs,lbfgs"
NETWORK_OPTIMIZERS = ",kfac"
EVALUATION_ONLY_OPTIMIZERS = "spsa,zo-adam,parameter-shift-adam,2spsa"
# Step sizes with which each method visibly moves in 100 steps on the default study (XOR,
# two output weights trained from (2, -2)): the catalogue's defaults are tuned for long
# MNIST runs, where backprop-Adam at 1e-3 would not leave the start marker here. ``--lr``
# overrides them all.
STEP_SIZES: Mapping[str, Mapping[str, Any]] = {
    "backprop-sgd": {"lr": 1.0},
    "backprop-adam": {"lr": 0.1},
    "backprop-amsgrad": {"lr": 0.1},
    "zo-adam": {"lr": 0.1},
    "zo-adamm": {"lr": 0.1},
    "spsa": {"target_step": 0.5},
    "parameter-shift-adam": {"lr": 0.1},
}


def default_optimizers(objective: Objective) -> str:
    """What the objective can run: gradient methods (and K-FAC for networks) where it has a
    gradient, else evaluation-only ones (and QN-SPSA where it measures fidelities)."""
    if isinstance(objective, SupportsLayerCurvature):
        return GRADIENT_OPTIMIZERS + NETWORK_OPTIMIZERS
    if isinstance(objective, SupportsGradient):
        return GRADIENT_OPTIMIZERS
    return EVALUATION_ONLY_OPTIMIZERS + (",qnspsa" if isinstance(objective, SupportsFidelity) else "")


def parameter_names(config: Mapping[str, Any]) -> set[str]:
    """Every key of an optimizer's ``to_dict()``, its components' included: the names a flat
    ``with_params`` reaches."""
    names = set(config)
    for value in config.values():
        if isinstance(value, Mapping):
            names |= parameter_names(value)
    return names


def optimizer_for(name: str, lr: float | None = None, damping: float | None = None) -> Optimizer:
    """A registered optimizer by name or alias, with the landscape's step size (or ``lr``) and
    ``damping`` wherever it has such a parameter, measuring the loss at its iterates."""
    resolved = ALIASES.get(name, name)
    if resolved not in OPTIMIZERS:
        raise unknown("optimizer", name, [*OPTIMIZERS, *ALIASES])
    keys = parameter_names(get_optimizer(resolved).to_dict())
    given = {key: value for key, value in (("lr", lr), ("damping", damping)) if value is not None}
    tuned = {} if lr is not None else STEP_SIZES.get(resolved, {})
    centre = {"evaluate_center": True} if "evaluate_center" in keys else {}
    return get_optimizer(resolved, {**tuned, **centre, **{k: v for k, v in given.items() if k in keys}})


class IterateRecorder(Callback):
    """Keeps ``x`` at the start and after every step."""

    def __init__(self) -> None:
        self.points: list[np.ndarray] = []

    def on_start(self, run: RunState) -> None:
        self.points.append(run.x.copy())

    def on_step(self, run: RunState) -> None:
        self.points.append(run.x.copy())


@dataclass
class TracedPath:
    """One optimizer's iterates (start included) in the traced objective's coordinates, the
    loss the run recorded at each, and how the run ended. ``coordinates`` (on the drawn
    plane) and ``off_plane`` (each iterate's distance from it) are filled in once a plane
    is chosen."""

    name: str
    points: np.ndarray
    losses: np.ndarray
    status: str
    message: str
    coordinates: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    off_plane: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    @property
    def start_loss(self) -> float:
        return float(self.losses[0])

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def iterate_losses(history: Sequence[Mapping[str, float]], steps: int) -> np.ndarray:
    """The loss at each of the ``steps + 1`` iterates from a run's history: the rows of the
    steps taken, then the final evaluation (a diverged step's row is not an iterate's)."""
    return np.array([row["loss"] for row in history[:steps]] + [history[-1]["loss"]], dtype=float)


def trace_paths(
    objective: Objective,
    names: Sequence[str],
    start: np.ndarray,
    steps: int,
    tol: float,
    lr: float | None,
    damping: float | None,
    seed: int,
) -> list[TracedPath]:
    """One run per optimizer from ``start``, ``steps`` at most, stopped early below ``tol``."""
    paths = []
    for name in names:
        recorder = IterateRecorder()
        callbacks: list[Callback] = [recorder] + ([StopWhenConverged(tol)] if tol > 0 else [])
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the status
            result = minimize(
                objective,
                optimizer_for(name, lr, damping),
                Budget(steps=steps),
                x0=start,
                seed=seed,
                callbacks=callbacks,
                metrics_every=0,
                metrics_per_decade=0,
            )
        points = np.array(recorder.points)
        losses = iterate_losses(result.history, len(points) - 1)
        paths.append(TracedPath(name, points, losses, result.status, result.message))
    return paths


def pretrained_point(objective: Objective, steps: int, seed: int) -> np.ndarray:
    """The objective's initial point after ``steps`` of Adam on all parameters (backprop
    where the objective has a gradient, else SPSA estimates; lr 0.05): the trained model
    whose other parameters an exact landscape holds fixed."""
    start = objective.initial_point(np.random.default_rng(seed))
    if steps == 0:
        return start
    name = "backprop-adam" if isinstance(objective, SupportsGradient) else "zo-adam"
    result = minimize(
        objective,
        get_optimizer(name, lr=0.05),
        Budget(steps=steps),
        x0=start,
        seed=seed,
        metrics_every=0,
        metrics_per_decade=0,
    )
    return result.x
