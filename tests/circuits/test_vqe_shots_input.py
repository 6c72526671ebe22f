"""Shots as an input on the VQE (real Aer and PennyLane sampling): statistics, cost, Rosalin."""

import numpy as np
import pytest

from zeroth_q import Budget, Cost, get_optimizer, minimize
from zeroth_q.estimators.shot_allocated import shifted_points, shot_parameter_shift
from zeroth_q.objective import SupportsShots

CASES = [
    ({"backend": "aer"}, "sampled"),
    ({"backend": "pennylane", "device": "default.qubit"}, "sampled"),
    ({"backend": "aer"}, "gaussian"),
]
H2 = {"problem": "h2", "qubits": 2, "reps": 1}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]['backend']}-{c[1]}")
def test_group_means_and_variances_match_the_exact_moments(vqe, case):
    """400 identical rows with (7, 30) shots per group: means within 3 SE of <O_g>, the
    mean single-shot variance within 15 % of <O_g²> − <O_g>², cost exactly as asked."""
    backend, model = case
    objective = vqe(**H2, **backend, shots=100, shot_model=model)
    exact = vqe(**H2, backend="aer", shots=100, shot_model="gaussian")
    theta = np.random.default_rng(3).uniform(-np.pi, np.pi, objective.dim)
    rows = np.tile(theta, (400, 1))
    groups = objective.measurement_groups()
    shots = np.tile([7, 30], (400, 1))
    evaluation = objective.evaluate_shots(rows, shots, np.random.default_rng(5))
    means, variances = exact.shot_model.moments(exact.backend, theta[None, :])
    single = variances[0] * 100
    assert np.all(np.abs(evaluation.means.mean(axis=0) - means[0]) < 3 * np.sqrt(single / (400 * shots[0])))
    assert np.allclose(evaluation.variances.mean(axis=0), single, rtol=0.15)
    assert evaluation.cost == Cost(evaluations=400, circuits=800, shots=400 * 37)
    assert len(groups.weights) == 2 and groups.lipschitz == pytest.approx(np.abs(groups.weights).sum())


def test_rosalin_gradient_is_unbiased_on_real_sampling(vqe):
    """Weighted random sampling of the measured groups with only 4 shots per circuit: the mean
    of 200 draws is within 3 SE of the exact parameter-shift gradient (Aer's sampler)."""
    objective = vqe(**H2, backend="aer", shots=100)
    theta = np.random.default_rng(1).uniform(-np.pi, np.pi, objective.dim)
    energies = objective.backend.energy(shifted_points(theta))
    exact = (energies[: objective.dim] - energies[objective.dim :]) / 2
    rng = np.random.default_rng(2)
    shots = np.full(objective.dim, 4)
    draws = np.array(
        [shot_parameter_shift(objective, theta, shots, rng, term_sampling=True).gradient for _ in range(200)]
    )
    standard_error = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - exact) < 3 * standard_error)


def test_rosalin_lowers_the_energy_of_h2(vqe):
    objective = vqe(**H2, backend="aer", shots=100)
    result = minimize(objective, "rosalin", Budget(steps=60), optimizer_params={"lr": 0.5}, seed=0)
    start = objective.metrics(objective.initial_point(np.random.default_rng(0)))["energy_error"]
    assert result.metrics["energy_error"] < 0.2 * start


def test_only_finite_shot_objectives_take_shots_and_exact_ones_ignore_an_estimators_shots(vqe):
    exact = vqe(**H2, backend="aer", shots="exact")
    assert not isinstance(exact, SupportsShots)
    assert isinstance(vqe(**H2, backend="aer", shots=100), SupportsShots)
    estimate = get_optimizer("parameter-shift-adam", gradient_shots=500).estimator(
        exact, np.zeros(exact.dim), 0, np.random.default_rng(0)
    )
    assert estimate.cost.shots == 0
