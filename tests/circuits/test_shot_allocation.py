"""``evaluate_shots``: shots per (row, measurement group) as an input, charged as asked."""

import numpy as np
import pytest

from circuits.vqe import ShotAllocatingVQEObjective
from zeroth_q import ConfigError, Cost

XXZ = {"problem": "xxz", "qubits": 3, "delta": 0.5}  # three groups: XX, YY, ZZ


@pytest.mark.parametrize("model", ["sampled", "gaussian"])
def test_uniform_allocation_is_evaluate(vqe, model):
    objective = vqe(**XXZ, shots=100, shot_model=model)
    thetas = np.random.default_rng(0).normal(size=(4, objective.dim))
    values = objective.evaluate(thetas, np.random.default_rng(1)).values
    per_row = objective.evaluate_shots(thetas, np.full(4, 100), np.random.default_rng(1))
    np.testing.assert_array_equal(per_row.values, values)
    assert per_row.cost == Cost(evaluations=4, circuits=12, shots=1200)


@pytest.mark.parametrize("model", ["sampled", "gaussian"])
def test_each_group_has_the_variance_of_its_own_shot_count(vqe, model):
    objective = vqe(**XXZ, shots=100, shot_model=model)
    gaussian = vqe(**XXZ, shots=1, shot_model="gaussian")
    rng = np.random.default_rng(2)
    theta = rng.uniform(-np.pi, np.pi, objective.dim)
    one_shot = gaussian.shot_model.moments(gaussian.backend, theta[None, :])[1][0]  # Var O_g, (G,)
    allocation = np.array([1000, 10, 100])
    rows = 3000
    evaluation = objective.evaluate_shots(np.tile(theta, (rows, 1)), np.tile(allocation, (rows, 1)), rng)
    assert evaluation.values.var(ddof=1) == pytest.approx(np.sum(one_shot / allocation), rel=0.1)
    assert abs(evaluation.values.mean() - objective.metrics(theta)["energy"]) < 3 * np.sqrt(
        np.sum(one_shot / allocation) / rows
    )
    assert evaluation.cost == Cost(evaluations=rows, circuits=3 * rows, shots=rows * allocation.sum())


def test_a_group_without_shots_is_not_measured_and_not_charged(vqe):
    objective = vqe(**XXZ, shots=100)
    groups = objective.measurement_groups()
    assert [g.basis for g in groups] == [g.basis for g in objective.shot_model.groups]
    zz = next(i for i, g in enumerate(groups) if g.basis == "ZZZ")
    only_zz = np.zeros((2, len(groups)), dtype=int)
    only_zz[:, zz] = 50
    # θ = 0 is |000>, where the ZZ group is exact: the estimate is its eigenvalue, and nothing else.
    evaluation = objective.evaluate_shots(np.zeros((2, objective.dim)), only_zz, np.random.default_rng(0))
    np.testing.assert_allclose(evaluation.values, groups[zz].coeffs.sum())
    assert evaluation.cost == Cost(evaluations=2, circuits=2, shots=100)


@pytest.mark.parametrize("shots", [np.full(3, 10.0), np.full((3, 2), 10), np.array([10, -1, 10])])
def test_bad_allocations_name_the_expected_shape(vqe, shots):
    objective = vqe(**XXZ, shots=100)
    with pytest.raises(ConfigError, match=r"shape \(3,\) or \(3, 3\)"):
        objective.evaluate_shots(np.zeros((3, objective.dim)), shots, np.random.default_rng(0))


def test_only_models_that_take_an_allocation_offer_it(vqe):
    assert isinstance(vqe(**XXZ, shots=100), ShotAllocatingVQEObjective)
    assert not isinstance(vqe(**XXZ, shots=100, sampler="primitive"), ShotAllocatingVQEObjective)
    assert not isinstance(vqe(**XXZ, shots="exact"), ShotAllocatingVQEObjective)
