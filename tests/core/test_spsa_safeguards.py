"""SPSA's safeguards as qiskit-algorithms defines them: blocking, resamplings, last_avg,
termination, final_shots; and the same safeguards on other compositions (zo-adam, parameter shift)."""

import numpy as np
import pytest

from zeroth_q import Budget, ConfigError, build_objective, get_optimizer, minimize
from zeroth_q.loop.callbacks import Callback, Terminate
from zeroth_q.objectives.testfunctions import Quadratic, QuadraticConfig
from zeroth_q.updates.safeguards import BlockingState


def blocking_state(state) -> BlockingState:
    return next(part for part in state.update if isinstance(part, BlockingState))


def quadratic(**noise):
    return Quadratic(QuadraticConfig(dim=4, condition=10.0, **noise))


class Iterates(Callback):
    def __init__(self):
        self.points = []

    def on_step(self, run):
        self.points.append(run.x.copy())


def test_blocking_rejects_a_step_that_raises_the_loss():
    """A first step of 100 per coordinate overshoots: rejected, the point stays, and the step
    paid 2 gradient rows, 50 gain-calibration rows, 1 start-point row (δ given) and 1 check row."""
    objective, x0 = quadratic(), np.zeros(4)
    optimizer = get_optimizer("spsa", blocking=True, allowed_increase=0.0, target_step=100.0)
    outcome = optimizer.step(objective, x0, optimizer.init(x0), 0, np.random.default_rng(0))
    assert np.array_equal(outcome.x, x0)
    assert outcome.cost.evaluations == 54
    assert blocking_state(outcome.state).loss == pytest.approx(objective.loss(x0[None, :])[0])


def test_blocking_accepts_an_improving_step_and_remembers_its_loss():
    objective, x0 = quadratic(), np.zeros(4)
    optimizer = get_optimizer("spsa", blocking=True, allowed_increase=0.0, target_step=0.01)
    outcome = optimizer.step(objective, x0, optimizer.init(x0), 0, np.random.default_rng(0))
    assert not np.array_equal(outcome.x, x0)
    assert blocking_state(outcome.state).loss == pytest.approx(objective.loss(outcome.x[None, :])[0])


def test_allowed_increase_is_calibrated_to_two_standard_deviations_in_the_first_step():
    """δ = 2σ from 25 start-point rows, beside the 2 gradient rows and the 50
    gain-calibration rows (77 + 1 check)."""
    objective = quadratic(noise=0.3)
    optimizer = get_optimizer("spsa", blocking=True)
    deltas = []
    for seed in range(40):
        x0 = np.zeros(4)
        outcome = optimizer.step(objective, x0, optimizer.init(x0), 0, np.random.default_rng(seed))
        deltas.append(blocking_state(outcome.state).allowed)
        assert outcome.cost.evaluations == 78
    assert np.mean(deltas) == pytest.approx(2 * 0.3, rel=0.1)


def test_resamplings_schedule_sets_the_directions_per_step():
    result = minimize(
        quadratic(), "spsa", Budget(steps=4), optimizer_params={"resamplings": {"0": 5, "2": 3}}, seed=0
    )
    per_step = np.diff([0] + [row["evaluations"] for row in result.history])
    # step 0: 5 directions + 50 gain-calibration rows; last: the final evaluation
    assert per_step.tolist() == [10 + 50, 2, 6, 2, 1]
    with pytest.raises(ConfigError, match="step numbers"):
        get_optimizer("spsa", resamplings={"first": 2})


def test_last_avg_returns_the_mean_of_the_last_iterates():
    iterates = Iterates()
    result = minimize(
        quadratic(), "spsa", Budget(steps=12), optimizer_params={"last_avg": 5}, callbacks=[iterates]
    )
    assert np.allclose(result.x, np.mean(iterates.points[-5:], axis=0))


def test_final_shots_evaluates_the_returned_point_with_them_and_charges_them():
    objective = quadratic(noise=1.0, shots=10, terms=(1.0, 1.0))
    result = minimize(objective, "spsa", Budget(steps=3), optimizer_params={"final_shots": 5000}, seed=1)
    before = result.history[-2]["shots"]
    assert result.cost.shots - before == 2 * 5000
    assert abs(result.fun - objective.loss(result.x[None, :])[0]) < 5 * 1.0 / np.sqrt(5000)


