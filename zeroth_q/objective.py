"""The Objective protocol: a batched, cost-reporting loss.

An objective evaluates a *batch* of parameter vectors ``thetas`` of shape ``(B, P)`` in
one call and returns ``B`` loss values computed on **one** shared random draw (one
mini-batch of training examples, one shot sample per circuit). Sharing the draw across
the batch is what makes finite differences such as SPSA's ``f(θ+cΔ) - f(θ-cΔ)``
low-variance: the method of common random numbers (Glasserman & Yao 1992; Kleinman,
Spall & Naiman 1999, "Simulation-based optimization with stochastic approximation using
common random numbers").

Every evaluation reports what it cost (:class:`Cost`), so budgets and the x-axes of all
plots are exact: "equal shot budget" means equal summed ``Cost.shots``.

Optional capabilities are separate protocols that optimizers discover with
``isinstance`` and never assume: :class:`SupportsGradient`, :class:`SupportsMetrics`
(with :class:`SupportsRunningMetrics`, a cheaper estimate for the rows during a run),
:class:`SupportsState`. :class:`SupportsCostModel` says what an evaluation *will* cost
before it is made, which is how a budget is kept: every step states its cost first
(:class:`Allowance` is what is left to spend) and is taken only if it fits.
:class:`SupportsShots` makes shots an input, for shot-adaptive optimizers.
:class:`SupportsPerturbedEvaluation` lets an objective evaluate SPSA's described directions itself.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from zeroth_q.errors import ConfigError, ZerothQError, missing_capability


@dataclass(frozen=True)
class Cost:
    """What evaluations consumed. Costs add: ``total = a + b``.

    evaluations: parameter vectors evaluated (rows of ``thetas``).
    circuits: circuit executions (a row of a circuit objective with ``g`` measurement
        groups costs ``g`` circuits); 0 for classical objectives.
    shots: measurement shots (``circuits × shots per circuit``); 0 when exact.
    examples: training examples pushed through a network (``rows × batch size``).

    The counts are Python integers (a NumPy integer is converted on construction), so sums
    and products are exact however large: NumPy's 64-bit sums wrap silently to negatives.
    """

    evaluations: int = 0
    circuits: int = 0
    shots: int = 0
    examples: int = 0

    def __post_init__(self) -> None:
        for unit in COST_UNITS:
            value = getattr(self, unit)
            if type(value) is not int:
                # operator.index takes every integer (np.int64 too) and refuses 2.5 or "3".
                object.__setattr__(self, unit, operator.index(value))

    def __add__(self, other: Cost) -> Cost:
        if not isinstance(other, Cost):
            return NotImplemented
        return Cost(*(getattr(self, unit) + getattr(other, unit) for unit in COST_UNITS))

    def as_dict(self) -> dict[str, int]:
        """``{unit: count}`` for the history and summaries."""
        # Not dataclasses.asdict: that deep-copies, 4 us per history row of a 1 ms step.
        return {unit: getattr(self, unit) for unit in COST_UNITS}

    def __mul__(self, times: int) -> Cost:
        return Cost(*(getattr(self, unit) * times for unit in COST_UNITS))

    __rmul__ = __mul__


COST_UNITS: tuple[str, ...] = tuple(f.name for f in fields(Cost))


@dataclass(frozen=True)
class Allowance:
    """What may still be spent, per unit of :class:`Cost`; ``None`` is no limit.

    The loop hands a step its allowance (the budget left, less the final evaluation it
    reserves); a step never spends more. Methods of variable cost (line searches) use
    :meth:`covers` to stop before a call that would not fit.
    """

    evaluations: int | None = None
    circuits: int | None = None
    shots: int | None = None
    examples: int | None = None

    def covers(self, cost: Cost) -> bool:
        """Whether ``cost`` fits in every unit that has a limit."""
        return not self.shortfall(cost)

    def shortfall(self, cost: Cost) -> dict[str, tuple[int, int]]:
        """``{unit: (cost, left)}`` for every unit where ``cost`` exceeds what is left."""
        return {
            unit: (getattr(cost, unit), left)
            for unit in COST_UNITS
            if (left := getattr(self, unit)) is not None and getattr(cost, unit) > left
        }

    def after(self, cost: Cost) -> Allowance:
        """What is left once ``cost`` is spent."""
        return Allowance(
            *(None if (left := getattr(self, u)) is None else left - getattr(cost, u) for u in COST_UNITS)
        )


UNLIMITED = Allowance()


class Evaluation(NamedTuple):
    """Loss values of one batch, ``values[b] = f(thetas[b])``, and what they cost."""

    values: np.ndarray
    cost: Cost


class GradientEvaluation(NamedTuple):
    """An objective's own gradient at one point (backprop, adjoint), with the loss there."""

    value: float
    gradient: np.ndarray
    cost: Cost


