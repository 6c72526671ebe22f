r"""Rotosolve and NFT: exact minimisation over one parameter at a time.

A circuit objective restricted to one parameter is a trigonometric polynomial known from a
few values (:mod:`.fourier`); these methods evaluate them, in ONE batched ``evaluate`` (so a
shot-noisy objective measures them on one draw) and jump to the global minimum of the
reconstruction, a coordinate at a time (sequential minimal optimization):

* ``rotosolve`` (Ostaszewski, Grant & Benedetti, "Structure optimization for parameterized
  quantum circuits", Quantum 5, 391 (2021)): the :math:`2M+1` values, the current point
  included, measured fresh for every coordinate;
* ``nft`` (Nakanishi, Fujii & Todo, "Sequential minimal optimization for quantum-classical
  hybrid algorithms", PRR 2, 043158 (2020)), as qiskit-algorithms' ``NFT``: the value at the
  current point is not measured but recycled, the minimum value predicted by the previous
  coordinate's reconstruction, so a coordinate costs :math:`2M` new values; every
  ``reset_interval`` coordinates (and at the first) it is measured again, with the others.

For a parameter with several frequencies (shared by several gates) the reconstruction uses
its whole spectrum (Wierichs et al., Quantum 6, 677 (2022)); for one Pauli rotation it is
the papers' sinusoid. The shifts are Wierichs' equidistant ones (``±2π/3`` for M = 1, where
qiskit uses ``±π/2``: both reconstruct the same sinusoid exactly, these with the least
variance under shot noise).

One step = one coordinate: its cost is then exact (``2M+1`` or ``2M`` rows, known from the
coordinate's spectrum), a budget binds at that granularity and the history has a row per
update, as qiskit's ``NFT`` counts iterations. ``order="random"`` draws a new permutation of
the coordinates for every sweep, at the end of the sweep before (the first at step 0, whose
stated cost is then the largest over coordinates: exact whenever all share a spectrum size).
``shots`` measures every point with that many shots per measured group
(:class:`~zeroth_q.objective.SupportsShots`) instead of the objective's own setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.derivative_free.fourier import reconstruct, spectrum
from zeroth_q.objective import (
    Allowance,
    Cost,
    Evaluation,
    Objective,
    SupportsFrequencies,
    SupportsShots,
    evaluate,
    evaluation_cost,
    shots_cost,
)
from zeroth_q.optimizer import StepOutcome

Order = Literal["cyclic", "random"]


class SequentialState(NamedTuple):
    """order: the coordinates of the current sweep (empty until a random one is drawn);
    position: the next one's index in it; recycled: the predicted value at the current point
    (NaN when none); count: coordinates updated so far."""

    order: np.ndarray
    position: int
    recycled: float
    count: int


@dataclass(frozen=True)
class SequentialMinimization(Configurable):
    """Rotosolve (``recycle=False``) or NFT (``recycle=True``); module docstring."""

    name: str = "rotosolve"
    recycle: bool = False
    reset_interval: int = 32
    order: Order = "cyclic"
    shots: int | None = None

    def __post_init__(self) -> None:
        require(
            self.order in ("cyclic", "random"), f"order must be 'cyclic' or 'random' (got {self.order!r})."
        )
        require(self.reset_interval >= 0, f"reset_interval must be >= 0 (got {self.reset_interval}).")
        require(self.shots is None or self.shots >= 1, f"shots must be >= 1 (got {self.shots}).")

    @property
    def requires(self) -> tuple[str, ...]:
        return ("frequencies",) if self.shots is None else ("frequencies", "shots")

    def init(self, x: np.ndarray) -> SequentialState:
        order = np.arange(x.size) if self.order == "cyclic" else np.zeros(0, dtype=np.int64)
        return SequentialState(order, 0, float("nan"), 0)

    def measures_center(self, state: SequentialState) -> bool:
        """Whether this coordinate measures the current point (always, for Rotosolve)."""
        reset = self.reset_interval > 0 and state.count % self.reset_interval == 0
        return not self.recycle or reset or np.isnan(state.recycled)

    def rows(self, objective: Objective, state: SequentialState) -> int:
        assert isinstance(objective, SupportsFrequencies)
        center = int(self.measures_center(state))
        coordinates = state.order[state.position :][:1] if state.order.size else range(objective.dim)
        spectra = objective.frequencies()
        return max(spectrum(spectra[i], int(i)).points - 1 + center for i in coordinates)

    def cost(self, objective: Objective, rows: int) -> Cost:
        if self.shots is None:
            return evaluation_cost(objective, rows)
        assert isinstance(objective, SupportsShots)
        groups = len(objective.measurement_groups().weights)
        return shots_cost(np.full((rows, groups), self.shots))

    def step_cost(self, objective: Objective, x: np.ndarray, state: SequentialState, step: int) -> Cost:
        return self.cost(objective, self.rows(objective, state))

    def measure(self, objective: Objective, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        if self.shots is None:
            return evaluate(objective, thetas, rng)
        assert isinstance(objective, SupportsShots)
        measured = objective.evaluate_shots(thetas, np.full(len(thetas), self.shots), rng)
        return Evaluation(measured.values, measured.cost)

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: SequentialState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """Update one coordinate, spending exactly :meth:`step_cost`."""
        assert isinstance(objective, SupportsFrequencies)
        order = state.order if state.order.size else rng.permutation(x.size)
        coordinate = int(order[state.position])
        fit_spectrum = spectrum(objective.frequencies()[coordinate], coordinate)
        shifts = fit_spectrum.shifts()
        center = fit_spectrum.degree
        fresh = self.measures_center(state)
        measured = shifts if fresh else np.delete(shifts, center)
        thetas = np.tile(x, (len(measured), 1))
        thetas[:, coordinate] += measured
        evaluation = self.measure(objective, thetas, rng)
        values = evaluation.values if fresh else np.insert(evaluation.values, center, state.recycled)
        t, predicted = reconstruct(values, fit_spectrum).minimum()
        new_x = x.copy()
        new_x[coordinate] += t
        position = state.position + 1
        if position == x.size:
            position = 0
            order = order if self.order == "cyclic" else rng.permutation(x.size)
        new_state = SequentialState(order, position, predicted, state.count + 1)
        return StepOutcome(new_x, new_state, float(values[center]), evaluation.cost)
