"""The objective inside zeroth_q: registration, config, training, checkpoint/resume, CLI."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

import zeroth_q
from circuits.specs import VQE, VQEConfig
from zeroth_q.config import from_dict, parse_assignment, to_dict
from zeroth_q.loop.checkpoint import load_checkpoint, save_checkpoint


def test_registered_under_vqe_and_built_from_set_flags():
    spec = zeroth_q.get_objective_spec("vqe")
    assert spec is VQE and spec.metric_of(VQEConfig()) == "energy_error"
    assert spec.metric_of(VQEConfig(problem="maxcut", ansatz="qaoa")) == "approximation_ratio"
    params = dict(parse_assignment(a) for a in ["problem=h2", "qubits=2", "shots=exact", "backend=pennylane"])
    objective = zeroth_q.build_objective("vqe", params)
    assert objective.dim == 2 * 2 * 3
    assert isinstance(objective, zeroth_q.SupportsGradient)


def test_config_round_trips_through_json():
    for config in (
        VQEConfig(),
        VQEConfig(shots="exact", backend="pennylane", device="default.qubit", reps=0),
    ):
        assert from_dict(VQEConfig, to_dict(config)) == config


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"shots": 0}, "shots must be a positive"),
        ({"shots": "many"}, "shots"),
        ({"problem": "ising"}, "problem.*'?tfim"),
        ({"backend": "qiskit"}, "backend.*'?pennylane"),
        ({"backend": "pennylane", "device": "lightning.gpu.x"}, "unknown device"),
        ({"problem": "h2"}, "set qubits=2 or qubits=4"),
        ({"shot_model": "binomial"}, "shot_model.*'?gaussian"),
        ({"reps": -1}, "reps must be >= 0"),
    ],
)
def test_bad_config_names_the_problem_and_the_fix(params, message):
    with pytest.raises(zeroth_q.ConfigError, match=message):
        VQE.make_config(params)  # the --set / JSON path
    with pytest.raises(zeroth_q.ConfigError, match=message):
        VQEConfig(**params)  # the Python path


def test_importing_the_spec_loads_no_simulator():
    code = "import sys, circuits.specs; print(any(m in sys.modules for m in ('qiskit', 'pennylane')))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )


@pytest.mark.parametrize(
    ("backend", "optimizer", "params"),
    [
        ("aer", "parameter-shift-adam", {"lr": 0.1}),
        ("pennylane", "backprop-adam", {"lr": 0.1}),
    ],
)
def test_training_reaches_the_h2_ground_energy(backend, optimizer, params):
    objective = zeroth_q.build_objective(
        "vqe", {"problem": "h2", "qubits": 2, "shots": "exact", "backend": backend}
    )
    result = zeroth_q.minimize(objective, optimizer, zeroth_q.Budget(steps=150), optimizer_params=params)
    assert result.status == "completed"
    assert 0 <= result.metrics["energy_error"] < 1e-3
    assert result.metrics["fidelity"] > 0.99


def test_spsa_reaches_the_h2_ground_energy_in_most_seeds():
    # One SPSA run's final error is heavy-tailed (0.0003 to 0.35 over seeds on exact H2):
    # the median of five is the claim, not one lucky seed.
    objective = zeroth_q.build_objective("vqe", {"problem": "h2", "qubits": 2, "shots": "exact"})
    results = [zeroth_q.minimize(objective, "spsa", zeroth_q.Budget(steps=150), seed=s) for s in range(5)]
    assert all(r.status == "completed" for r in results)
    assert np.median([r.metrics["energy_error"] for r in results]) < 1e-2


def test_shot_budget_is_never_exceeded_and_noisy_training_still_improves():
    objective = zeroth_q.build_objective("vqe", {"problem": "h2", "qubits": 2, "shots": 500})
    start = objective.metrics(objective.initial_point(np.random.default_rng(0)))["energy_error"]
    # spsa: 2 rows per step, 2 groups per row, 500 shots per group -> 2000 shots per step, and
    # step 0's gain calibration 50 rows (50,000 shots); the final evaluation (1 row, 1000 shots)
    # is reserved, so 74 steps fit: 74 * 2000 + 50,000 + 1000 <= 200,000.
    results = [zeroth_q.minimize(objective, "spsa", zeroth_q.Budget(shots=200_000), seed=s) for s in range(5)]
    assert all(r.nit == 74 and r.cost.shots == 74 * 2000 + 50 * 1000 + 2 * 500 for r in results)
    assert all(r.final_cost.shots == 1000 and "2,000 left" in r.message for r in results)
    # One seed's final error is a lottery (0.003 to 0.7 over 12 seeds, on both sampled paths
    # alike); the median of five is not.
    assert np.median([r.metrics["energy_error"] for r in results]) < min(0.15, start / 5)


def test_a_parameter_shift_step_larger_than_the_budget_is_refused_with_its_cost(vqe):
    # TFIM-8: 48 parameters, 97 rows of 2 measured groups of 1000 shots.
    objective = vqe(problem="tfim", qubits=8, shots=1000)
    with pytest.raises(zeroth_q.ConfigError, match="one parameter-shift-adam step costs 194,000 shots"):
        zeroth_q.minimize(objective, "parameter-shift-adam", zeroth_q.Budget(shots=10_000))


def test_sampled_run_resumes_from_a_checkpoint_bit_for_bit(tmp_path):
    objective = zeroth_q.build_objective("vqe", {"problem": "h2", "qubits": 2, "shots": 200})
    optimizer = zeroth_q.get_optimizer("zo-adam", perturbations=3, lr=0.05)
    path = tmp_path / "checkpoint.npz"

    class CheckpointAtTen(zeroth_q.Callback):
        def on_step(self, run):
            if run.step == 10:
                save_checkpoint(path, run, objective)

    straight = zeroth_q.minimize(
        objective, optimizer, zeroth_q.Budget(steps=25), seed=4, callbacks=[CheckpointAtTen()]
    )
    state = load_checkpoint(path, objective, optimizer)
    resumed = zeroth_q.minimize(objective, optimizer, zeroth_q.Budget(steps=25), resume=state)
    np.testing.assert_array_equal(resumed.x, straight.x)
    assert resumed.fun == straight.fun


def test_cli_trains_and_reports_the_energy_error(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zeroth_q.run",
            "--objective",
            "vqe",
            "--no-progress",
            "--steps",
            "20",
            "--set",
            "qubits=4",
            "--set",
            "shots=200",
            "--set",
            "gradient_shots=200",  # the default optimizer's own shots (10^4 by default)
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("energy_error", "exact_ground_energy", "energy", "fidelity"):
        assert f"{name} " in proc.stdout


@pytest.mark.slow
def test_the_default_cli_run_reaches_one_percent_energy_error(tmp_path):
    # docs/results.md promise (issue 14 §6): <= 1 % relative energy error; the "within 60 s" half is
    # timed by benchmarks/bench_default_vqe_run.py (a wall-clock bound in a test fails on
    # a busy machine, not on a slow change).
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zeroth_q.run",
            "--objective",
            "vqe",
            "--no-progress",
            "--out",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    error = float(proc.stdout.split("energy_error")[1].split()[0])
    ground = float(proc.stdout.split("exact_ground_energy")[1].split()[0])
    assert error <= 0.01 * abs(ground)


def test_spsa_whose_calibration_sees_a_zero_gradient_still_moves(vqe):
    # With 10 shots the two SPSA energies of the first step are sometimes equal: the gain
    # calibrated on that one direction (calibration_steps=0) used to be 0 and the run never
    # moved. Now it warns and uses target_step. (The default's 25 directions rarely all tie;
    # its fallback is tested in tests/core/test_spsa_gain_calibration.py.)
    objective = vqe(problem="h2", qubits=2, reps=1, shots=10)
    moved = {}
    for seed in range(40):  # 2 of these 40 draw equal first energies with the current direction stream
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = zeroth_q.minimize(
                objective,
                "spsa",
                zeroth_q.Budget(steps=30),
                optimizer_params={"calibration_steps": 0},
                seed=seed,
                metrics_every=0,
                metrics_per_decade=0,
            )
        if any("Calibration failed" in str(w.message) for w in caught):
            start = objective.initial_point(np.random.default_rng(seed))
            moved[seed] = float(np.linalg.norm(result.x - start))
    assert moved and all(distance > 0.05 for distance in moved.values()), moved