@runtime_checkable
class Objective(Protocol):
    """A loss over ``dim`` real parameters, evaluated in batches.

    ``evaluate(thetas, rng)`` takes ``thetas`` of shape ``(B, dim)`` and returns ``B``
    values computed on one random draw taken from ``rng`` (mini-batch, shot sample).
    A deterministic objective ignores ``rng``.
    """

    @property
    def dim(self) -> int:
        """The number of real parameters ``P``; every ``θ`` has shape ``(P,)``."""
        ...

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        """A start point of shape ``(P,)``, drawn from ``rng`` where the problem's convention
        is random (network initialisation, small random circuit angles)."""
        ...

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """``f`` at each row of ``thetas`` ``(B, P)``, all rows on one draw from ``rng``
        (common random numbers: SPSA's differences then carry no sampling noise of the data)."""
        ...


@runtime_checkable
class SupportsCostModel(Protocol):
    """An objective that says what it charges before it is called.

    ``cost(rows)`` is exactly the :class:`Cost` of one ``evaluate`` of ``rows`` rows (one
    shot sample per measured group and row, one mini-batch per row...). A ``gradient`` or
    ``layer_curvature`` call is charged ``cost(1)``, as one evaluation at the point. Budgets
    in evaluations, circuits, shots or examples need it: each step's cost is known before
    the step is taken.
    """

    def cost(self, rows: int) -> Cost:
        """Exactly what ``evaluate`` of ``rows`` rows charges."""
        ...


@runtime_checkable
class SupportsGradient(Protocol):
    """An objective that computes its exact (or mini-batch) gradient itself."""

    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation:
        """``(f(θ), ∇f(θ))`` on one draw from ``rng``, charged ``cost(1)``."""
        ...


class Perturbations(NamedTuple):
    r"""Random directions *described* instead of materialized: what an SPSA-type estimator
    asks an objective to evaluate.

    The points are ``θ + scale·Δ_t`` for ``t = 0..count-1``, then (``two_sided``)
    ``θ - scale·Δ_t``, then (``center``) ``θ`` itself: the rows of the ``(B, P)`` batch the
    estimator would otherwise build, in that order. The directions ``Δ_t`` are defined by
    ``(seed, distribution, P, dtype)`` through
    :class:`zeroth_q.estimators.directions.DirectionStream`: direction ``t`` is the ``t``-th
    block of one random stream, so an objective may regenerate them in chunks of any size
    and gets the same vectors the estimator's generic path materializes.

    seed: the stream's seed (drawn by the estimator from the run's ``rng``).
    count: ``T``, the number of directions.
    distribution: ``"rademacher"``, ``"gaussian"`` or ``"sphere"``
        (:data:`zeroth_q.estimators.directions.DISTRIBUTIONS`).
    scale: the perturbation size ``c_k`` of this step.
    two_sided: evaluate ``θ - c_kΔ_t`` too.
    center: evaluate ``θ``; required when one-sided (the differences need ``f(θ)``).
    """

    seed: int
    count: int
    distribution: str
    scale: float
    two_sided: bool
    center: bool

    @property
    def rows(self) -> int:
        """Points evaluated, ``B = (2 if two_sided else 1)·T + center``."""
        return (2 if self.two_sided else 1) * self.count + int(self.center)


class PerturbedEvaluation(NamedTuple):
    r"""Values at the described points and their direction-weighted differences.

    values: ``(B,)`` float64, in the row order of :class:`Perturbations`, on ONE random draw
        (one mini-batch for all points: common random numbers).
    combination: ``(P,)`` float64,
        :math:`\sum_t \big(f(\theta + c\Delta_t) - f_t^-\big)\,\Delta_t` with
        :math:`f_t^- = f(\theta - c\Delta_t)` when two-sided, else :math:`f(\theta)`.
        Every SPSA-type gradient is this vector times a scalar, so an objective that holds
        the directions in its own buffers forms it there (one GEMV) and nobody
        materializes the ``T × P`` directions twice. A fresh array the caller may overwrite.
    cost: exactly what ``evaluate`` of the ``B`` rows would have charged.
    """

    values: np.ndarray
    combination: np.ndarray
    cost: Cost


