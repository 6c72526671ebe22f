"""``python -m zeroth_q.run`` against a hostile user (issue 12, issue 11 §5): occupied and
locked run directories, kills at bad moments, damaged checkpoints, signals, bad files."""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.core.test_cli import RUN, history_without_wall_time, run_cli
from zeroth_q.cli.main import EXIT_CODES, main
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import RunState
from zeroth_q.objective import Evaluation
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.directory import RunDirectory, RunDirectoryWriter

QUICK = ["--objective", "quadratic", "--optimizer", "zo-sgd", "--set", "dim=4", "--set", "lr=0.01"]


def main_in_process(*args: str) -> subprocess.CompletedProcess:
    """``python -m zeroth_q.run ARGS`` in this process: the same code path without the
    interpreter start-up, for the many bad-input cases."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--no-progress", *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr


def strict_json(path: Path) -> dict:
    def refuse(constant: str) -> None:
        raise ValueError(f"{path} holds the non-JSON constant {constant}")

    return json.loads(path.read_text(), parse_constant=refuse)


class StopAt(Callback):
    """Ctrl-C at a given step, as a user would press it."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step(self, run: RunState) -> None:
        if run.step == self.step:
            raise KeyboardInterrupt


def interrupted_run(directory: Path, steps: int, stop: int) -> RunConfig:
    """A run of ``steps`` steps of QUICK, Ctrl-C'd at step ``stop``, written to ``directory``."""
    config = RunConfig.from_dict(
        {
            "objective": {"name": "quadratic", "dim": 4},
            "optimizer": {"name": "zo-sgd", "lr": 0.01},
            "budget": {"steps": steps},
            "checkpoint_every": 5,
        }
    )
    rundir = RunDirectory(directory)
    rundir.write_config(config)
    objective = config.build_objective()
    writer = RunDirectoryWriter(rundir, config, objective)
    result = minimize(objective, config.optimizer, config.budget, callbacks=[writer, StopAt(stop)])
    assert result.status == "interrupted"
    return config


# --- data at risk ------------------------------------------------------------------------


def test_an_occupied_out_is_refused_unless_overwrite(tmp_path):
    out = tmp_path / "r"
    assert main_in_process(*QUICK, "--steps", "5", "--out", str(out)).returncode == 0
    refused = main_in_process(*QUICK, "--steps", "7", "--set", "lr=0.02", "--out", str(out))
    assert_one_line_error(refused, f"--resume {out}", "--overwrite", "fresh --out")
    assert strict_json(out / "config.json")["budget"]["steps"] == 5

    replaced = main_in_process(*QUICK, "--steps", "7", "--set", "lr=0.02", "--out", str(out), "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert strict_json(out / "config.json")["optimizer"]["update"]["lr"] == 0.02
    assert strict_json(out / "summary.json")["steps"] == 7


def test_a_second_run_on_a_locked_directory_refuses(tmp_path):
    out = tmp_path / "r"
    with RunDirectory(out).lock():
        proc = main_in_process(*QUICK, "--steps", "5", "--out", str(out))
        assert_one_line_error(proc, "in use by another run", f"process {os.getpid()}")
    assert not (out / "config.json").exists()


def test_the_lock_of_a_killed_run_is_recovered(tmp_path):
    out = tmp_path / "r"
    hold = f"from zeroth_q.runs.directory import RunDirectory\nwith RunDirectory({str(out)!r}).lock():\n"
    hold += "    print('locked', flush=True)\n    import time; time.sleep(120)\n"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    assert RunDirectory(out).owner() == holder.pid
    assert_one_line_error(main_in_process(*QUICK, "--steps", "5", "--out", str(out)), "in use by another run")
    holder.kill()  # kill -9: no cleanup of any kind
    holder.wait()
    assert RunDirectory(out).owner() is None
    proc = main_in_process(*QUICK, "--steps", "5", "--out", str(out))
    assert proc.returncode == 0, proc.stderr


def test_resume_finishes_a_run_killed_between_its_last_checkpoint_and_its_summary(tmp_path):
    out = tmp_path / "r"
    assert main_in_process(*QUICK, "--steps", "12", "--out", str(out)).returncode == 0
    summary = strict_json(out / "summary.json")
    parameters = (out / "parameters.npy").read_bytes()
    # What kill -9 leaves after the final checkpoint: every end file missing.
    for name in ("summary.json", "curve.png", "parameters.npy"):
        (out / name).unlink()

    resumed = main_in_process("--resume", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert "status      completed" in resumed.stdout
    again = strict_json(out / "summary.json")
    assert {k: v for k, v in again.items() if k != "wall_time_s"} == {
        k: v for k, v in summary.items() if k != "wall_time_s"
    }
    assert (out / "parameters.npy").read_bytes() == parameters and (out / "curve.png").stat().st_size > 0
    finished = main_in_process("--resume", str(out))
    assert finished.returncode == 0 and "already finished: completed" in finished.stdout


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[40:200] = bytes(160)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_bytes(b""), "unreadable"),
        (_truncate, "unreadable"),
        (_garble, "unreadable"),
        (lambda path: path.write_text("not a zip file"), "unreadable"),
        (lambda path: (path.unlink(), path.mkdir()), "unreadable"),
    ],
    ids=["empty", "truncated", "garbled", "text", "directory"],
)
def test_a_damaged_checkpoint_is_one_line_naming_the_file(tmp_path, damage, message):
    out = tmp_path / "r"
    interrupted_run(out, steps=30, stop=12)
    damage(out / "checkpoint.npz")
    assert_one_line_error(main_in_process("--resume", str(out)), str(out / "checkpoint.npz"), message)


