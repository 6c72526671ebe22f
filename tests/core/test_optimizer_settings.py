"""Optimizer settings that multiply rows, shots or memory are refused before a run directory exists
(issue 28 causes 0a and 1): each with the limit or the memory named, in one line, exit 2."""

import pytest

from tests.core.test_reliability_cli import assert_one_line_error, main_in_process

VQE = ["--objective", "vqe", "--set", "qubits=2", "--set", "reps=1", "--optimizer", "spsa"]
QUADRATIC = ["--objective", "quadratic", "--optimizer", "spsa"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        ([*VQE, "--set", "resamplings=1000000000000"], ["resamplings=1000000000000", "of memory", "lower"]),
        (
            [*VQE, "--set", "blocking=true", "--set", "calibration_samples=10000000000"],
            ["calibration_samples=10000000000", "of memory"],
        ),
        ([*QUADRATIC, "--set", "perturbations=1000000000000"], ["perturbations=1000000000000", "of memory"]),
        ([*QUADRATIC, "--set", "calibration_steps=1000000000000"], ["calibration_steps", "of memory"]),
        ([*QUADRATIC, "--set", "resamplings=0"], ["resamplings must be whole numbers >= 1"]),
        ([*QUADRATIC, "--set", "final_shots=100"], ["evaluated without shots", "drop final_shots"]),
        ([*VQE, "--set", "final_shots=4611686018427387904"], ["final_shots", "2^53"]),
        (
            ["--objective", "vqe", "--set", "qubits=2", "--set", "reps=1", "--optimizer", "gcans"]
            + ["--set", "min_shots=2305843009213693952"],
            ["min_shots", "2^53"],
        ),
        (
            ["--objective", "quadratic", "--optimizer", "fd-sgd", "--set", "noise=1", "--set", "shots=10"]
            + ["--set", "gradient_shots=9007199254740993"],
            ["gradient_shots", "2^53"],
        ),
    ],
)
def test_a_setting_that_cannot_run_is_refused_before_anything_is_written(tmp_path, args, fragments):
    out = tmp_path / "run"
    assert_one_line_error(main_in_process(*args, "--steps", "3", "--out", str(out)), *fragments)
    assert not out.exists()
