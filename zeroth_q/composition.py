"""Optimizers as frozen dataclasses built from components, and how ``--set`` reaches them.

An optimizer's fields are its own hyper-parameters (``memory``, ``damping``) and its
*components*: a gradient ``estimator`` and an ``update`` rule, each a frozen dataclass
of a registered ``kind``. :class:`Configurable` gives every such optimizer the same
``to_dict`` / ``with_params``, so that a flat ``--set lr=0.01 --set perturbations=50``
reaches whichever part owns the key, and ``{"update": {"kind": "adam"}}`` swaps a part.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple, Self

import numpy as np

from zeroth_q.config import field_names, from_dict, require, to_dict
from zeroth_q.errors import ConfigError, did_you_mean, unknown
from zeroth_q.estimators import (
    ESTIMATORS,
    GradientEstimator,
    SPSAGradient,
    estimator_rows,
    require_batch_memory,
)
from zeroth_q.objective import (
    Allowance,
    Cost,
    Evaluation,
    Objective,
    SupportsShots,
    evaluate,
    evaluation_cost,
    require_shot_count,
    shots_cost,
)
from zeroth_q.optimizer import StepOutcome
from zeroth_q.updates.rules import SGD, UPDATE_RULES, UpdateRule
from zeroth_q.updates.safeguards import (
    block_increase,
    keep_recent_iterates,
    scale_by_spall_calibration,
    start_samples,
)
from zeroth_q.updates.transforms import EmptyState, GradientTransformation, chain

COMPONENT_KINDS: dict[str, Mapping[str, type]] = {"estimator": ESTIMATORS, "update": UPDATE_RULES}


class Configurable:
    """Mixin for dataclass optimizers with a ``name`` field and optional components."""

    name: str

    def _components(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in field_names(type(self)) if f in COMPONENT_KINDS}

    def _own_fields(self) -> list[str]:
        return [f for f in field_names(type(self)) if f not in COMPONENT_KINDS and f != "name"]

    def to_dict(self) -> dict[str, Any]:
        own = {f: to_dict(self)[f] for f in self._own_fields()}
        parts = {k: {"kind": c.kind, **to_dict(c)} for k, c in self._components().items()}
        return {"name": self.name, **own, **parts}

    def with_params(self, params: Mapping[str, Any]) -> Self:
        """A copy with hyper-parameters replaced, validated.

        Keys are own field names, component field names (``lr``, ``perturbations``),
        qualified names (``estimator.c``), or whole component sections
        (``{"update": {"kind": "adam", "lr": 0.01}}``, which may change the kind).
        """
        components = self._components()
        owners: dict[str, str | None] = {key: None for key in self._own_fields()}
        for section, component in components.items():
            owners.update({key: section for key in field_names(type(component)) if key not in owners})
        own: dict[str, Any] = {}
        sections: dict[str, dict[str, Any]] = {section: {} for section in components}
        for key, value in params.items():
            section, dot, rest = key.partition(".")
            if key in sections and isinstance(value, Mapping):
                sections[key].update(value)
            elif dot and section in sections:
                sections[section][rest] = value
            elif key in owners:
                target = owners[key]
                (own if target is None else sections[target])[key] = value
            else:
                raise ConfigError(
                    f"unknown parameter {key!r} for optimizer {self.name!r}.{did_you_mean(key, owners)}"
                )
        rebuilt = {
            section: rebuild_component(
                components[section], overrides, COMPONENT_KINDS[section], f"optimizer {self.name!r} {section}"
            )
            for section, overrides in sections.items()
        }
        current = {f: getattr(self, f) for f in self._own_fields()}
        return from_dict(
            type(self), {"name": self.name, **current, **own, **rebuilt}, where=f"optimizer {self.name!r}"
        )


def rebuild_component(
    component: Any, overrides: Mapping[str, Any], kinds: Mapping[str, type], where: str
) -> Any:
    """``component`` with ``overrides``; a ``kind`` key switches to another registered class."""
    if not overrides:
        return component
    overrides = dict(overrides)
    kind = overrides.pop("kind", component.kind)
    if kind not in kinds:
        raise unknown(f"{where} kind", kind, kinds)
    base = to_dict(component) if kind == component.kind else {}
    return from_dict(kinds[kind], {**base, **overrides}, where=where)


class EstimatorState(NamedTuple):
    """A composition's state: the estimator's (empty unless it keeps statistics) and the update's."""

    estimator: Any
    update: Any