@runtime_checkable
class SupportsPerturbedEvaluation(Protocol):
    """An objective that evaluates described perturbations itself, faster or in less memory
    than the ``(B, P)`` batch (the MLP: ``x·ΔW`` of all directions as one GEMM, directions
    regenerated from the seed in chunks, MeZO-style, Malladi et al. 2023). Results must equal
    the generic path (``evaluate`` of the materialized points) up to rounding;
    :func:`zeroth_q.estimators.perturbed.evaluate_perturbed` is the one entry point and the
    reference implementation."""

    def evaluate_perturbed(
        self, theta: np.ndarray, perturbations: Perturbations, rng: np.random.Generator
    ) -> PerturbedEvaluation:
        """Values at the described points and their combination, on one draw from ``rng``."""
        ...


@runtime_checkable
class SupportsMetrics(Protocol):
    """An objective with diagnostics that do not count as cost (test accuracy, exact
    energy error). ``metrics(theta)`` returns a flat mapping of names to floats."""

    def metrics(self, theta: np.ndarray) -> Mapping[str, float]:
        """Diagnostics at ``θ`` (names to floats), computed without charge."""
        ...


@runtime_checkable
class SupportsRunningMetrics(Protocol):
    """An objective whose metrics have a cheaper estimate for the rows recorded *during* a
    run (the MNIST classifier: the first few thousand images of each metric set instead of
    all of them). The loop records ``running_metrics`` at the rows of its schedule and
    ``metrics`` at the last row, so a run's final metrics are always the full ones. Rows
    holding an estimate must say so in one of their columns (the MNIST classifier's
    ``metric_subset``: images per set)."""

    def running_metrics(self, theta: np.ndarray) -> Mapping[str, float]:
        """Diagnostics at ``θ`` for a row during a run, with the names ``metrics`` uses."""
        ...


@runtime_checkable
class SupportsHessian(Protocol):
    """An objective that gives its exact Hessian (small analytic problems; Newton's method)."""

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """The exact ``(P, P)`` Hessian at ``θ``."""
        ...


