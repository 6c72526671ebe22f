r"""SPSA with the safeguards qiskit-algorithms' ``SPSA`` users rely on (Spall 1998, 2000).

The step is the composed SPSA step (an :class:`~zeroth_q.estimators.SPSAGradient` and an
update rule, Spall's calibrated gains by default); around it:

* ``calibration_steps``: with the default update (SGD with ``lr=None``), the gain ``a`` of
  :math:`a_k = a/(k+1+A)^\alpha` is calibrated at the start point from this many extra
  two-sided directions, the mean magnitude of their one-direction estimates
  (:mod:`zeroth_q.stochastic.calibration`; Spall 1998, §III, and qiskit's
  ``SPSA.calibrate``, 25 directions), so that the first step moves each coordinate by
  ``target_step`` (2π/10) on average. Their ``2·calibration_steps`` points go into the SAME
  batched call as the first step's gradient points and are counted in step 0's cost.
  ``0``: calibrate from the first step's own estimate instead (no extra evaluations, but one
  direction's magnitude, so the gain varies much more from seed to seed).

* ``resamplings``: how many SPSA directions are averaged per step, a number or a per-step
  schedule ``{step: count}`` (0-based steps; unlisted steps use the estimator's
  ``perturbations``), as qiskit's ``resamplings`` int or dict.
* ``blocking`` (Spall 2000, §III, "blocking"): after the update, evaluate ``f`` at the
  proposed point and reject the step if :math:`f(\theta_{k+1}) \ge f_k + \delta`, where
  :math:`f_k` is the loss of the last accepted point; one extra evaluation per step. The
  tolerance δ is ``allowed_increase``, by default twice the standard deviation of ``f``
  estimated from ``calibration_samples`` evaluations of the start point (qiskit's
  ``2 * estimate_stddev(...)`` with 25 samples), whose mean is :math:`f_0`. These go into the
  SAME batched call as the first step's gradient points; that presumes the rows of one call
  are independent draws (true for shot noise); for a loss whose random draw is shared by the
  batch (a mini-batch) the estimate is 0, so set ``allowed_increase`` explicitly there.
* ``last_avg``: return the mean of the last ``k`` accepted iterates (qiskit's ``last_avg``),
  which averages out the final iterates' jitter in the noise-dominated regime.
* ``final_shots``: the returned point is evaluated once with this many shots per measured
  group (:class:`~zeroth_q.objective.SupportsShots`), charged like everything else, so the
  reported final loss is precise even when the steps used few shots.

Stopping early (qiskit's ``termination_checker``) is a loop callback for every optimizer:
:class:`zeroth_q.loop.callbacks.Terminate`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.errors import ConfigError
from zeroth_q.estimators import GradientEstimator, SPSAGradient
from zeroth_q.estimators.perturbed import perturbed_points
from zeroth_q.objective import (
    Allowance,
    Cost,
    Evaluation,
    Objective,
    Perturbations,
    SupportsShots,
    evaluate,
    evaluation_cost,
    shots_cost,
)
from zeroth_q.optimizer import StepOutcome
from zeroth_q.stochastic.calibration import (
    calibrates_gain,
    calibration_perturbations,
    spall_gain,
    unit_gain_transform,
)
from zeroth_q.updates.rules import SGD, UpdateRule
from zeroth_q.updates.transforms import GradientTransformation

# Spall's and qiskit-algorithms' calibration target: the first step moves each coordinate by
# 2π/10 on average (qiskit's SPSA.calibrate, target_magnitude).
SPALL_TARGET_STEP = 2 * math.pi / 10


class SPSAState(NamedTuple):
    """inner: the update rule's state; loss: f at the last accepted point (blocking; NaN
    before the first step); allowed_increase: δ (calibrated at step 0 unless given);
    recent: (k, P) the last accepted iterates, oldest first (for ``last_avg``); gain: the
    calibrated ``a`` multiplying the update rule's step (NaN before step 0; 1 when the rule
    sets its own step size)."""

    inner: Any
    loss: float
    allowed_increase: float
    recent: np.ndarray
    gain: float


class _FirstCallWithExtraRows:
    """An objective whose next ``evaluate`` also evaluates ``extra`` rows in the same call;
    their values are kept in ``extra_values``. This is how calibration points join the first
    gradient's batch without the estimator knowing."""

    def __init__(self, objective: Objective, extra: np.ndarray) -> None:
        self.objective, self.extra = objective, extra
        self.extra_values: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return self.objective.dim

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.objective.initial_point(rng)

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        if self.extra_values is not None:
            return evaluate(self.objective, thetas, rng)
        evaluation = evaluate(self.objective, np.concatenate([thetas, self.extra]), rng)
        self.extra_values = np.asarray(evaluation.values[len(thetas) :], dtype=float)
        return Evaluation(evaluation.values[: len(thetas)], evaluation.cost)


