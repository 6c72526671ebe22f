"""Contracts at the edges (issue 12): a user's objective returning the wrong shape, bad grid
files and output paths for the sweep and the landscape tool, a diverging landscape path."""

import json
import subprocess
import sys

import numpy as np
import pytest

import zeroth_q
from zeroth_q.errors import ZerothQError
from zeroth_q.loop.budget import Budget
from zeroth_q.objective import Cost, Evaluation

from .test_reliability_cli import assert_one_line_error, strict_json
from .test_sweep import sweep_cli


class UserObjective:
    """A user's objective whose ``evaluate`` returns ``shape(rows)`` values."""

    dim = 3

    def __init__(self, shape) -> None:
        self.shape = shape

    def initial_point(self, rng):
        return np.ones(self.dim)

    def evaluate(self, thetas, rng):
        values = np.sum(thetas**2, axis=1)
        return Evaluation(self.shape(values), Cost(evaluations=len(thetas)))


@pytest.mark.parametrize(
    "shape",
    [
        lambda v: float(v[0]),  # a scalar
        lambda v: v[:, None],  # a column (B, 1)
        lambda v: v[:1],  # one value for B rows
        lambda v: np.concatenate([v, v]),  # too many
        lambda v: [f"loss {x}" for x in v],  # not numbers
    ],
    ids=["scalar", "column", "too-few", "too-many", "strings"],
)
@pytest.mark.parametrize("optimizer", ["spsa", "zo-adam", "fd-sgd", "2spsa"])
def test_a_user_objective_of_the_wrong_shape_gets_an_error_naming_the_shape(shape, optimizer):
    with pytest.raises(
        ZerothQError, match=r"UserObjective.evaluate returned values of shape .* expected shape \("
    ):
        zeroth_q.minimize(UserObjective(shape), optimizer, Budget(steps=3))


def test_a_user_objective_returning_a_bare_array_is_told_to_return_an_evaluation():
    class BareArray(UserObjective):
        def evaluate(self, thetas, rng):
            return np.sum(thetas**2, axis=1)

    with pytest.raises(ZerothQError, match=r"must return Evaluation\(values, cost\), got ndarray"):
        zeroth_q.minimize(BareArray(None), "spsa", Budget(steps=3))


def test_a_user_objective_of_the_right_shape_runs():
    result = zeroth_q.minimize(UserObjective(lambda v: v), "zo-adam", Budget(steps=5))
    assert result.status == "completed" and len(result.history) == 6


# --- sweep ---------------------------------------------------------------------------------

GOOD_GRID = {
    "base": {"objective": {"name": "quadratic", "dim": 3}, "budget": {"steps": 3}},
    "axes": {"seed": [0]},
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'"quadratic"', "must be a JSON object {...}"),
        (b"null", "must be a JSON object {...}"),
        (b'{"base": "quadratic", "axes": {"seed": [0]}}', "base must be an object"),
        (
            b'{"base": {"objective": {"name": "quadratic"}, "budget": 5}, "axes": {"seed": [0]}}',
            "budget must be",
        ),
        (b'{"base": {"objective": {"name": "quadratic"}}, "axes": {"optimizer.lr": [NaN]}}', "finite"),
        (b'{"base": {"objective": {"name": "quadratic"}}, "axes": null}', "axes must be an object"),
        (b"\xff\xfe{}", "is not UTF-8"),
        (None, "is a directory"),
    ],
)
def test_sweep_grid_files_of_the_wrong_shape_are_one_line(tmp_path, content, message):
    path = tmp_path / "grid.json"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    proc = sweep_cli(str(path), "--out", str(tmp_path / "never"), cwd=tmp_path)
    assert_one_line_error(proc, message)
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("kind", ["file", "under a file"])
def test_sweep_out_that_cannot_be_a_directory_is_one_line(tmp_path, kind):
    (tmp_path / "grid.json").write_text(json.dumps(GOOD_GRID))
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    out = blocker if kind == "file" else blocker / "sweep"
    assert_one_line_error(sweep_cli("grid.json", "--out", str(out), cwd=tmp_path), str(out))


# --- landscape -----------------------------------------------------------------------------


def landscape_cli(*args, cwd):
    command = [sys.executable, "-m", "zeroth_q.landscape", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


ROSENBROCK = ["--objective", "rosenbrock", "--train", "0,1", "--resolution", "9", "--size", "320x240"]


@pytest.mark.parametrize("kind", ["file", "under a file"])
def test_landscape_out_that_cannot_be_a_directory_is_one_line(tmp_path, kind):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    out = blocker if kind == "file" else blocker / "landscape"
    proc = landscape_cli(*ROSENBROCK, "--optimizers", "adam", "--steps", "3", "--out", str(out), cwd=tmp_path)
    assert_one_line_error(proc, str(out))


@pytest.mark.parametrize("optimizers", ["backprop-sgd", "backprop-sgd,adam"])
def test_landscape_of_a_diverging_optimizer_draws_and_writes_json(tmp_path, optimizers):
    out = tmp_path / "ls"
    proc = landscape_cli(
        *ROSENBROCK,
        "--optimizers",
        optimizers,
        "--lr",
        "10",
        "--steps",
        "30",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    record = strict_json(out / "paths.json")
    assert record["paths"]["backprop-sgd"]["status"] == "diverged"
    assert record["paths"]["backprop-sgd"]["final_loss"] is None
    assert (out / "paths.png").stat().st_size > 0 and (out / "journey.gif").stat().st_size > 0


def test_landscape_refuses_a_negative_seed(tmp_path):
    proc = landscape_cli(*ROSENBROCK, "--seed", "-1", "--out", str(tmp_path / "never"), cwd=tmp_path)
    assert_one_line_error(proc, "--seed >= 0")
