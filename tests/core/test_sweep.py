"""Sweeps end to end: process pool and local Dask, failures, re-runs, resume, BLAS threads."""

import csv
import ctypes
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from zeroth_q.errors import ConfigError
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import RunState
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.directory import RunDirectory, RunDirectoryWriter
from zeroth_q.runs.execute import execute
from zeroth_q.sweep import job, load, run_sweep
from zeroth_q.sweep.executors import open_workers

GRID = {
    "name": "tiny",
    "base": {
        "objective": {"name": "quadratic", "dim": 4, "noise": 1.0, "shots": 50},
        "optimizer": {"perturbations": 2},
        "budget": {"steps": 20},
    },
    "axes": {"optimizer.name": ["zo-sgd", "zo-adam"], "optimizer.lr": [0.01, 0.03], "seed": [0, 1]},
}
OUTCOME_FILES = ("summary.json", "history.csv", "checkpoint.npz", "curve.png", "parameters.npy")


def sweep_cli(*args, cwd):
    command = [sys.executable, "-m", "zeroth_q.sweep", "--no-progress", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


def histories(directory: Path) -> dict[str, list[dict[str, str]]]:
    """Each run's history as written, less wall time (the one column that may differ)."""
    out = {}
    for path in sorted(directory.glob("*/history.csv")):
        with open(path, newline="") as handle:
            rows = csv.DictReader(handle)
            out[path.parent.name] = [{k: v for k, v in r.items() if k != "wall_time"} for r in rows]
    return out


def summary_mtimes(directory: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in directory.glob("*/summary.json")}


@pytest.fixture(scope="module")
def pool_sweep(tmp_path_factory):
    """The 2×2×2 grid through the default process pool, by the command line."""
    root = tmp_path_factory.mktemp("pool")
    (root / "grid.json").write_text(json.dumps(GRID))
    proc = sweep_cli("grid.json", "--workers", "2", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "8 runs: 8 completed" in proc.stdout
    return root / "sweeps" / "tiny"


def test_pool_sweep_writes_every_run_the_manifest_and_the_tables(pool_sweep):
    manifest = json.loads((pool_sweep / "sweep.json").read_text())
    assert manifest["grid"]["axes"] == GRID["axes"]
    assert [r["status"] for r in manifest["runs"]] == ["completed"] * 8
    for run in manifest["runs"]:
        assert all((pool_sweep / run["name"] / name).is_file() for name in OUTCOME_FILES)
    with open(pool_sweep / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert list(rows[0])[:6] == ["run", "optimizer.name", "optimizer.lr", "seed", "status", "error"]
    assert {r["optimizer"] for r in rows} == {"zo-sgd", "zo-adam"} and {"exact_loss", "shots"} <= set(rows[0])
    assert (pool_sweep / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (pool_sweep / "cost_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_load_gives_a_dataframe_or_plain_rows_without_pandas(pool_sweep, monkeypatch):
    table = load(pool_sweep)
    assert table.shape[0] == 8 and set(table["status"]) == {"completed"}
    assert table.groupby("optimizer.name")["exact_loss"].mean().notna().all()
    monkeypatch.setitem(sys.modules, "pandas", None)
    rows = load(pool_sweep)
    assert isinstance(rows, list) and rows[0]["seed"] == 0 and isinstance(rows[0]["exact_loss"], float)


def test_rerunning_the_same_command_skips_completed_runs(pool_sweep):
    before = summary_mtimes(pool_sweep)
    proc = sweep_cli("grid.json", "--workers", "2", cwd=pool_sweep.parent.parent)
    assert proc.returncode == 0, proc.stderr
    assert summary_mtimes(pool_sweep) == before and len(before) == 8


def test_local_dask_gives_the_same_runs_as_the_process_pool(pool_sweep, tmp_path):
    with open_workers("local-dask", 2) as workers:
        assert workers.executor.submit(os.getenv, "OPENBLAS_NUM_THREADS").result() == "1"
        outcome = run_sweep(GRID, tmp_path / "dask", executor=workers.executor, progress=False)
    assert set(outcome.statuses.values()) == {"completed"} and not outcome.failed
    assert histories(tmp_path / "dask") == histories(pool_sweep)
    assert len(histories(pool_sweep)) == 8


@pytest.mark.slow
def test_killing_the_sweep_loses_nothing_already_written(tmp_path):
    grid = {**GRID, "base": {**GRID["base"], "budget": {"steps": 300}}}
    (tmp_path / "grid.json").write_text(json.dumps(grid))
    command = [sys.executable, "-m", "zeroth_q.sweep", "--no-progress", "grid.json", "--workers", "2"]
    # Its own session, so that SIGKILL takes the workers too, as a crash or the OOM killer would.
    sweep = subprocess.Popen(command, cwd=tmp_path, start_new_session=True)
    directory = tmp_path / "sweeps" / "tiny"
    deadline = time.monotonic() + 240
    while len(summary_mtimes(directory)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()
    before = summary_mtimes(directory)
    assert 2 <= len(before) < 8
    statuses = [r["status"] for r in json.loads((directory / "sweep.json").read_text())["runs"]]
    assert statuses.count("completed") >= 2
    proc = sweep_cli("grid.json", "--workers", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    after = summary_mtimes(directory)
    assert len(after) == 8 and {k: after[k] for k in before} == before


def explode_on_one_run(config, directory, **kwargs):
    if Path(directory).name == "optimizer.lr=0.01,seed=1":
        raise RuntimeError("boom: a worker-side failure")
    return execute(config, directory, **kwargs)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_run_that_raises_or_diverges_is_recorded_and_the_rest_finish(tmp_path, monkeypatch):
    grid = {
        "base": {"objective": {"name": "quadratic", "dim": 4}, "optimizer": {"name": "backprop-sgd"}},
        "axes": {"optimizer.lr": [0.01, 1e30], "seed": [0, 1]},
        "metric": "exact_loss",
    }
    grid["base"]["budget"] = {"steps": 20}
    # Forked workers inherit the patched module, so one run raises inside a real worker.
    monkeypatch.setattr(job, "execute", explode_on_one_run)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        outcome = run_sweep(grid, tmp_path, executor=pool, progress=False)
    assert outcome.statuses == {
        "optimizer.lr=0.01,seed=0": "completed",
        "optimizer.lr=0.01,seed=1": "failed",
        "optimizer.lr=1e+30,seed=0": "diverged",
        "optimizer.lr=1e+30,seed=1": "diverged",
    }
    assert sorted(outcome.failed) == sorted(n for n, s in outcome.statuses.items() if s != "completed")
    failed = tmp_path / "optimizer.lr=0.01,seed=1"
    assert "RuntimeError: boom" in (failed / "traceback.txt").read_text()
    rows = {r["run"]: r for r in load(tmp_path).to_dict("records")}
    assert rows[failed.name]["error"] == "RuntimeError: boom: a worker-side failure"
    assert "non-finite" in rows["optimizer.lr=1e+30,seed=0"]["message"]

    # The same sweep again (workers unpatched) re-runs only the failed run.
    monkeypatch.undo()
    before = summary_mtimes(tmp_path)
    outcome = run_sweep(grid, tmp_path, workers=1, progress=False)
    assert outcome.statuses[failed.name] == "completed" and not (failed / "traceback.txt").exists()
    assert {k: v for k, v in summary_mtimes(tmp_path).items() if k != failed.name} == before


class StopAt(Callback):
    """Ctrl-C at a given step, as a user would press it."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step(self, run: RunState) -> None:
        if run.step == self.step:
            raise KeyboardInterrupt


def test_resume_continues_interrupted_runs_from_their_checkpoints(tmp_path):
    grid = {**GRID, "axes": {"seed": [1]}, "base": {**GRID["base"], "optimizer": {"name": "zo-adam"}}}
    grid["base"]["budget"] = {"steps": 30}
    config = RunConfig.from_dict({**grid["base"], "seed": 1})
    execute(config, tmp_path / "reference", progress=False)
    interrupted = RunDirectory(tmp_path / "sweep" / "seed=1")
    interrupted.write_config(config)
    objective = config.build_objective()
    writer = RunDirectoryWriter(interrupted, config, objective)
    minimize(objective, config.optimizer, config.budget, callbacks=[writer, StopAt(25)], seed=1)
    assert interrupted.read_summary()["status"] == "interrupted"

    outcome = run_sweep(grid, tmp_path / "sweep", workers=1, resume=True, progress=False)
    assert outcome.statuses == {"seed=1": "completed"}
    with open(interrupted.file("history.csv"), newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 31
    assert histories(tmp_path / "sweep")["seed=1"] == histories(tmp_path)["reference"]


# The thread-count getter as each OpenBLAS build names it (NumPy's wheel: ILP64, prefixed).
OPENBLAS_GETTERS = (
    "openblas_get_num_threads",
    "scipy_openblas_get_num_threads",
    "scipy_openblas_get_num_threads64_",
    "openblas_get_num_threads64_",
)


def openblas_threads() -> dict[str, int]:
    """Threads each OpenBLAS loaded in this process (NumPy's, SciPy's) will use, asked of the library."""
    import scipy.linalg  # noqa: F401  (loads both NumPy's and SciPy's OpenBLAS)

    with open("/proc/self/maps") as maps:
        libraries = {line.split()[-1] for line in maps if "openblas" in line}
    counts = {}
    for library in libraries:
        handle = ctypes.CDLL(library)
        getter = next(getattr(handle, s) for s in OPENBLAS_GETTERS if hasattr(handle, s))
        counts[Path(library).name] = getter()
    return counts


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
def test_pool_workers_use_one_blas_thread_and_the_parent_is_left_alone(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with open_workers(None, 1) as workers:
        counts = workers.executor.submit(openblas_threads).result()
        assert counts and set(counts.values()) == {1}, counts
        assert workers.executor.submit(os.getenv, "MKL_NUM_THREADS").result() == "1"
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_a_missing_dask_extra_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ConfigError, match=r"pip install 'zeroth-q\[dask\]'"):
        run_sweep(GRID, tmp_path, scheduler="local-dask", progress=False)


def test_a_bad_grid_file_exits_2_with_one_line_before_anything_runs(tmp_path):
    (tmp_path / "grid.json").write_text(json.dumps({**GRID, "axes": {"optimizer.lr": [0.01, "fast"]}}))
    proc = sweep_cli("grid.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "grid run optimizer.lr=fast" in proc.stderr
    assert not (tmp_path / "sweeps").exists()


def test_the_exit_code_says_whether_a_run_failed_or_diverged(tmp_path, capsys):
    from zeroth_q.sweep.__main__ import main

    grid = {
        "base": {"objective": {"name": "quadratic", "dim": 3}, "budget": {"steps": 10}},
        "axes": {"optimizer.name": ["backprop-sgd"], "optimizer.lr": [1e30]},
    }
    (tmp_path / "grid.json").write_text(json.dumps(grid))
    out = str(tmp_path / "out")
    assert main([str(tmp_path / "grid.json"), "--out", out, "--workers", "1", "--no-progress"]) == 1
    assert "1 run: 1 diverged" in capsys.readouterr().out


def test_a_run_of_another_library_version_is_stale_and_runs_again_from_the_start(pool_sweep, tmp_path):
    """The cache key is the full config and the library version: a finished run recorded by
    another version runs again (not resumed from its checkpoint); one of this version is kept."""
    import shutil

    from zeroth_q.sweep.rundirs import VERSION, library_version, run_status

    sweep = tmp_path / "tiny"
    shutil.copytree(pool_sweep, sweep)
    runs = sorted(p.parent for p in sweep.glob("*/summary.json"))
    assert all((run / VERSION).read_text().strip() == library_version() for run in runs)
    old, kept = runs[0], runs[1]
    (old / VERSION).write_text("0.0.0-old\n")
    assert run_status(old) == "stale" and run_status(kept) == "completed"
    before = summary_mtimes(sweep)
    written = histories(sweep)

    outcome = run_sweep(GRID, sweep, workers=1, resume=True, progress=False)

    assert set(outcome.statuses.values()) == {"completed"}
    after = summary_mtimes(sweep)
    assert after[old.name] != before[old.name]  # ran again
    assert {k: v for k, v in after.items() if k != old.name} == {
        k: v for k, v in before.items() if k != old.name
    }
    assert (old / VERSION).read_text().strip() == library_version()
    assert histories(sweep) == written  # the same config, seed and code give the same run


def test_a_run_saved_before_a_new_default_setting_is_found_finished_and_a_changed_value_is_not(
    pool_sweep, tmp_path
):
    """A run directory written before a setting existed (its config.json lacks the optimizer's
    ``warmup``, added later with a default that reproduces the old runs) is the same cache
    entry: nothing reruns. A saved value that differs from the grid's is still refused."""
    import shutil

    sweep = tmp_path / "tiny"
    shutil.copytree(pool_sweep, sweep)
    runs = sorted(p.parent for p in sweep.glob("*/summary.json"))
    for run in runs:
        config = json.loads((run / "config.json").read_text())
        assert config["optimizer"]["update"].pop("warmup") == 0
        (run / "config.json").write_text(json.dumps(config))
    before = summary_mtimes(sweep)

    outcome = run_sweep(GRID, sweep, workers=1, resume=True, progress=False)

    assert set(outcome.statuses.values()) == {"completed"}
    assert summary_mtimes(sweep) == before  # found finished, none ran again
    config = json.loads((runs[0] / "config.json").read_text())
    config["optimizer"]["update"]["warmup"] = 5
    (runs[0] / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="different config than the grid gives it"):
        run_sweep(GRID, sweep, workers=1, resume=True, progress=False)
