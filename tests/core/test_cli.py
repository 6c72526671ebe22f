"""``python -m zeroth_q.run`` end to end, in real subprocesses."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zeroth_q.runs.directory import read_history

RUN = [sys.executable, "-m", "zeroth_q.run", "--no-progress"]


def history_without_wall_time(path: Path) -> list[dict[str, str]]:
    """The history exactly as written (text, so missing cells compare equal), less wall time."""
    with open(path, newline="") as handle:
        return [{k: v for k, v in row.items() if k != "wall_time"} for row in csv.DictReader(handle)]


def run_cli(*args, cwd=None):
    return subprocess.run([*RUN, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_run_writes_a_complete_run_directory(tmp_path):
    out = tmp_path / "run"
    proc = run_cli(
        "--objective",
        "quadratic",
        "--optimizer",
        "zo-adam",
        "--steps",
        "40",
        "--out",
        str(out),
        "--set",
        "dim=6",
        "--set",
        "perturbations=3",
        "--set",
        "shots=50",
        "--set",
        "noise=1",
    )
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} >= {
        "config.json",
        "history.csv",
        "summary.json",
        "curve.png",
        "checkpoint.npz",
        "parameters.npy",
    }
    summary = json.loads((out / "summary.json").read_text())
    assert {
        "objective",
        "optimizer",
        "status",
        "final_loss",
        "best_loss",
        "steps",
        "evaluations",
        "circuits",
        "shots",
        "wall_time_s",
        "exact_loss",
    } <= set(summary)
    assert summary["steps"] == 40 and summary["evaluations"] == 40 * 6 + 1
    assert summary["shots"] == summary["evaluations"] * 50
    with open(out / "history.csv") as handle:
        header = next(csv.reader(handle))
    assert (
        header[:6] == ["step", "evaluations", "circuits", "shots", "examples", "loss"]
        and header[-1] == "wall_time"
    )
    config = json.loads((out / "config.json").read_text())
    assert config["objective"]["dim"] == 6 and config["optimizer"]["estimator"]["perturbations"] == 3
    assert (out / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "exact_loss" in proc.stdout and "final loss" in proc.stdout


def test_config_file_reproduces_a_run(tmp_path):
    first = run_cli("--objective", "rosenbrock", "--steps", "25", "--out", str(tmp_path / "a"), "--seed", "3")
    second = run_cli("--config", str(tmp_path / "a" / "config.json"), "--out", str(tmp_path / "b"))
    assert first.returncode == second.returncode == 0
    first_rows = history_without_wall_time(tmp_path / "a" / "history.csv")
    assert len(first_rows) == 26 and first_rows == history_without_wall_time(tmp_path / "b" / "history.csv")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--objective", "quadratik"], "unknown objective 'quadratik'. Did you mean 'quadratic'"),
        (["--objective", "quadratic", "--optimizer", "zo-adma"], "Did you mean 'zo-adam'"),
        (["--objective", "quadratic", "--steps", "-5"], "budget steps must be > 0"),
        (["--objective", "quadratic", "--set", "shots=0"], "shots must be a positive integer"),
        (
            ["--objective", "quadratic", "--optimizer", "spsa", "--set", "perturbations=0"],
            "perturbations must be >= 1",
        ),
        (["--objective", "quadratic", "--set", "perturbation=3"], "Did you mean 'perturbations'"),
        (["--objective", "quadratic", "--epochs", "2"], "has no epochs; use --steps"),
        (["--config", "/nonexistent/config.json"], "config file /nonexistent/config.json not found"),
        (["--resume", "/nonexistent/run"], "not a run directory"),
        ([], "no objective given"),
        (["--objective", "quadratic", "--blas-threads", "0"], "--blas-threads must be >= 1"),
        (["--objective", "quadratic", "--optimizer", "kfac"], "kfac needs the objective's layer_curvature()"),
        (["--objective", "quadratic", "--budget-shots", "1000"], "Quadratic spends no shots"),
        (
            [
                "--objective",
                "quadratic",
                "--set",
                "shots=100",
                "--optimizer",
                "fd-sgd",
                "--budget-shots",
                "1000",
            ],
            "one fd-sgd step costs 4,100 shots (and the final evaluation 100); the budget is 1,000 shots",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, message, tmp_path):
    proc = run_cli(*args, "--out", str(tmp_path / "never"), cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "never").exists()


def test_divergence_is_reported_with_history_kept(tmp_path):
    proc = run_cli(
        "--objective",
        "quadratic",
        "--optimizer",
        "backprop-sgd",
        "--set",
        "lr=100",
        "--steps",
        "500",
        "--out",
        str(tmp_path / "d"),
    )
    assert proc.returncode == 1
    summary = json.loads((tmp_path / "d" / "summary.json").read_text())
    assert summary["status"] == "diverged" and 0 < summary["steps"] < 500
    assert len(read_history(tmp_path / "d" / "history.csv")) == summary["steps"] + 2


def test_list_names_objectives_and_optimizers():
    proc = run_cli("--list")
    assert proc.returncode == 0
    for name in ("quadratic", "rosenbrock", "spsa", "zo-adamm", "parameter-shift-adam", "backprop-amsgrad"):
        assert f"  {name} " in proc.stdout


def test_killed_run_resumes_to_the_same_history_bit_for_bit(tmp_path):
    args = [
        "--objective",
        "quadratic",
        "--optimizer",
        "zo-adam",
        "--steps",
        "800",
        "--seed",
        "7",
        "--checkpoint-every",
        "25",
        "--set",
        "dim=300",
        "--set",
        "perturbations=40",
        "--set",
        "noise=0.5",
        "--set",
        "shots=10",
    ]
    killed, reference = tmp_path / "killed", tmp_path / "reference"
    proc = subprocess.Popen(
        [*RUN, *args, "--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    history = killed / "history.csv"
    deadline = time.time() + 120
    while time.time() < deadline and not (history.exists() and len(history.read_text().splitlines()) > 100):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "summary.json").exists(), "the run finished before it could be killed"
    assert 100 <= len(read_history(history)) < 800

    resumed = run_cli("--resume", str(killed))
    assert resumed.returncode == 0, resumed.stderr
    assert run_cli(*args, "--out", str(reference)).returncode == 0
    rows = history_without_wall_time(killed / "history.csv")
    assert len(rows) == 801 and rows == history_without_wall_time(reference / "history.csv")
    assert (killed / "parameters.npy").read_bytes() == (reference / "parameters.npy").read_bytes()
    again = run_cli("--resume", str(killed))
    assert again.returncode == 0 and "already finished" in again.stdout
