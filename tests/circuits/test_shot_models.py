"""Finite-shot energies: unbiased, with the sampling variance, reproducible from the rng."""

import numpy as np
import pytest

from circuits.grouping import qubit_wise_groups
from circuits.hamiltonians import heisenberg_xxz
from circuits.shot_models import GaussianShotNoise
from zeroth_q import Cost

ROWS = 600
SHOTS = 64
CASES = [
    ({"problem": "h2", "qubits": 2, "backend": "aer"}, "sampled"),
    ({"problem": "h2", "qubits": 2, "backend": "aer"}, "gaussian"),
    ({"problem": "xxz", "qubits": 3, "delta": 0.5, "backend": "aer"}, "sampled"),
    ({"problem": "xxz", "qubits": 3, "backend": "pennylane", "device": "default.qubit"}, "sampled"),
    ({"problem": "h2", "qubits": 2, "backend": "pennylane", "device": "lightning.qubit"}, "sampled"),
    ({"problem": "h2", "qubits": 2, "backend": "pennylane", "device": "default.qubit"}, "gaussian"),
]


def case_id(case):
    params, model = case
    return f"{params['problem']}{params['qubits']}-{params.get('device', 'aer')}-{model}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_mean_and_variance_match_sampling_theory(vqe, case):
    params, model = case
    noisy = vqe(**params, shots=SHOTS, shot_model=model)
    reference = vqe(**params, shots=SHOTS, shot_model="gaussian")  # gives the theory variance
    rng = np.random.default_rng(11)
    theta = rng.uniform(-np.pi, np.pi, noisy.dim)
    thetas = np.tile(theta, (ROWS, 1))
    exact = noisy.metrics(theta)["energy"]
    variance = reference.shot_model.variance(reference.backend, thetas[:1])[0]
    # ROWS independent repetitions in one call (each row gets its own shots), so the
    # spread across rows is the shot noise of one estimate.
    values = noisy.evaluate(thetas, rng).values
    standard_error = np.sqrt(variance / ROWS)
    assert abs(values.mean() - exact) < 3 * standard_error
    assert values.var(ddof=1) == pytest.approx(variance, rel=0.2)


@pytest.mark.parametrize("case", CASES[::2] + CASES[1::4], ids=case_id)
def test_a_fixed_rng_reproduces_the_noisy_values(vqe, case):
    params, model = case
    objective = vqe(**params, shots=SHOTS, shot_model=model)
    thetas = np.random.default_rng(0).normal(size=(4, objective.dim))
    first = objective.evaluate(thetas, np.random.default_rng(5)).values
    again = objective.evaluate(thetas, np.random.default_rng(5)).values
    other = objective.evaluate(thetas, np.random.default_rng(6)).values
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_cost_counts_circuits_per_group_and_shots_per_circuit(vqe):
    # xxz on 3 open qubits: XX, YY, ZZ groups.
    for model in ("sampled", "gaussian"):
        objective = vqe(problem="xxz", qubits=3, shots=100, shot_model=model)
        cost = objective.evaluate(np.zeros((5, objective.dim)), np.random.default_rng(0)).cost
        assert cost == Cost(evaluations=5, circuits=15, shots=1500)
    exact = vqe(problem="xxz", qubits=3, shots="exact")
    assert exact.evaluate(np.zeros((5, exact.dim)), np.random.default_rng(0)).cost == Cost(5, 5, 0)


def test_exact_mode_ignores_the_rng_and_has_no_noise(vqe):
    objective = vqe(problem="h2", qubits=2, shots="exact")
    thetas = np.random.default_rng(0).normal(size=(3, objective.dim))
    a = objective.evaluate(thetas, np.random.default_rng(1)).values
    b = objective.evaluate(thetas, np.random.default_rng(2)).values
    np.testing.assert_array_equal(a, b)


def test_groups_measure_every_term_once_in_a_shared_basis():
    hamiltonian = heisenberg_xxz(4, 0.5, periodic=True)
    offset, groups = qubit_wise_groups(hamiltonian)
    assert offset == 0.0
    assert sorted(g.basis for g in groups) == ["XXXX", "YYYY", "ZZZZ"]
    assert sum(g.observable.size for g in groups) == hamiltonian.size


def test_variance_vanishes_in_an_eigenstate_of_every_group(vqe):
    # θ = 0 prepares |0…0>, an eigenstate of the ZZ group; with h = 0 that is every group,
    # so both finite-shot models return the exact energy with no spread.
    objective = vqe(problem="tfim", qubits=3, h=0.0, shots=10, shot_model="gaussian")
    assert isinstance(objective.shot_model, GaussianShotNoise)
    zeros = np.zeros((4, objective.dim))
    assert objective.shot_model.variance(objective.backend, zeros) == pytest.approx(np.zeros(4), abs=1e-12)
    sampled = vqe(problem="tfim", qubits=3, h=0.0, shots=10, shot_model="sampled")
    np.testing.assert_allclose(sampled.evaluate(zeros, np.random.default_rng(0)).values, -2.0, atol=1e-12)
