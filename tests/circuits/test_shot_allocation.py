"""Shots per (row, measurement group) as an input (counts path, the default), charged as asked."""

import numpy as np
import pytest

from circuits.objective import ShotAllocatingCircuitObjective
from zeroth_q import ConfigError, Cost

XXZ = {"problem": "xxz", "qubits": 3, "delta": 0.5}  # three groups: XX, YY, ZZ


def test_uniform_allocation_is_evaluate(vqe):
    objective = vqe(**XXZ, shots=100)
    thetas = np.random.default_rng(0).normal(size=(4, objective.dim))
    values = objective.evaluate(thetas, np.random.default_rng(1)).values
    per_row = objective.evaluate_shots(thetas, np.full(4, 100), np.random.default_rng(1))
    np.testing.assert_array_equal(per_row.values, values)
    assert per_row.cost == Cost(evaluations=4, circuits=12, shots=1200)


def test_each_group_has_the_mean_and_variance_of_its_own_shot_count(vqe):
    objective = vqe(**XXZ, shots=100)
    gaussian = vqe(**XXZ, shots=1, shot_model="gaussian")
    rng = np.random.default_rng(2)
    theta = rng.uniform(-np.pi, np.pi, objective.dim)
    exact, one_shot = (m[0] for m in gaussian.shot_model.moments(gaussian.backend, theta[None, :]))
    allocation, rows = np.array([1000, 10, 100]), 3000
    evaluation = objective.evaluate_shots(np.tile(theta, (rows, 1)), np.tile(allocation, (rows, 1)), rng)
    assert evaluation.values.var(ddof=1) == pytest.approx(np.sum(one_shot / allocation), rel=0.1)
    standard_error = np.sqrt(np.sum(one_shot / allocation) / rows)
    assert abs(evaluation.values.mean() - objective.metrics(theta)["energy"]) < 3 * standard_error
    assert evaluation.cost == Cost(evaluations=rows, circuits=3 * rows, shots=rows * allocation.sum())
    # The per-group statistics a shot-adaptive optimizer reads: means of O_g, and single-shot
    # sample variances whose average is Var O_g.
    means, variances = objective.shot_model.estimate_shots(
        objective.backend, np.tile(theta, (rows, 1)), np.tile(allocation, (rows, 1)), rng
    )
    assert np.all(np.abs(means.mean(axis=0) - exact) < 3 * np.sqrt(one_shot / allocation / rows) + 1e-12)
    np.testing.assert_allclose(variances.mean(axis=0), one_shot, rtol=0.05, atol=1e-9)


def test_a_group_without_shots_is_not_charged_and_leaves_no_estimate(vqe):
    objective = vqe(**XXZ, shots=100)
    groups = objective.shot_model.groups
    assert len(objective.measurement_groups().weights) == len(groups)
    zz = next(i for i, g in enumerate(groups) if g.basis == "ZZZ")
    only_zz = np.zeros((2, len(groups)), dtype=int)
    only_zz[:, zz] = 50
    thetas = np.zeros((2, objective.dim))  # |000>: the ZZ group is exact there, variance 0
    evaluation = objective.evaluate_shots(thetas, only_zz, np.random.default_rng(0))
    assert np.isnan(evaluation.values).all()
    assert evaluation.cost == Cost(evaluations=2, circuits=2, shots=100)
    means, variances = objective.shot_model.estimate_shots(
        objective.backend, thetas, only_zz, np.random.default_rng(0)
    )
    np.testing.assert_allclose(means[:, zz], groups[zz].coeffs.sum())
    np.testing.assert_allclose(variances[:, zz], 0.0, atol=1e-12)
    assert np.isnan(np.delete(means, zz, axis=1)).all()


@pytest.mark.parametrize(
    ("shots", "message"),
    [
        (np.full(3, 10.5), "whole numbers"),
        (np.full((3, 2), 10), r"shape \(3,\) \(per row\) or \(3, 3\)"),
        (np.array([10, -1, 10]), ">= 0"),
    ],
)
def test_bad_allocations_name_what_is_expected(vqe, shots, message):
    objective = vqe(**XXZ, shots=100)
    with pytest.raises(ConfigError, match=message):
        objective.evaluate_shots(np.zeros((3, objective.dim)), shots, np.random.default_rng(0))


def test_every_finite_shot_path_takes_an_allocation_and_exact_mode_none(vqe):
    for other in ({}, {"sampler": "primitive"}, {"shot_model": "gaussian"}):
        assert isinstance(vqe(**XXZ, shots=100, **other), ShotAllocatingCircuitObjective)
    assert not isinstance(vqe(**XXZ, shots="exact"), ShotAllocatingCircuitObjective)
