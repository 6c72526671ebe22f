"""SPSA's gain calibrated as qiskit-algorithms' ``SPSA.calibrate`` does: the mean scalar
magnitude of 25 one-direction estimates at the start, one call of the first step."""

import math
import warnings

import numpy as np
import pytest

from zeroth_q import get_optimizer
from zeroth_q.objectives.testfunctions import FunctionObjective, Quadratic, QuadraticConfig
from zeroth_q.updates.safeguards import GainState


def gain(state) -> float:
    return next(part for part in state.update if isinstance(part, GainState)).gain


TARGET_STEP = 2 * math.pi / 10


class BatchSizes(FunctionObjective):
    """A function objective that records how many rows each ``evaluate`` call had."""

    def __init__(self, fun, x0):
        super().__init__(fun, x0)
        self.calls = []

    def evaluate(self, thetas, rng):
        self.calls.append(len(thetas))
        return super().evaluate(thetas, rng)


def test_the_calibration_points_are_one_call_of_the_first_step_at_its_stated_cost():
    objective, x0 = BatchSizes(lambda x: float(x @ x), np.ones(3)), np.ones(3)
    optimizer, rng = get_optimizer("spsa"), np.random.default_rng(0)
    state = optimizer.init(x0)
    for step in range(2):
        stated = optimizer.step_cost(objective, x0, state, step)
        outcome = optimizer.step(objective, x0, state, step, rng)
        assert outcome.cost == stated
        x0, state = outcome.x, outcome.state
    assert objective.calls == [2, 2 * 25, 2]


def test_the_gain_is_the_mean_scalar_magnitude_not_the_averaged_gradients():
    """f = x_0: every direction has |f(x+cΔ) - f(x-cΔ)|/(2c) = 1, so a = 2π/10 exactly. The
    averaged gradient of 25 directions would have mean magnitude ~0.37 here (a ~2.7x larger)."""
    objective, x0 = FunctionObjective(lambda x: float(x[0]), np.zeros(4)), np.zeros(4)
    optimizer = get_optimizer("spsa")
    outcome = optimizer.step(objective, x0, optimizer.init(x0), 0, np.random.default_rng(0))
    assert gain(outcome.state) == pytest.approx(TARGET_STEP)


def test_25_directions_steady_the_gain_across_seeds():
    """One direction's magnitude |∇f·Δ| varies from seed to seed, and the gain with it."""
    objective, x0 = Quadratic(QuadraticConfig(dim=4, condition=10.0)), np.full(4, 1.0)

    def gain_spread(params, gain_of):
        optimizer = get_optimizer("spsa", **params)
        gains = [
            gain_of(optimizer.step(objective, x0, optimizer.init(x0), 0, np.random.default_rng(seed)).state)
            for seed in range(40)
        ]
        return np.std(np.log(gains))

    averaged = gain_spread({}, gain)
    one_direction = gain_spread({"calibration_steps": 0}, lambda state: state.update[0][-1].gain)
    assert averaged < 0.5 * one_direction, (averaged, one_direction)


def test_a_flat_start_warns_and_falls_back_to_target_step():
    objective, x0 = FunctionObjective(lambda x: max(0.0, float(x @ x) - 1.0), np.zeros(4)), np.zeros(4)
    optimizer = get_optimizer("spsa")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = optimizer.step(objective, x0, optimizer.init(x0), 0, np.random.default_rng(0))
    assert any("Calibration failed" in str(w.message) for w in caught)
    assert gain(outcome.state) == TARGET_STEP


def test_second_order_spsa_calibrates_its_gain_the_same_way_at_its_stated_cost():
    """2-SPSA/QN-SPSA with ``lr=None``: the 50 calibration points are evaluated at step 0
    (charged in ``step_cost``), f = x_0 gives a = target_step exactly, and the later steps
    keep that gain and add no points."""
    objective, x0 = BatchSizes(lambda x: float(x[0]), np.zeros(4)), np.zeros(4)
    optimizer, rng = get_optimizer("2spsa", lr=None, target_step=TARGET_STEP), np.random.default_rng(0)
    state, calls = optimizer.init(x0), []
    for step in range(2):
        stated = optimizer.step_cost(objective, x0, state, step)
        outcome = optimizer.step(objective, x0, state, step, rng)
        assert outcome.cost == stated
        x0, state = outcome.x, outcome.state
        assert gain(state) == pytest.approx(TARGET_STEP)
        calls.append(objective.calls)
        objective.calls = []
    # the gradient-and-curvature call, then calibration; blocking's 25 start samples and 1 check
    assert calls == [[4, 2 * 25, 25, 1], [4, 1]]