@dataclass(frozen=True)
class ComposedOptimizer(Configurable):
    r"""``x_{k+1} = x_k + update(estimate(f, x_k))``: an estimator, an update rule, and safeguards.

    Safeguards, qiskit-algorithms' ``SPSA`` options, are transforms after the rule
    (:mod:`zeroth_q.updates.safeguards`) that work with any estimator and rule: ``blocking``
    (with ``allowed_increase`` or δ from ``calibration_samples``), Spall's gain from
    ``calibration_steps`` directions (SGD at ``lr=None`` with an SPSA estimator; 0: SGD calibrates
    on its first gradient), ``resamplings`` (SPSA directions per step, a number or
    ``{step: count}``), ``last_avg`` (return the mean of the last ``k`` iterates) and
    ``final_shots`` (shots per group of the final evaluation). A stateful estimator (``init``)
    keeps its statistics beside the rule's state and is told the rule's ``lr``. A step's cost
    is the estimator's ``cost`` plus the points the safeguards evaluate.
    """

    name: str
    estimator: GradientEstimator
    update: UpdateRule
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
        require_shot_count("final_shots", self.final_shots)
        counts = self.resampling_counts()
        require(
            all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in counts.values()),
            f"resamplings must be whole numbers >= 1 (got {self.resamplings}).",
        )
        keys = [key for key in counts if not str(key).isdigit()] if isinstance(self.resamplings, dict) else []
        require(not keys, f"resamplings keys are step numbers (0, 1, ...), got {keys[:1]}.")
        require(
            self.resamplings is None or hasattr(self.estimator, "perturbations"),
            f"resamplings sets the number of SPSA directions; the {self.estimator.kind!r} estimator has "
            f"none.",
        )
        if self.allocates_for_sgd:
            require(
                isinstance(self.update, SGD)
                and self.update.schedule == "constant"
                and not self.update.momentum,
                f"the {self.estimator.kind!r} estimator chooses its evaluations for plain SGD steps; use "
                f"update kind 'sgd' with a constant schedule and no momentum.",
            )

    @property
    def requires(self) -> tuple[str, ...]:
        return tuple(self.estimator.requires) + (("shots",) if self.final_shots else ())

    @property
    def stateful(self) -> bool:
        """Whether the estimator keeps state (``init``) and is told the rule's step size."""
        return callable(getattr(self.estimator, "init", None))

    @property
    def allocates_for_sgd(self) -> bool:
        """Whether the estimator chooses its shots for SGD steps of the rule's ``lr``
        (shot-adaptive: with ``lr=None`` it picks α and returns ``α·ĝ``)."""
        return bool(getattr(self.estimator, "allocates_for_sgd", False))

    @property
    def calibrates_gain(self) -> bool:
        """Whether step 0 calibrates Spall's gain from ``calibration_steps`` directions."""
        sgd_without_lr = isinstance(self.update, SGD) and self.update.lr is None
        return sgd_without_lr and self.calibration_steps > 0 and isinstance(self.estimator, SPSAGradient)

    @cached_property
    def transform(self) -> GradientTransformation:
        """The rule (at unit step size where a gain is calibrated or a stateful estimator scales
        its own estimate), then the safeguards."""
        unit = self.calibrates_gain or (self.allocates_for_sgd and self.update.lr is None)
        parts = [(dataclasses.replace(self.update, lr=1.0) if unit else self.update).transform()]
        if self.calibrates_gain:
            assert isinstance(self.estimator, SPSAGradient) and isinstance(self.update, SGD)
            parts.append(
                scale_by_spall_calibration(
                    self.calibration_steps,
                    self.estimator.distribution,
                    self.estimator.perturbation_size(0),
                    self.update.target_step,
                    self.update.decay(),
                )
            )
        if self.blocking:
            parts.append(block_increase(self.allowed_increase, self.calibration_samples))
        if self.last_avg > 1:
            parts.append(keep_recent_iterates(self.last_avg))
        return chain(*parts)

    def resampling_counts(self) -> dict[str, Any]:
        """``resamplings`` as ``{step: count}``, a single count under ``"all"``; empty if unset."""
        if isinstance(self.resamplings, dict):
            return dict(self.resamplings)
        return {} if self.resamplings is None else {"all": self.resamplings}

    def estimator_at(self, step: int) -> GradientEstimator:
        """The estimator with step ``step``'s number of directions (``resamplings``)."""
        counts = self.resampling_counts()
        count = counts.get("all", counts.get(str(step), counts.get(step)))  # type: ignore[call-overload]
        return self.estimator if count is None else dataclasses.replace(self.estimator, perturbations=count)

    def safeguard_rows(self, step: int) -> list[int]:
        """The points of each objective call the safeguards make at step ``step``."""
        calls = [2 * self.calibration_steps] if self.calibrates_gain and step == 0 else []
        if self.blocking:
            calls += [start_samples(self.allowed_increase, self.calibration_samples)] if step == 0 else []
            calls.append(1)
        return calls

    def init(self, x: np.ndarray) -> EstimatorState:
        self.require_memory(x.size)
        estimator_state = self.estimator.init(x.size) if self.stateful else EmptyState()  # type: ignore[attr-defined]
        return EstimatorState(estimator_state, self.transform.init(x))

    def require_memory(self, dim: int, objective: Objective | None = None) -> None:
        """Refuse, before a run, a setting whose one batch of points cannot fit in memory, naming
        it: the estimator's directions (at every ``resamplings`` count), blocking's start
        samples, the calibration directions; with the ``objective``, the rows its frequencies
        ask of a shift rule (``2 Σ_i R_i``, not ``2P``)."""
        directions = getattr(self.estimator, "perturbations", None)
        batches = [(self.estimator.rows(dim), "perturbations", directions)] if directions else []
        for count in self.resampling_counts().values():
            batches.append(
                (dataclasses.replace(self.estimator, perturbations=count).rows(dim), "resamplings", count)
            )
        if self.blocking:
            batches.append((self.calibration_samples, "calibration_samples", self.calibration_samples))
        if self.calibrates_gain:
            batches.append((2 * self.calibration_steps, "calibration_steps", self.calibration_steps))
        if not directions:
            require_batch_memory(estimator_rows(self.estimator, dim, objective), dim, self.name)
        for rows, setting, value in batches:
            require_batch_memory(rows, dim, f"{self.name} with {setting}={value}", f"lower {setting}.")

    def check_objective(self, objective: Objective) -> None:
        """Refuse a batch that does not fit with this objective's rows (:meth:`require_memory`), and
        ``final_shots`` on an objective evaluated without shots (it would be ignored)."""
        self.require_memory(objective.dim, objective)
        if self.final_shots is not None and evaluation_cost(objective, 1).shots == 0:
            raise ConfigError(
                f"final_shots={self.final_shots} sets the shots of the final evaluation, but "
                f"{type(objective).__name__} is evaluated without shots; drop final_shots, or give the "
                f"objective shots (e.g. --set shots=1000)."
            )

    def step_cost(self, objective: Objective, x: np.ndarray, state: EstimatorState, step: int) -> Cost:
        estimator = self.estimator_at(step)
        if self.stateful:
            cost = estimator.cost(objective, x.size, step, state.estimator)  # type: ignore[call-arg]
        else:
            cost = estimator.cost(objective, x.size, step)
        for rows in self.safeguard_rows(step):
            cost = cost + evaluation_cost(objective, rows)
        return cost

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: EstimatorState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """One step; it spends exactly :meth:`step_cost`, so ``allowance`` needs no check."""
        estimator, estimator_state = self.estimator_at(step), state.estimator
        if self.stateful:
            lr = self.update.lr  # type: ignore[attr-defined]
            estimate, estimator_state = estimator(objective, x, step, rng, estimator_state, lr, self.name)  # type: ignore[call-arg]
        else:
            estimate = estimator(objective, x, step, rng)
        charged = [estimate.cost]

        def value_fn(points: np.ndarray) -> np.ndarray:  # what a safeguard evaluates, charged to the step
            evaluation = evaluate(objective, points, rng)
            charged.append(evaluation.cost)
            return evaluation.values

        updates, update_state = self.transform.update(
            estimate.gradient, state.update, x, value=estimate.loss, value_fn=value_fn, rng=rng
        )
        state = EstimatorState(estimator_state, update_state)
        return StepOutcome(x + updates, state, estimate.loss, sum(charged[1:], charged[0]))

    def finish_cost(self, objective: Objective) -> Cost:
        """What :meth:`finish` charges, so that a budget can set it aside."""
        if self.final_shots is None:
            return evaluation_cost(objective, 1)
        assert isinstance(objective, SupportsShots)
        return shots_cost(np.full((1, len(objective.measurement_groups().weights)), self.final_shots))

    def finish(
        self, objective: Objective, x: np.ndarray, state: EstimatorState, rng: np.random.Generator
    ) -> tuple[np.ndarray, Evaluation]:
        """The returned point (mean of the last ``last_avg`` iterates) and its one final
        evaluation, with ``final_shots`` shots per group when set."""
        point = state.update[-1].recent.mean(axis=0) if self.last_avg > 1 else x
        if self.final_shots is None:
            return point, evaluate(objective, point[None, :], rng)
        assert isinstance(objective, SupportsShots)
        measured = objective.evaluate_shots(point[None, :], np.array([self.final_shots]), rng)
        return point, Evaluation(measured.values, measured.cost)
