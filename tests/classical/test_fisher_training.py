"""The MLP's layer statistics give the Gauss-Newton matrix, and the natural gradient and
K-FAC built on them lower the loss faster per step than SGD on the same mini-batches."""

import numpy as np
import pytest

from classical.losses import LOSSES
from zeroth_q import Budget, build_objective, minimize
from zeroth_q.estimators.fisher import per_example_gradients


@pytest.mark.parametrize("loss", ["cross-entropy", "mse"])
def test_sampled_output_gradients_have_the_output_fisher_as_covariance(loss):
    """E[g] = 0 and E[g gᵀ] = ∂²ℓ/∂z²: diag(p) - p pᵀ for softmax-CE, I for squared error."""
    outputs = np.array([[[0.3, -1.0, 2.0]]])
    rng = np.random.default_rng(2)
    samples = np.stack([LOSSES[loss].sampled_output_gradient(outputs, rng)[0, 0] for _ in range(20_000)])
    p = np.exp(outputs[0, 0]) / np.exp(outputs[0, 0]).sum()
    expected = np.diag(p) - np.outer(p, p) if loss == "cross-entropy" else np.eye(3)
    np.testing.assert_allclose(samples.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose(samples.T @ samples / len(samples), expected, atol=0.03)


def _outputs(objective, theta):
    x = objective.train.features(slice(None), np.dtype(np.float64))
    return objective.network.forward(theta[None, :], x)[-1][0, :, 0]


def test_sampled_fisher_averages_to_the_gauss_newton_matrix_on_xor():
    """GGN = (1/N) Σ_n J_nᵀ σ_n(1-σ_n) J_n for sigmoid cross-entropy, J by central differences."""
    objective = build_objective("xor", {})
    rng = np.random.default_rng(0)
    theta = objective.initial_point(rng)
    eye, step = np.eye(objective.dim), 1e-6
    jacobian = np.stack(
        [
            (_outputs(objective, theta + step * e) - _outputs(objective, theta - step * e)) / (2 * step)
            for e in eye
        ],
        axis=1,
    )
    probability = 1 / (1 + np.exp(-_outputs(objective, theta)))
    ggn = jacobian.T @ ((probability * (1 - probability))[:, None] * jacobian) / len(jacobian)

    draws = 400
    sampled = np.zeros_like(ggn)
    for _ in range(draws):
        psi = per_example_gradients(objective.layer_curvature(theta, rng).layers, objective.dim)
        sampled += psi.T @ psi / len(psi) / draws
    assert np.linalg.norm(sampled - ggn) < 0.05 * np.linalg.norm(ggn)


def test_layer_curvature_reports_the_objectives_own_gradient_and_loss():
    objective = build_objective("xor", {})
    rng = np.random.default_rng(1)
    theta = objective.initial_point(rng)
    statistics, reference = objective.layer_curvature(theta, rng), objective.gradient(theta, rng)
    np.testing.assert_allclose(statistics.gradient, reference.gradient, rtol=1e-10, atol=1e-14)
    assert statistics.value == pytest.approx(reference.value)
    assert statistics.cost == reference.cost


def _best_sgd(objective_name, config, x0, steps, rates, score):
    runs = [
        minimize(
            build_objective(objective_name, config),
            "backprop-sgd",
            Budget(steps=steps),
            seed=0,
            x0=x0,
            optimizer_params={"lr": lr},
            metrics_every=0,
            metrics_per_decade=0,
        )
        for lr in rates
    ]
    return min(score(run) for run in runs)


def _last_losses(result, count=20):
    return float(np.mean([row["loss"] for row in result.history[:-1][-count:]]))


# 20-75 s on a busy 2-core machine: the slow suite runs it; the default one keeps K-FAC
# beating the best SGD on xor (test_fisher_methods_solve_xor_in_fewer_steps_than_the_best_sgd).
@pytest.mark.slow
def test_kfac_lowers_the_mnist_loss_faster_per_step_than_the_best_sgd():
    """784-32-10 on batches of 100 for 100 steps (all in the first epoch, so every method
    sees the same batches): K-FAC's mean loss over the last 20 steps is below 0.9x SGD's at
    its best learning rate of three (measured: K-FAC 0.30, SGD 0.38 at lr 0.1)."""
    config = {"hidden": [32], "batch_size": 100}
    objective = build_objective("mnist", config)
    steps = 100
    assert steps < objective.steps_per_epoch
    x0 = objective.initial_point(np.random.default_rng(0))
    kfac = minimize(
        objective, "kfac", Budget(steps=steps), seed=0, x0=x0, metrics_every=0, metrics_per_decade=0
    )
    sgd = _best_sgd("mnist", config, x0, steps, (0.03, 0.1, 0.3), _last_losses)
    assert _last_losses(kfac) < 0.9 * sgd


@pytest.mark.parametrize(
    "name, damping", [("natural-gradient", 0.01), ("gauss-newton", 0.01), ("kfac", 0.001)]
)
def test_fisher_methods_solve_xor_in_fewer_steps_than_the_best_sgd(name, damping):
    """Full-batch XOR-2D (33 parameters), 100 steps at lr 0.3: the final loss is below half of
    SGD's at its best learning rate of three (measured: natural gradient 0.028, K-FAC 0.040,
    SGD 0.11). Full batches need less damping than MNIST's mini-batches (the defaults)."""
    objective = build_objective("xor", {})
    x0 = objective.initial_point(np.random.default_rng(0))
    params = {"lr": 0.3, "damping": damping}
    result = minimize(
        objective,
        name,
        Budget(steps=100),
        seed=0,
        x0=x0,
        optimizer_params=params,
        metrics_every=0,
        metrics_per_decade=0,
    )
    sgd = _best_sgd("xor", {}, x0, 100, (0.3, 1.0, 3.0), lambda run: run.fun)
    assert result.status == "completed"
    assert result.fun < 0.5 * sgd
