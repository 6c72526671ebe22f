"""Settings that multiply memory are refused before anything is written (issue 28 §1), with
the memory or the limit named: test-function dimensions, CNN widths, landscape grids,
images and animations."""

import contextlib
import io
import subprocess

import pytest

from zeroth_q.config import available_memory
from zeroth_q.errors import ConfigError
from zeroth_q.landscape.cli import main as landscape_main
from zeroth_q.objectives.registry import get_objective_spec
from zeroth_q.optimizer import check_capabilities
from zeroth_q.optimizers import get_optimizer

from .test_reliability_cli import assert_one_line_error, main_in_process

MEMORY = r"needs about [\d.]+ [GTPE]B of memory but .* is available"


def test_a_rosenbrock_beyond_memory_is_refused_naming_the_memory():
    spec = get_objective_spec("rosenbrock")
    with pytest.raises(ConfigError, match=MEMORY + "; lower dim"):
        spec.build(spec.make_config({"dim": 10**11}))


@pytest.mark.parametrize(
    "params",
    [
        {"architecture": "1.4k", "dense": [10**8]},
        {"architecture": "1.4k", "width": 10**5},
        {"architecture": "1.4k", "channels": [10**5]},
    ],
    ids=["dense", "width", "channels"],
)
def test_a_cnn_beyond_memory_is_refused_by_its_config(params):
    with pytest.raises(ConfigError, match=MEMORY + "; lower"):
        get_objective_spec("cnn").make_config(params)


def test_an_oversized_objective_leaves_no_run_directory(tmp_path):
    out = tmp_path / "run"
    proc = main_in_process("--objective", "rosenbrock", "--set", "dim=100000000000", "--out", str(out))
    assert_one_line_error(proc, "memory", "lower dim")
    assert not out.exists()


def landscape_in_process(*args: str) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = landscape_main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


ROSENBROCK = ["--objective", "rosenbrock", "--train", "0,1", "--optimizers", "adam", "--steps", "3"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--resolution", "100000"], ["--resolution 100000", "memory"]),
        (["--size", "100000x100000"], ["--size 100000x100000", "memory"]),
        (["--steps", "1000", "--frames", "1000", "--size", "10000x10000"], ["--frames 1000", "memory"]),
    ],
    ids=["resolution", "size", "frames"],
)
def test_landscape_sizes_beyond_memory_are_one_line_before_any_output(tmp_path, args, fragments):
    out = tmp_path / "ls"
    proc = landscape_in_process(*ROSENBROCK, *args, "--out", str(out))
    assert_one_line_error(proc, *fragments)
    assert not out.exists()


class SharedAngles:
    """A black box whose every parameter drives R Pauli rotations (frequencies 1..R): a shift
    rule evaluates 2R points per parameter. Only its size is used: the refusal comes first."""

    def __init__(self, dim: int, shared: int):
        self.dim, self._frequencies = dim, (tuple(float(k) for k in range(1, shared + 1)),) * dim

    def frequencies(self) -> tuple[tuple[float, ...], ...]:
        return self._frequencies

    def initial_point(self, rng):
        raise AssertionError("never reached: refused before the first step")

    def evaluate(self, thetas, rng):
        raise AssertionError("never reached: refused before the first step")


def test_the_batch_memory_check_counts_the_rows_a_shift_rule_really_evaluates():
    """2P + 1 rows fit, 2·Σ R_i = 32P do not: refused, naming the real count."""
    available = available_memory()
    dim = int((available / 64) ** 0.5)  # 8 (2P + 1) P bytes ≈ available / 4
    optimizer = get_optimizer("parameter-shift-adam")
    with pytest.raises(ConfigError, match=rf"evaluates {32 * dim + 1:,} points of {dim:,} parameters"):
        check_capabilities(optimizer, SharedAngles(dim, shared=16))