@runtime_checkable
class SupportsFidelity(Protocol):
    """A circuit objective that measures state fidelities ``|<ψ(θ)|ψ(θ'_b)>|²`` for a batch
    of ``θ'`` (the quantum natural gradient's metric; QN-SPSA, Gacon et al. 2021)."""

    def fidelity(self, theta: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """``|<ψ(θ)|ψ(θ'_b)>|²`` for each row ``θ'_b`` of ``others``, measured on one draw."""
        ...

    def fidelity_cost(self, rows: int) -> Cost:
        """The cost of one ``fidelity`` call with ``rows`` rows of ``others``."""
        ...


@runtime_checkable
class SupportsFrequencies(Protocol):
    r"""An objective that is a finite Fourier series in each parameter alone:

    .. math:: f(\theta + t e_i) = a_0 + \sum_{k=1}^{R_i} a_k \cos(\omega_{ik} t) + b_k \sin(\omega_{ik} t),

    with the distinct positive frequencies :math:`\omega_{i1} < \dots < \omega_{iR_i}` given by
    ``frequencies()[i]``. A parameter driving one Pauli rotation :math:`e^{-i\theta P/2}` has
    ``(1.0,)``; one shared by R such gates ``(1.0, 2.0, ..., R)``; one inside ``c·θ`` ``(|c|,)``; a
    controlled rotation ``(0.5, 1.0)``. General parameter-shift rules (Wierichs et al., Quantum 6,
    677 (2022)) and the Rotosolve / NFT reconstructions (Ostaszewski et al., Quantum 5, 391 (2021);
    Nakanishi et al., PRR 2, 043158 (2020)) need exactly this."""

    def frequencies(self) -> tuple[tuple[float, ...], ...]:
        """Per parameter, its distinct positive frequencies in increasing order."""
        ...


class DenseLayerStatistics(NamedTuple):
    """One dense layer ``z = a W + b`` on a mini-batch of N examples, as K-FAC and the
    natural gradient see it: where its parameters sit in θ and its per-example signals.

    weights, biases: slices of θ holding ``W`` (``fan_in × fan_out``, row-major) and ``b``.
    inputs: ``(N, fan_in)``, the layer's inputs ``a``.
    output_gradients: ``(N, fan_out)``, per-example ``∂ℓ_n/∂z`` for targets *sampled from the
        model* (not the labels), so that the per-example gradients ``a_n ⊗ g_n`` have
        second moment equal to the Fisher = generalised Gauss-Newton matrix.
    """

    weights: slice
    biases: slice
    inputs: np.ndarray
    output_gradients: np.ndarray


class LayerCurvature(NamedTuple):
    """The mini-batch loss and gradient (true labels) with every layer's statistics."""

    value: float
    gradient: np.ndarray
    layers: tuple[DenseLayerStatistics, ...]
    cost: Cost


@runtime_checkable
class SupportsLayerCurvature(Protocol):
    """A network of dense layers that exposes per-layer activations and per-example
    pre-activation gradients (natural gradient, K-FAC; Martens & Grosse 2015)."""

    def layer_curvature(self, theta: np.ndarray, rng: np.random.Generator) -> LayerCurvature:
        """Loss, gradient and every dense layer's statistics on one mini-batch from ``rng``."""
        ...


@runtime_checkable
class SupportsState(Protocol):
    """An objective with internal state that belongs to the run using it (e.g. the order of
    the current shuffled epoch and the position in it).

    The state is the run's, not the objective's: ``minimize`` installs ``initial_state()``
    before a fresh run's first step (or the checkpoint's state when resuming), so a run is
    determined by its seed whatever ran on the same objective object before, and checkpoints
    carry ``get_state()``. All three exchange named NumPy arrays; the state's random parts
    are drawn from the ``rng`` handed to ``evaluate``, never from a generator of its own.
    """

    def initial_state(self) -> dict[str, np.ndarray]:
        """The state a fresh run starts from, whatever ran before."""
        ...

    def get_state(self) -> dict[str, np.ndarray]:
        """The current state, for a checkpoint (fresh arrays)."""
        ...

    def set_state(self, state: Mapping[str, np.ndarray]) -> None:
        """Install a state that ``initial_state`` or ``get_state`` returned."""
        ...


STATE_METHODS = ("initial_state", "get_state", "set_state")


def require_complete_state(objective: object) -> None:
    """Raise a ConfigError if ``objective`` has some of the :class:`SupportsState` methods but
    not all: its state would silently be neither reset per run nor checkpointed."""
    present = [name for name in STATE_METHODS if callable(getattr(objective, name, None))]
    if present and len(present) < len(STATE_METHODS):
        missing = [name for name in STATE_METHODS if name not in present]
        raise ConfigError(
            f"{type(objective).__name__} has {', '.join(present)} but not {', '.join(missing)}; a run "
            f"resets and checkpoints an objective's state only through all three (initial_state() "
            f"returns the state a fresh run starts from)."
        )


class MeasuredGroups(NamedTuple):
    r"""How a shot-based loss is measured: :math:`f = \text{offset} + \sum_{g=1}^{G} f_g`, where
    each group ``g`` is one circuit whose every shot yields one value :math:`o_g` with
    :math:`E[o_g] = f_g`.

    weights: (G,) :math:`w_g \ge |o_g|`, the scale of a single shot of group ``g``
        (:math:`\sum_{k\in g}|c_k|` for a group of Pauli terms :math:`c_k P_k`). Rosalin's
        weighted random sampling draws group ``g`` with probability :math:`w_g/\sum w`.
    offset: the part of ``f`` that needs no measurement (the identity coefficient).
    lipschitz: a bound ``L`` on the Lipschitz constant of ``∇f`` when the objective knows
        one (:math:`\sum_k |c_k|` for Pauli-rotation ansätze, Kübler et al., Quantum 4,
        263 (2020), §2), which the CANS step-size rules need; ``None`` if unknown.
    """

    weights: np.ndarray
    offset: float
    lipschitz: float | None


class ShotEvaluation(NamedTuple):
    """Values measured with the shots that were asked for, per row and group.

    values: (B,) ``offset + Σ_g means[:, g]``; NaN in a row where some group got no shot.
    means: (B, G) mean of the single-shot values of each group (NaN where 0 shots).
    variances: (B, G) their unbiased sample variance (``ddof=1``; NaN where < 2 shots),
        i.e. the variance of ONE shot, which shot-adaptive optimizers average over steps.
    cost: exactly what was asked (:func:`shots_cost`).
    """

    values: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    cost: Cost


@runtime_checkable
class SupportsShots(Protocol):
    """A shot-based objective whose shots are an input: ``evaluate_shots(thetas, shots, rng)``
    with ``shots`` of shape ``(B,)`` (every group of row ``b`` gets ``shots[b]``) or ``(B, G)``
    (per row and measured group; 0 skips a group). Shot-adaptive optimizers (iCANS, Rosalin,
    gCANS) decide the counts; the objective's configured fixed ``N`` is untouched."""

    def measurement_groups(self) -> MeasuredGroups:
        """The measured groups, their single-shot scales and the Lipschitz bound."""
        ...

    def evaluate_shots(
        self, thetas: np.ndarray, shots: np.ndarray, rng: np.random.Generator
    ) -> ShotEvaluation:
        """Measure each row with the given shots per row (``(B,)``) or per row and group (``(B, G)``)."""
        ...


# Simulators and NumPy's binomial count shots in signed 64-bit integers; 2**53 also keeps the
# cost arithmetic exact in floats (history, plots). Every shot count a user sets is at most this.
MAX_SHOTS = 2**53


def require_shot_count(name: str, value: int | None, least: int = 1) -> None:
    """Refuse a shot setting that is not a whole number in ``[least, MAX_SHOTS]`` (``None`` passes)."""
    whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if value is not None and not (whole and least <= value <= MAX_SHOTS):
        raise ConfigError(
            f"{name} must be a whole number of shots from {least} to {MAX_SHOTS:,} (2^53: simulators count "
            f"shots in 64-bit integers), got {value!r}."
        )


def require_simulable_shots(shots: np.ndarray) -> None:
    """Refuse a shot count above :data:`MAX_SHOTS`: no simulator counts it, and its sums wrap."""
    if shots.size and int(shots.max()) > MAX_SHOTS:
        raise ConfigError(
            f"a measurement asks for {int(shots.max()):,} shots; a simulator counts at most "
            f"{MAX_SHOTS:,} shots per circuit: lower the shot setting (shots, min_shots, max_shots, "
            f"final_shots, gradient_shots) below that."
        )


def shots_per_group(shots: np.ndarray, rows: int, groups: int) -> np.ndarray:
    """``shots`` as a validated ``(rows, groups)`` array of non-negative integers."""
    arr = np.asarray(shots)
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ConfigError(f"shots must be whole numbers, got {arr!r}.")
        arr = arr.astype(np.int64)
    if arr.shape == (rows,):
        arr = np.repeat(arr[:, None], groups, axis=1)
    if arr.shape != (rows, groups):
        raise ConfigError(
            f"shots must have shape ({rows},) (per row) or ({rows}, {groups}) (per row and measured "
            f"group), got {arr.shape}."
        )
    if np.any(arr < 0):
        raise ConfigError("shots must be >= 0 (0 skips a group).")
    require_simulable_shots(arr)
    return arr


def shots_cost(shots: np.ndarray) -> Cost:
    """What asking for ``shots`` (rows, groups) costs: every row is an evaluation, every
    (row, group) with shots a circuit, and the shots themselves, summed exactly (in Python
    integers where NumPy's 64-bit sum could wrap)."""
    shots = np.asarray(shots)
    require_simulable_shots(shots)
    exact = shots.size <= (2**63 - 1) // MAX_SHOTS  # then no int64 sum of counts <= MAX_SHOTS wraps
    total = int(shots.sum()) if exact else sum(shots.ravel().tolist())
    return Cost(evaluations=len(shots), circuits=int(np.count_nonzero(shots)), shots=total)


def combine_groups(offset: float, means: np.ndarray, shots: np.ndarray) -> np.ndarray:
    """``offset + Σ_g means[:, g]`` per row, NaN where a group was not measured."""
    values = offset + np.where(shots > 0, means, 0.0).sum(axis=1)
    return np.where(np.all(shots > 0, axis=1), values, np.nan)


CAPABILITIES: dict[str, type] = {
    "gradient": SupportsGradient,
    "shots": SupportsShots,
    "hessian": SupportsHessian,
    "fidelity": SupportsFidelity,
    "layer_curvature": SupportsLayerCurvature,
    "frequencies": SupportsFrequencies,
}
# What to use instead when an objective lacks a capability, by capability. The optimizer
# catalogue (zeroth_q.optimizers) fills it, since only it knows the optimizers' names; the
# objective's own capability_hint, if any, comes first.
ALTERNATIVES: dict[str, str] = {}


def require_capability(objective: object, capability: str, needed_by: str) -> None:
    """Raise a CapabilityError naming the fix unless ``objective`` offers ``capability``."""
    if not isinstance(objective, CAPABILITIES[capability]):
        fallback = "choose an optimizer that does not call it (zeroth_q.optimizer_names())."
        raise missing_capability(objective, capability, needed_by, ALTERNATIVES.get(capability, fallback))


def evaluation_cost(objective: object, rows: int) -> Cost:
    """``objective.cost(rows)``; a ConfigError naming the fix if it has no cost model."""
    if not isinstance(objective, SupportsCostModel):
        raise ConfigError(
            f"{type(objective).__name__} has no cost model (a method cost(rows) -> Cost, the cost of one "
            f"evaluate of that many rows), so a budget in evaluations, circuits, shots or examples cannot be "
            f"kept; add cost(rows) to the objective or give the budget in steps."
        )
    return objective.cost(rows)


def evaluate(objective: Objective, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
    """``objective.evaluate(thetas, rng)`` with its contract checked: an :class:`Evaluation`
    whose ``values`` hold one float per row. A user's objective that returns a scalar, a
    ``(B, 1)`` column or a bare array gets a ZerothQError naming the expected shape here,
    instead of an IndexError or a silent broadcast inside an estimator."""
    evaluation = objective.evaluate(thetas, rng)
    rows = len(thetas)
    name = type(objective).__name__
    if not (hasattr(evaluation, "values") and hasattr(evaluation, "cost")):
        raise ZerothQError(
            f"{name}.evaluate must return Evaluation(values, cost), got {type(evaluation).__name__}."
        )
    values = np.asarray(evaluation.values)
    if values.shape != (rows,) or values.dtype.kind not in "biuf":
        raise ZerothQError(
            f"{name}.evaluate returned values of shape {values.shape} (dtype {values.dtype}) for {rows} "
            f"rows; expected shape ({rows},) of floats: one loss per row of thetas (B, dim)."
        )
    if isinstance(objective, SupportsCostModel):
        stated = objective.cost(rows)
        if unit := first_excess(evaluation.cost, stated):
            # Every budget check (each step's step_cost, the reserved final evaluation) trusts
            # the cost model, so an objective charging more would overspend without a word.
            raise ZerothQError(
                f"{name}.evaluate charged {getattr(evaluation.cost, unit):,} {unit} for {rows} rows, more "
                f"than its cost({rows}) states ({getattr(stated, unit):,}); budgets are kept by that cost "
                f"model: make cost(rows) return what evaluate charges."
            )
    return Evaluation(values.astype(float, copy=False), evaluation.cost)


def first_excess(charged: Cost, stated: Cost) -> str | None:
    """The first unit in which ``charged`` exceeds ``stated``, or None."""
    return next((unit for unit in COST_UNITS if getattr(charged, unit) > getattr(stated, unit)), None)


def check_thetas(thetas: np.ndarray, dim: int) -> np.ndarray:
    """Validate a parameter batch: a finite 2-D float array with ``dim`` columns.

    Returns it as a float array. A 1-D vector is rejected rather than silently treated
    as a batch of one, because that hides shape bugs in estimators.
    """
    arr = np.asarray(thetas)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ConfigError(
            f"parameters must have shape (B, {dim}) (a batch of B vectors), got {arr.shape}; "
            f"for one vector use theta[None, :]."
        )
    if arr.shape[0] == 0:
        raise ConfigError("parameter batch is empty (B = 0); pass at least one row.")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ConfigError("parameters contain NaN or inf; the optimizer diverged before this call.")
    return arr