@pytest.mark.parametrize(
    ("section", "key", "value", "changed"),
    [
        ("optimizer", "name", "zo-adam", "optimizer"),
        ("objective", "dim", 5, "objective"),
        ("objective", "condition", 10.0, "objective"),
        (None, "seed", 3, "seed"),
    ],
)
def test_a_checkpoint_of_another_config_is_refused(tmp_path, section, key, value, changed):
    out = tmp_path / "r"
    config = interrupted_run(out, steps=30, stop=12).to_dict()
    if section is None:
        config[key] = value
    elif key == "name":
        config[section] = {"name": value}
    else:
        config[section][key] = value
    (out / "config.json").write_text(json.dumps(config))
    assert_one_line_error(main_in_process("--resume", str(out)), str(out / "checkpoint.npz"), changed)


def test_stale_temporaries_of_a_killed_writer_are_removed_on_resume(tmp_path):
    out = tmp_path / "r"
    interrupted_run(out, steps=20, stop=12)
    stale = out / ".checkpoint.npz.x1y2z3.tmp"
    stale.write_bytes(bytes(4096))
    assert main_in_process("--resume", str(out)).returncode == 0
    assert not stale.exists() and not list(out.glob(".*.tmp"))


# --- resume with a new budget --------------------------------------------------------------


def test_resume_with_steps_extends_an_interrupted_run_bit_for_bit(tmp_path):
    out, reference = tmp_path / "r", tmp_path / "reference"
    interrupted_run(out, steps=20, stop=12)
    proc = main_in_process("--resume", str(out), "--steps", "40")
    assert proc.returncode == 0, proc.stderr
    assert strict_json(out / "summary.json")["steps"] == 40
    assert strict_json(out / "config.json")["budget"]["steps"] == 40
    fresh = main_in_process(*QUICK, "--steps", "40", "--checkpoint-every", "5", "--out", str(reference))
    assert fresh.returncode == 0, fresh.stderr
    rows = history_without_wall_time(out / "history.csv")
    assert len(rows) == 41 and rows == history_without_wall_time(reference / "history.csv")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "2"], "has already taken"),
        (["--set", "lr=1"], "--set cannot change it"),
        (["--optimizer", "zo-adam"], "--optimizer cannot change it"),
        (["--seed", "4"], "--seed cannot change it"),
    ],
)
def test_resume_refuses_what_it_cannot_honour(tmp_path, args, message):
    out = tmp_path / "r"
    interrupted_run(out, steps=20, stop=12)
    assert_one_line_error(main_in_process("--resume", str(out), *args), message)


def test_resume_of_an_ended_run_with_more_steps_refuses_clearly(tmp_path):
    out = tmp_path / "r"
    assert main_in_process(*QUICK, "--steps", "5", "--out", str(out)).returncode == 0
    assert_one_line_error(
        main_in_process("--resume", str(out), "--steps", "50"), "cannot be extended", "--out NEW"
    )


# --- interruption ------------------------------------------------------------------------


class InterruptedObjective:
    """The quadratic, with Ctrl-C landing during the first evaluation."""

    def __init__(self, objective) -> None:
        self.objective = objective
        self.dim = objective.dim

    def initial_point(self, rng):
        return self.objective.initial_point(rng)

    def evaluate(self, thetas, rng) -> Evaluation:
        raise KeyboardInterrupt


def test_ctrl_c_during_the_first_step_writes_an_interrupted_run_directory(tmp_path):
    config = RunConfig.from_dict(
        {"objective": {"name": "quadratic", "dim": 4}, "optimizer": {"name": "spsa"}}
    )
    rundir = RunDirectory(tmp_path / "r")
    rundir.write_config(config)
    objective = InterruptedObjective(config.build_objective())
    writer = RunDirectoryWriter(rundir, config, objective)
    result = minimize(objective, config.optimizer, config.budget, callbacks=[writer])
    assert result.status == "interrupted" and result.nit == 0 and EXIT_CODES[result.status] == 130
    summary = strict_json(rundir.file("summary.json"))
    assert summary["status"] == "interrupted" and summary["final_loss"] is None
    assert rundir.file("curve.png").stat().st_size > 0
    assert rundir.file("history.csv").read_text().startswith("step,")