@dataclass(frozen=True)
class SPSA(Configurable):
    """SPSA = :class:`~zeroth_q.estimators.SPSAGradient` + an update rule, with blocking,
    resamplings, iterate averaging and a final high-shot evaluation (module docstring)."""

    name: str = "spsa"
    estimator: GradientEstimator = SPSAGradient()
    update: UpdateRule = SGD(lr=None, schedule="spall", target_step=SPALL_TARGET_STEP)
    blocking: bool = False
    allowed_increase: float | None = None
    calibration_samples: int = 25
    calibration_steps: int = 25
    resamplings: int | dict[str, int] | None = None
    last_avg: int = 1
    final_shots: int | None = None

    def __post_init__(self) -> None:
        require(
            self.allowed_increase is None or self.allowed_increase >= 0,
            f"allowed_increase must be >= 0 or null (calibrated), got {self.allowed_increase}.",
        )
        require(self.calibration_samples >= 2, "calibration_samples must be >= 2 (a standard deviation).")
        require(self.calibration_steps >= 0, f"calibration_steps must be >= 0, got {self.calibration_steps}.")
        require(self.last_avg >= 1, f"last_avg must be >= 1 (got {self.last_avg}).")
        require(self.final_shots is None or self.final_shots >= 1, "final_shots must be >= 1 or null.")
        counts = self.resamplings.values() if isinstance(self.resamplings, dict) else [self.resamplings or 1]
        require(all(int(c) >= 1 for c in counts), f"resamplings must be >= 1 (got {self.resamplings}).")
        if isinstance(self.resamplings, dict):
            for key in self.resamplings:
                if not str(key).isdigit():
                    raise ConfigError(f"resamplings keys are step numbers (0, 1, ...), got {key!r}.")

    @property
    def requires(self) -> tuple[str, ...]:
        return self.estimator.requires + (("shots",) if self.final_shots else ())

    @property
    def calibrates_gain(self) -> bool:
        """Whether step 0 calibrates the gain from ``calibration_steps`` directions: the
        update is SGD with ``lr=None`` and the estimator SPSA's."""
        spsa_estimator = isinstance(self.estimator, SPSAGradient)
        return spsa_estimator and calibrates_gain(self.update, self.calibration_steps)

    @cached_property
    def transform(self) -> GradientTransformation:
        """The update rule's transformation (:func:`~zeroth_q.stochastic.calibration.unit_gain_transform`)."""
        steps = self.calibration_steps if isinstance(self.estimator, SPSAGradient) else 0
        return unit_gain_transform(self.update, steps)

    def directions(self, step: int) -> int:
        """The number of SPSA directions averaged at ``step``."""
        if isinstance(self.resamplings, dict):
            schedule = {int(k): int(v) for k, v in self.resamplings.items()}
            return schedule.get(step, getattr(self.estimator, "perturbations", 1))
        return self.resamplings or getattr(self.estimator, "perturbations", 1)

    def estimator_at(self, step: int) -> GradientEstimator:
        if isinstance(self.estimator, SPSAGradient):
            return dataclasses.replace(self.estimator, perturbations=self.directions(step))
        return self.estimator

    def blocking_rows(self, step: int) -> int:
        """Start-point evaluations added to the first step for blocking: ``calibration_samples``
        when δ is calibrated, one for :math:`f_0` when it is given, none without blocking."""
        if not self.blocking or step > 0:
            return 0
        return self.calibration_samples if self.allowed_increase is None else 1

    def gain_rows(self, step: int) -> int:
        """Points added to the first step for the gain calibration: two per direction."""
        return 2 * self.calibration_steps if self.calibrates_gain and step == 0 else 0

    def gain_probe(self, step: int, rng: np.random.Generator) -> Perturbations | None:
        """Step 0's calibration directions, their seed drawn from the run's ``rng``; else None."""
        if not self.gain_rows(step):
            return None
        assert isinstance(self.estimator, SPSAGradient)
        return calibration_perturbations(self.estimator, self.calibration_steps, self.estimator.draw(rng))

    def init(self, x: np.ndarray) -> SPSAState:
        gain = math.nan if self.calibrates_gain else 1.0
        return SPSAState(
            self.transform.init(x), math.nan, self.allowed_increase or 0.0, x[None, :].copy(), gain
        )

    def step_cost(self, objective: Objective, x: np.ndarray, state: SPSAState, step: int) -> Cost:
        rows = self.estimator_at(step).rows(x.size) + self.blocking_rows(step) + self.gain_rows(step)
        calls = evaluation_cost(objective, rows)
        return calls + evaluation_cost(objective, 1) if self.blocking else calls

    def finish_cost(self, objective: Objective) -> Cost:
        """What :meth:`finish` charges, so that a budget can set it aside."""
        if self.final_shots is None:
            return evaluation_cost(objective, 1)
        assert isinstance(objective, SupportsShots)
        return shots_cost(np.full((1, len(objective.measurement_groups().weights)), self.final_shots))

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: SPSAState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """One step; its cost is exactly :meth:`step_cost`, so ``allowance`` needs no check."""
        blocking_rows, probe = self.blocking_rows(step), self.gain_probe(step, rng)
        start = np.repeat(x[None, :], blocking_rows, axis=0)
        extra = start if probe is None else np.concatenate([start, perturbed_points(x, probe)])
        # Wrapped only when there are extra rows: the wrapper hides the objective's own
        # structured perturbed evaluation (the MLP's fast path), which the later steps use.
        batched = _FirstCallWithExtraRows(objective, extra) if len(extra) else None
        estimate = self.estimator_at(step)(batched or objective, x, step, rng)
        updates, inner = self.transform.update(estimate.gradient, state.inner, x)
        loss, allowed, gain = state.loss, state.allowed_increase, state.gain
        if batched is not None and batched.extra_values is not None:
            start_values, probe_values = np.split(batched.extra_values, [blocking_rows])
            if blocking_rows:
                loss = float(start_values.mean())
                allowed = 2 * float(np.std(start_values)) if self.allowed_increase is None else allowed
            if probe is not None:
                assert isinstance(self.update, SGD)
                gain = spall_gain(self.update, probe_values, probe, x.size)
        new_x, cost = x + gain * updates, estimate.cost
        if self.blocking:
            check = evaluate(objective, new_x[None, :], rng)
            cost = cost + check.cost
            if check.values[0] >= loss + allowed:
                rejected = SPSAState(inner, loss, allowed, state.recent, gain)
                return StepOutcome(x, rejected, estimate.loss, cost)
            loss = float(check.values[0])
        recent = np.concatenate([state.recent, new_x[None, :]])[-self.last_avg :]
        return StepOutcome(new_x, SPSAState(inner, loss, allowed, recent, gain), estimate.loss, cost)

    def finish(
        self, objective: Objective, x: np.ndarray, state: SPSAState, rng: np.random.Generator
    ) -> tuple[np.ndarray, Evaluation]:
        """The returned point (mean of the last ``last_avg`` accepted iterates) and its one
        final evaluation, with ``final_shots`` shots per group when set."""
        point = state.recent.mean(axis=0) if self.last_avg > 1 else x
        if self.final_shots is None:
            return point, evaluate(objective, point[None, :], rng)
        assert isinstance(objective, SupportsShots)
        measured = objective.evaluate_shots(point[None, :], np.array([self.final_shots]), rng)
        return point, Evaluation(measured.values, measured.cost)
