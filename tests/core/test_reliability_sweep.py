"""A sweep survives the death of a worker process (kill -9, as the out-of-memory killer does)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from zeroth_q.runs.directory import RunDirectory
from zeroth_q.sweep import run_sweep
from zeroth_q.sweep.rundirs import run_error

# The first run is long enough to be killed mid-way; the others are quick.
GRID = {
    "name": "dead-worker",
    "base": {
        "objective": {"name": "quadratic", "dim": 4},
        "optimizer": {"name": "zo-sgd", "lr": 0.01},
        "metrics_every": 0,
    },
    "zip": [{"seed": [0, 1, 2], "budget.steps": [10_000_000, 20, 20]}],
}


def kill_worker_of(run_directory, deadline: float) -> int:
    """SIGKILL the process that holds ``run_directory``'s lock once it is running."""
    lock = run_directory / ".lock"
    while time.time() < deadline:
        if (run_directory / "history.csv").is_file() and lock.is_file() and lock.read_text().strip():
            pid = int(lock.read_text())
            os.kill(pid, signal.SIGKILL)
            return pid
        time.sleep(0.05)
    raise AssertionError(f"{run_directory} never started")


def test_a_killed_worker_fails_its_run_and_the_sweep_finishes_the_rest(tmp_path):
    sweep = tmp_path / "sweep"
    outcome = {}
    thread = threading.Thread(
        target=lambda: outcome.update(result=run_sweep(GRID, sweep, workers=1, progress=False)), daemon=True
    )
    thread.start()
    killed = kill_worker_of(sweep / "seed=0,budget.steps=10000000", time.time() + 120)
    thread.join(timeout=240)
    assert not thread.is_alive(), "the sweep hung after its worker died"
    statuses = outcome["result"].statuses
    assert statuses == {
        "seed=0,budget.steps=10000000": "failed",
        "seed=1,budget.steps=20": "completed",
        "seed=2,budget.steps=20": "completed",
    }
    assert run_error(sweep / "seed=0,budget.steps=10000000").startswith("worker died")
    assert killed != os.getpid()


def test_a_killed_worker_leaves_the_run_on_the_healthy_worker_running(tmp_path):
    # Issue 28 cause 10: a ProcessPoolExecutor whose worker dies stops all its workers, so
    # the run on the healthy one ended too (interrupted, or failed: worker died).
    grid = {
        **GRID,
        "zip": [{"seed": [0, 1], "budget.steps": [10_000_000, None], "budget.seconds": [None, 6]}],
    }
    sweep = tmp_path / "sweep"
    outcome = {}
    thread = threading.Thread(
        target=lambda: outcome.update(result=run_sweep(grid, sweep, workers=2, progress=False)), daemon=True
    )
    thread.start()
    healthy = sweep / "seed=1,budget.steps=null,budget.seconds=6"
    kill_worker_of(sweep / "seed=0,budget.steps=10000000,budget.seconds=null", time.time() + 120)
    killed_at = time.time()
    thread.join(timeout=240)
    assert not thread.is_alive(), "the sweep hung after its worker died"
    assert list(outcome["result"].statuses.values()) == ["failed", "completed"]
    assert (healthy / "summary.json").stat().st_mtime > killed_at  # it was in flight when the other died
    assert "wall-clock budget" in json.loads((healthy / "summary.json").read_text())["message"]


def test_sigterm_to_the_sweep_stops_its_runs_like_ctrl_c(tmp_path):
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({**GRID, "zip": [{"seed": [0, 1], "budget.steps": [10_000_000, 10_000_000]}]}))
    sweep = tmp_path / "sweep"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zeroth_q.sweep",
            "--no-progress",
            str(grid),
            "--out",
            str(sweep),
            "--workers",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = sweep / "seed=0,budget.steps=10000000"
    try:
        deadline = time.time() + 120
        history = run / "history.csv"
        while time.time() < deadline and not (
            history.is_file() and len(history.read_text().splitlines()) > 20
        ):
            time.sleep(0.05)
        worker = RunDirectory(run).owner()
        assert worker is not None, "the run never started"
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert json.loads((run / "summary.json").read_text())["status"] == "interrupted"
    assert RunDirectory(run).owner() is None
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # the worker ended with the sweep
