"""Callbacks: what happens beside the optimization loop (progress, files, logging).

A callback may implement any of ``on_start(run)``, ``on_step(run)`` (after each step) and
``on_end(run, result)``. :class:`ProgressBar` is the one every CLI run shows; the run
directory writer lives in :mod:`zeroth_q.runs.directory`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np
from tqdm.auto import tqdm

from zeroth_q.loop.budget import Budget, describe
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import Cost

UNITS = ("shots", "evaluations", "circuits", "examples")
# Fractions of the budget at which a progress log (not a terminal) writes a line; the end writes one too.
MILESTONES = (0.1, 0.25, 0.5, 0.75)


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
    """Progress over the budget that binds first (steps, else shots, evaluations, circuits,
    examples, seconds), with the latest loss and ``main_metric``, written to ``file``
    (default ``sys.stderr``) in the form that reads well there.

    On a terminal (or a Jupyter kernel's output) it is a tqdm bar. Anywhere else (a
    redirected log, CI, SLURM's output file) carriage-return updates would pile up as one
    long line per refresh, so it writes one short line at each of :data:`MILESTONES` of the
    budget and one at the end: step, loss, main metric, cost spent, elapsed seconds.
    """

    def __init__(
        self,
        budget: Budget,
        main_metric: str | None = None,
        *,
        file: TextIO | None = None,
        **tqdm_kwargs: Any,
    ) -> None:
        self.budget, self.main_metric, self.file = budget, main_metric, file
        self.unit = next(u for u in ("steps", *UNITS, "seconds") if getattr(budget, u) is not None)
        self.tqdm_kwargs = tqdm_kwargs
        self.bar: tqdm | None = None
        self.metric: float | None = None
        self.milestones: list[float] = []
        self.stream: TextIO | None = None  # where milestone lines go, when not a terminal

    @property
    def total(self) -> float:
        """The binding limit, in :attr:`unit`."""
        return getattr(self.budget, self.unit)

    def _position(self, run: RunState) -> float:
        if self.unit == "steps":
            return run.step
        return round(run.elapsed, 1) if self.unit == "seconds" else getattr(run.cost, self.unit)

    def on_start(self, run: RunState) -> None:
        stream = self.file if self.file is not None else sys.stderr
        if is_interactive(stream):
            self.bar = tqdm(
                total=self.total,
                initial=self._position(run),
                unit=self.unit[:-1],
                dynamic_ncols=True,
                file=self.file,
                **self.tqdm_kwargs,
            )
            return
        self.stream = stream
        done = self._position(run) / self.total
        self.milestones = [m for m in MILESTONES if m > done]  # a resumed run: the ones still ahead
        start = "resumed at step {run.step}" if run.step else "started"
        self._write(f"{start.format(run=run)}, budget {self.total:,} {self.unit}")

    def on_step(self, run: RunState) -> None:
        row = run.history[-1]
        if self.main_metric and self.main_metric in row:
            self.metric = row[self.main_metric]
        if self.bar is not None:
            postfix = {"loss": f"{row['loss']:.5g}"}
            if self.metric is not None and not math.isnan(self.metric):
                postfix[self.main_metric] = f"{self.metric:.5g}"
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(self._position(run) - self.bar.n)
            return
        done = self._position(run) / self.total
        passed = [m for m in self.milestones if m <= done]
        if passed:
            self.milestones = self.milestones[len(passed) :]
            self._write(
                self._line(f"{passed[-1]:.0%}", run.step, row["loss"], self.metric, run.cost, run.elapsed)
            )

    def on_end(self, run: RunState, result: Result) -> None:
        if self.bar is not None:
            self.bar.close()
            return
        metric = result.metrics.get(self.main_metric) if self.main_metric else None
        done = f"{min(self._position(run) / self.total, 1):.0%}"
        line = self._line(done, result.nit, result.fun, metric, result.cost, result.wall_time)
        self._write(f"{result.status}, {line}")

    def _line(
        self, done: str, step: int, loss: float, metric: float | None, cost: Cost, elapsed: float
    ) -> str:
        parts = [f"{done} of the {self.unit} budget", f"step {step:,}", f"loss {loss:.5g}"]
        if self.main_metric and metric is not None and not math.isnan(metric):
            parts.append(f"{self.main_metric} {metric:.5g}")
        return ", ".join([*parts, describe(cost), f"{elapsed:.1f} s"])

    def _write(self, text: str) -> None:
        desc = self.tqdm_kwargs.get("desc")
        print(f"{desc}: {text}" if desc else text, file=self.stream, flush=True)


def is_interactive(stream: TextIO) -> bool:
    """Whether ``stream`` redraws a line in place: a terminal, or a Jupyter kernel's output
    (where ``tqdm.auto`` draws a widget although the stream is not a TTY)."""
    if type(stream).__module__.startswith("ipykernel"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


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
