"""Training through ``zeroth_q.minimize``: backprop and SPSA on MNIST, XOR-2D, resume."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import zeroth_q
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.checkpoint import load_checkpoint, save_checkpoint
from zeroth_q.objectives.registry import build_objective


def test_backprop_adam_reaches_90_percent_on_mnist_in_a_quarter_epoch():
    objective = build_objective("mnist", {"hidden": [128]})
    result = zeroth_q.minimize(
        objective, "backprop-adam", zeroth_q.Budget(steps=300), metrics_every=0, metrics_per_decade=0
    )
    assert result.metrics["test_accuracy"] >= 0.90
    assert result.cost.examples == 301 * 50  # 300 steps and the final evaluation


def test_spsa_gradient_with_adam_lowers_the_loss_of_the_linear_model():
    objective = build_objective("mnist", {"hidden": []})
    start = objective.metrics(objective.initial_point(np.random.default_rng(0)))
    result = zeroth_q.minimize(
        objective,
        "zo-adam",
        zeroth_q.Budget(steps=200),
        optimizer_params={"lr": 1e-3},
        metrics_every=0,
        metrics_per_decade=0,
    )
    assert result.metrics["test_loss"] < 0.75 * start["test_loss"]
    assert result.metrics["test_accuracy"] > start["test_accuracy"] + 0.2
    assert result.cost.evaluations == 200 * 20 + 1  # 2T rows per step (T = 10), one evaluate each


def test_backprop_adam_solves_xor():
    objective = build_objective("xor")
    result = zeroth_q.minimize(
        objective,
        "backprop-adam",
        zeroth_q.Budget(steps=500),
        optimizer_params={"lr": 0.05},
        metrics_every=0,
        metrics_per_decade=0,
    )
    assert result.metrics["train_accuracy"] >= 0.95 and result.metrics["test_accuracy"] >= 0.95


class _SaveAt(Callback):
    def __init__(self, step, path, objective):
        self.step, self.path, self.objective = step, path, objective

    def on_step(self, run):
        if run.step == self.step:
            save_checkpoint(self.path, run, self.objective)


@pytest.mark.parametrize("name, lr", [("backprop-adam", 1e-2), ("kfac", 0.1)])
def test_resuming_mid_epoch_reproduces_the_uninterrupted_run_bit_for_bit(tmp_path, name, lr):
    """Also for K-FAC, whose averaged Kronecker factors are checkpointed."""
    params = {"hidden": [], "batch_size": 5000}  # 12 steps per epoch: the run crosses epochs
    optimizer = zeroth_q.get_optimizer(name, lr=lr)
    budget, path = zeroth_q.Budget(steps=30), tmp_path / "checkpoint.npz"
    objective = build_objective("mnist", params)
    full = zeroth_q.minimize(objective, optimizer, budget, callbacks=[_SaveAt(17, path, objective)])

    fresh = build_objective("mnist", params)  # a new process would start with a new epoch order
    resumed = zeroth_q.minimize(fresh, optimizer, budget, resume=load_checkpoint(path, fresh, optimizer))
    np.testing.assert_array_equal(resumed.x, full.x)
    assert [row["loss"] for row in resumed.history] == [row["loss"] for row in full.history]


def test_cli_epochs_become_steps_and_the_test_accuracy_is_printed(tmp_path):
    command = [
        sys.executable, "-m", "zeroth_q.run", "--objective", "mnist", "--optimizer", "backprop-adam",
        "--epochs", "0.25", "--set", "hidden=[]", "--set", "batch_size=100", "--no-progress",
        "--out", str(tmp_path / "run"),
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "150 steps" in out.stdout
    accuracy = next(line for line in out.stdout.splitlines() if line.startswith("test_accuracy"))
    assert float(accuracy.split()[1]) > 0.85


@pytest.mark.slow
def test_cli_defaults_finish_in_under_three_minutes_and_print_the_test_accuracy(tmp_path):
    command = [sys.executable, "-m", "zeroth_q.run", "--objective", "mnist", "--no-progress",
               "--out", str(tmp_path / "run")]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    accuracy = next(line for line in out.stdout.splitlines() if line.startswith("test_accuracy"))
    assert float(accuracy.split()[1]) > 0.95