def wait_for_rows(history: Path, rows: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if history.exists() and len(history.read_text().splitlines()) > rows:
            return
        time.sleep(0.02)
    raise AssertionError(f"{history} never reached {rows} rows")


def test_sigterm_stops_a_run_like_ctrl_c(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.Popen(
        [*RUN, *QUICK, "--steps", "1000000", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_rows(out / "history.csv", 50, proc)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "status      interrupted" in stdout
    assert strict_json(out / "summary.json")["status"] == "interrupted"
    resumed = run_cli("--resume", str(out), "--steps", "100")
    assert resumed.returncode in (0, 2), resumed.stderr  # 2 if it had already passed 100 steps


def test_repeated_ctrl_c_exits_130_without_a_traceback(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.Popen(
        [*RUN, *QUICK, "--set", "dim=200", "--steps", "1000000", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_rows(out / "history.csv", 20, proc)
    for _ in range(20):
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGINT)
        time.sleep(0.002)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr


# --- files ---------------------------------------------------------------------------------


def test_summary_of_a_diverged_run_is_valid_json_with_nulls_explained(tmp_path):
    out = tmp_path / "d"
    proc = run_cli(
        "--objective", "quadratic", "--optimizer", "backprop-sgd", "--set", "lr=100", "--steps", "500",
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 1
    summary = strict_json(out / "summary.json")
    assert summary["status"] == "diverged"
    nulls = {key for key, value in summary.items() if value is None}
    assert "final_loss" in nulls and set(summary["non_finite"]) == nulls
    assert all(text in ("nan", "inf", "-inf") for text in summary["non_finite"].values())


@pytest.mark.parametrize(("umask", "mode"), [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_output_files_follow_the_umask(tmp_path, umask, mode):
    out = tmp_path / "r"
    proc = subprocess.run(
        [*RUN, *QUICK, "--steps", "3", "--out", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(umask),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for name in (
        "config.json",
        "history.csv",
        "summary.json",
        "checkpoint.npz",
        "curve.png",
        "parameters.npy",
    ):
        assert (out / name).stat().st_mode & 0o777 == mode, name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'"quadratic"', "must be a JSON object {...}"),
        (b"null", "must be a JSON object {...}"),
        (b"[1, 2]", "must be a JSON object {...}"),
        (b'{"objective": {"name": "quadratic"}, "budget": 5}', "'budget' must be a JSON object"),
        (b'{"objective": "quadratic"}', "'objective' must be a JSON object"),
        (b'{"objective": {"name": "quadratic"}, "optimizer": [1]}', "'optimizer' must be a JSON object"),
        (b'{"objective": {"name": "quadratic"}}\xff\xfe', "is not UTF-8"),
        (b"", "is not valid JSON"),
        (None, "is a directory"),
    ],
)
def test_config_files_of_the_wrong_shape_are_one_line(tmp_path, content, message):
    path = tmp_path / "config.json"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    proc = main_in_process("--config", str(path), "--out", str(tmp_path / "never"))
    assert_one_line_error(proc, message)
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("kind", ["file", "under a file"])
def test_out_that_cannot_be_a_directory_is_one_line(tmp_path, kind):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    out = blocker if kind == "file" else blocker / "run"
    assert_one_line_error(main_in_process(*QUICK, "--steps", "3", "--out", str(out)), str(out))


def test_checkpoint_files_stay_the_same_size_however_long_the_run(tmp_path):
    sizes = {}
    for steps in (50, 1000):
        out = tmp_path / str(steps)
        assert main_in_process(*QUICK, "--steps", str(steps), "--out", str(out)).returncode == 0
        sizes[steps] = (out / "checkpoint.npz").stat().st_size
        assert len((out / "history.csv").read_text().splitlines()) == steps + 2
    assert sizes[1000] < 1.1 * sizes[50], sizes


def test_history_survives_a_resume_with_its_rows_typed_as_written(tmp_path):
    out = tmp_path / "r"
    interrupted_run(out, steps=20, stop=12)
    assert main_in_process("--resume", str(out)).returncode == 0
    steps = [row["step"] for row in history_without_wall_time(out / "history.csv")]
    assert steps == [str(s) for s in range(20)] + ["20"]
    assert np.load(out / "parameters.npy").shape == (4,)


@pytest.mark.parametrize("epochs", ["nan", "inf", "-1"])
def test_epochs_must_be_a_finite_positive_number(tmp_path, epochs):
    proc = main_in_process("--objective", "xor", f"--epochs={epochs}", "--out", str(tmp_path / "never"))
    assert_one_line_error(proc, "--epochs must be a finite number > 0")