def test_termination_callback_stops_the_run():
    stop = Terminate(lambda run: run.history[-1]["loss"] < 0.5 * run.history[0]["loss"], "loss halved")
    # A fixed gain: the callback is under test, not the calibration (which can overshoot here).
    fixed_gain = {"lr": 0.02}
    result = minimize(
        quadratic(), "spsa", Budget(steps=500), callbacks=[stop], seed=0, optimizer_params=fixed_gain
    )
    assert result.status == "completed" and result.message.startswith("loss halved")
    assert 0 < result.nit < 500


@pytest.mark.parametrize("params", [{}, {"blocking": True}, {"blocking": True, "resamplings": {"1": 3}}])
def test_step_cost_is_exact_including_calibration_and_blocking(params):
    objective = quadratic(noise=0.5, shots=10)
    optimizer = get_optimizer("spsa", **params)
    x, rng = np.zeros(4), np.random.default_rng(0)
    state = optimizer.init(x)
    for step in range(4):
        predicted = optimizer.step_cost(objective, x, state, step)
        x, state, _, cost = optimizer.step(objective, x, state, step, rng)
        assert cost == predicted


def test_every_step_uses_the_objectives_structured_perturbed_evaluation():
    # The calibration points are a call of their own, so every step, the first too, reaches the
    # objective's own evaluate_perturbed (the MLP's fast path).
    xor = build_objective("xor")
    calls = []
    structured = xor.evaluate_perturbed

    def counted(theta, perturbations, rng):
        calls.append(perturbations.count)
        return structured(theta, perturbations, rng)

    xor.evaluate_perturbed = counted
    minimize(xor, "spsa", Budget(steps=6), optimizer_params={"perturbations": 3}, metrics_every=0)
    assert calls == [3] * 6


def test_zo_adam_with_blocking_rejects_what_raises_the_loss_and_states_its_cost():
    """Blocking is a transform after any rule: zo-adam with a huge lr is blocked at every step
    (the point never moves), and every step costs what step_cost stated (20 + 25 + 1 at step 0)."""
    objective, x = quadratic(noise=0.1, shots=10), np.full(4, 0.5)
    optimizer = get_optimizer("zo-adam", blocking=True, lr=100.0)
    state, rng = optimizer.init(x), np.random.default_rng(1)
    for step in range(3):
        stated = optimizer.step_cost(objective, x, state, step)
        outcome = optimizer.step(objective, x, state, step, rng)
        assert outcome.cost == stated
        assert np.array_equal(outcome.x, x)
        state = outcome.state
    assert stated.evaluations == 20 + 1
    assert optimizer.to_dict()["blocking"] and optimizer.to_dict()["update"]["kind"] == "adam"
    moved = minimize(objective, get_optimizer("zo-adam", blocking=True, lr=0.05), Budget(steps=30), x0=x)
    assert moved.fun < objective.loss(x[None, :])[0]


def test_parameter_shift_adam_with_last_avg_returns_the_mean_of_its_last_iterates():
    iterates = Iterates()
    optimizer = get_optimizer("parameter-shift-adam", last_avg=3, lr=0.1)
    result = minimize(quadratic(), optimizer, Budget(steps=5), callbacks=[iterates], seed=0)
    np.testing.assert_allclose(result.x, np.mean(iterates.points[-3:], axis=0))


def test_spsa_with_the_coordinate_estimator_states_the_estimators_cost():
    """Issue 25's reproduced bug: the step cost came from the rows at the objective's N shots,
    while the coordinate estimator measured gradient_shots=1000."""
    objective = build_objective("quadratic", {"dim": 4, "noise": 1, "shots": 10})
    optimizer = get_optimizer("spsa", estimator={"kind": "coordinate", "gradient_shots": 1000})
    result = minimize(objective, optimizer, Budget(shots=50_000), seed=0)
    assert result.status == "completed" and result.cost.shots <= 50_000
    assert result.nit >= 5
