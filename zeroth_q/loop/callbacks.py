"""Callbacks: what happens beside the optimization loop (progress, files, logging).

A callback may implement any of ``on_start(run)``, ``on_step(run)`` (after each step) and
``on_end(run, result)``. :class:`ProgressBar` is the one every CLI run shows; the run
directory writer lives in :mod:`zeroth_q.runs.directory`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from zeroth_q.loop.budget import Budget
from zeroth_q.loop.result import Result, RunState

UNITS = ("shots", "evaluations", "circuits", "examples")


class Callback:
    """Base class with do-nothing hooks, so a callback implements only what it needs."""

    def on_start(self, run: RunState) -> None:
        pass

    def on_step(self, run: RunState) -> None:
        pass

    def on_end(self, run: RunState, result: Result) -> None:
        pass


class Terminate(Callback):
    """Stop the run after the first step at which ``condition(run)`` is true; the run ends
    with status ``completed`` (the returned point is evaluated as usual) and ``reason``.

    qiskit-algorithms' ``termination_checker(nfev, x, fx, stepsize, accepted)`` reads the
    same facts here: ``run.cost.evaluations``, ``run.x``, ``run.history[-1]["loss"]``.
    """

    def __init__(self, condition: Callable[[RunState], bool], reason: str = "termination condition met"):
        self.condition, self.reason = condition, reason

    def on_step(self, run: RunState) -> None:
        if run.status == "running" and self.condition(run):
            run.status, run.message = "completed", f"{self.reason} after {run.step} steps"


class ProgressBar(Callback):
    """A tqdm bar over the budget that binds first (steps, else shots, evaluations, circuits,
    examples, seconds), showing the latest loss and ``main_metric``."""

    def __init__(self, budget: Budget, main_metric: str | None = None, **tqdm_kwargs: Any) -> None:
        self.budget, self.main_metric = budget, main_metric
        self.unit = next(u for u in ("steps", *UNITS, "seconds") if getattr(budget, u) is not None)
        self.tqdm_kwargs = tqdm_kwargs
        self.bar: tqdm | None = None
        self.metric: float | None = None

    def _position(self, run: RunState) -> float:
        if self.unit == "steps":
            return run.step
        return round(run.elapsed, 1) if self.unit == "seconds" else getattr(run.cost, self.unit)

    def on_start(self, run: RunState) -> None:
        self.bar = tqdm(
            total=getattr(self.budget, self.unit),
            initial=self._position(run),
            unit=self.unit[:-1],
            dynamic_ncols=True,
            **self.tqdm_kwargs,
        )

    def on_step(self, run: RunState) -> None:
        row = run.history[-1]
        if self.main_metric and self.main_metric in row:
            self.metric = row[self.main_metric]
        postfix = {"loss": f"{row['loss']:.5g}"}
        if self.metric is not None and not math.isnan(self.metric):
            postfix[self.main_metric] = f"{self.metric:.5g}"
        assert self.bar is not None
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update(self._position(run) - self.bar.n)

    def on_end(self, run: RunState, result: Result) -> None:
        if self.bar is not None:
            self.bar.close()


class StopWhenConverged(Callback):
    """Stop the run (status ``completed``) once a step moves ``x`` by less than ``tol``
    (Euclidean norm): the usual ``xtol`` criterion of deterministic optimizers. A step that
    does not move at all (rejected by Levenberg–Marquardt or by blocking) does not count."""

    def __init__(self, tol: float) -> None:
        self.tol = tol
        self.previous: np.ndarray | None = None

    def on_start(self, run: RunState) -> None:
        self.previous = run.x.copy()

    def on_step(self, run: RunState) -> None:
        moved = float(np.linalg.norm(run.x - self.previous)) if self.previous is not None else np.inf
        self.previous = run.x.copy()
        if 0 < moved < self.tol:
            run.status, run.message = (
                "completed",
                f"converged: the last step moved x by {moved:.3g} < tol {self.tol:g}",
            )
