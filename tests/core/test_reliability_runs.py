"""Run directories against the second hostile probe (issue 28 causes 3, 4, 6, 11): refusals
that left files, damaged history files, signals during start-up, a finished run on a
read-only mount, and grids too large to validate run by run."""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from tests.core.test_reliability_cli import QUICK, assert_one_line_error, interrupted_run, main_in_process
from zeroth_q.errors import ConfigError
from zeroth_q.objectives import registry
from zeroth_q.objectives.registry import ObjectiveSpec
from zeroth_q.objectives.testfunctions import QUADRATIC
from zeroth_q.runs.directory import HISTORY, OUTPUTS, read_history_rows
from zeroth_q.sweep import run_sweep
from zeroth_q.sweep.__main__ import main as sweep_main
from zeroth_q.sweep.grid import Grid
from zeroth_q.sweep.rundirs import run_error

ROOT = Path(__file__).resolve().parents[2]
# icans checks lr < 2/L in its first step, after the run directory writer has started
REFUSED_IN_THE_FIRST_STEP = (
    *("--objective", "quadratic", "--set", "noise=1", "--set", "shots=10"),
    *("--optimizer", "icans", "--set", "lr=100", "--steps", "3"),
)


def test_a_run_refused_in_its_first_step_leaves_no_files(tmp_path):
    out = tmp_path / "run"
    assert_one_line_error(main_in_process(*REFUSED_IN_THE_FIRST_STEP, "--out", str(out)), "lr must be below")
    assert not out.exists()
    out.mkdir()  # a directory the user made stays, empty
    assert_one_line_error(main_in_process(*REFUSED_IN_THE_FIRST_STEP, "--out", str(out)), "lr must be below")
    assert out.is_dir() and not any(out.iterdir())


def test_a_refused_overwrite_keeps_nothing_that_looks_resumable(tmp_path):
    out = tmp_path / "run"
    assert main_in_process(*QUICK, "--steps", "3", "--out", str(out)).returncode == 0
    refused = main_in_process(*REFUSED_IN_THE_FIRST_STEP, "--out", str(out), "--overwrite")
    assert_one_line_error(refused, "lr must be below")
    assert not {p.name for p in out.iterdir()} & set(OUTPUTS)  # the lock of the first run may stay


def test_an_overwrite_refused_before_it_starts_keeps_the_previous_run(tmp_path):
    out = tmp_path / "run"
    assert main_in_process(*QUICK, "--steps", "3", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    refused = main_in_process(*QUICK, "--budget-evaluations", "1", "--out", str(out), "--overwrite")
    assert_one_line_error(refused, "step costs")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("workers", ["0", "-3"])
def test_a_sweep_refused_for_its_workers_leaves_no_files(tmp_path, workers, capsys):
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"base": {"objective": {"name": "quadratic"}}, "axes": {"seed": [0, 1]}}))
    out = tmp_path / "sweep"
    assert sweep_main([str(grid), "--workers", workers, "--out", str(out), "--no-progress"]) == 2
    assert "--workers must be >= 1" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow  # a Dask client gives up on an unreachable scheduler after its 20 s timeout
def test_a_sweep_on_an_unreachable_scheduler_leaves_no_files(tmp_path, capsys):
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"base": {"objective": {"name": "quadratic"}}, "axes": {"seed": [0]}}))
    out = tmp_path / "sweep"
    code = sweep_main([str(grid), "--scheduler", "tcp://127.0.0.1:9", "--out", str(out), "--no-progress"])
    assert code == 2 and "cannot connect" in capsys.readouterr().err
    assert not out.exists()


HEADER = "step,evaluations,circuits,shots,examples,loss,exact_loss,distance,wall_time\n"
ROW = "0,0,0,0,0,1.5,,,0.01\n"


@pytest.mark.parametrize(
    "text, what",
    [
        (HEADER + ROW.replace("1.5", "1.5x"), "line 2, column loss: '1.5x' is not a number"),
        (HEADER + ROW.replace("0,0,0,0,0", "0,zero,0,0,0"), "line 2, column evaluations"),
        (HEADER + ROW + "1,2,0,0,0\n", "line 3 has 5 cells, its header 9"),
        (HEADER + ROW.replace("\n", ",7,8\n"), "line 2 has 11 cells, its header 9"),
        ("a,b,c\n" + ROW, "its header is 'a,b,c'"),
        (HEADER + "step,step\n", "line 2 has 2 cells"),
    ],
    ids=["garbled cell", "garbled cost", "short row", "extra cells", "replaced header", "repeated header"],
)
def test_a_damaged_history_names_the_file_and_what_is_wrong(tmp_path, text, what):
    path = tmp_path / HISTORY
    path.write_text(text)
    with pytest.raises(ConfigError, match="history.csv is damaged: .*Restore it from a copy") as err:
        read_history_rows(path)
    assert what in str(err.value) and str(path) in str(err.value)


def test_random_bytes_and_nul_bytes_in_a_history_are_named_too(tmp_path):
    path = tmp_path / HISTORY
    for data, what in [
        (bytes(range(128, 256)) * 4, "not UTF-8"),
        (HEADER.encode() + b"0\x00,1\n", "line 2 has 2 cells"),
    ]:
        path.write_bytes(data)
        with pytest.raises(ConfigError, match=f"is damaged: .*{what}"):
            read_history_rows(path)


def test_a_history_cut_short_by_a_kill_still_reads(tmp_path):
    path = tmp_path / HISTORY
    path.write_text(HEADER + ROW + "1,2,0,0,0,1.2")  # the last line has no end: a kill mid-append
    assert read_history_rows(path) == [
        {
            "step": 0,
            "evaluations": 0,
            "circuits": 0,
            "shots": 0,
            "examples": 0,
            "loss": 1.5,
            "wall_time": 0.01,
        }
    ]


@pytest.mark.parametrize(
    "damage", [b"5,x,0,0,0,1.0,,,0.1\n", b"\xff\xfe\x00garbage\n"], ids=["cell", "bytes"]
)
def test_resume_of_a_run_with_a_damaged_history_is_one_line_exit_2(tmp_path, damage):
    out = tmp_path / "run"
    interrupted_run(out, steps=40, stop=12)  # a checkpoint at step 10, rows after it
    path = out / HISTORY
    path.write_bytes(path.read_bytes() + damage)
    assert_one_line_error(main_in_process("--resume", str(out)), str(path), "is damaged")


def interrupted_build(config):
    raise KeyboardInterrupt  # as Ctrl-C or SIGTERM (through interrupt_once) lands there


SLOW_BUILD = ObjectiveSpec("slow-build", "Ctrl-C while it is built", QUADRATIC.config, interrupted_build)


def test_an_interrupt_while_the_objective_is_built_says_nothing_was_written(tmp_path, monkeypatch):
    builtin = {**registry._BUILTIN, "slow-build": f"{__name__}:SLOW_BUILD"}
    monkeypatch.setattr(registry, "_BUILTIN", builtin)
    out = tmp_path / "run"
    proc = main_in_process("--objective", "slow-build", "--steps", "3", "--out", str(out))
    assert proc.returncode == 130
    assert proc.stderr.strip() == "interrupted before the run started; nothing was written."
    assert not out.exists()


# The launcher holds the import of zeroth_q.cli for a second, so the signal surely lands inside
# the imports (which take seconds on a busy machine anyway): in the import machinery itself, or
# in a class body whose descriptor is being named, as NumPy's finfo (cached_property) is; there
# Python 3.11 turned the KeyboardInterrupt into "RuntimeError: Error calling __set_name__".
HOLDS = {
    "import": "sys.stderr.write('importing\\n'); sys.stderr.flush(); time.sleep(1)\n",
    "class body": (
        "class Pause:\n"
        "    def __set_name__(self, owner, name):\n"
        "        sys.stderr.write('importing\\n'); sys.stderr.flush(); time.sleep(1)\n"
        "class Holder:\n"
        "    field = Pause()\n"
    ),
}


@pytest.mark.parametrize("hold", HOLDS)
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_imports_of_the_command_line_is_one_line(tmp_path, stop, hold):
    # Started as python -m would; the signal lands in the imports, before main handles signals.
    out = tmp_path / "run"
    body = "".join("            " + line + "\n" for line in HOLDS[hold].splitlines())
    launcher = (
        "import sys, time, runpy\n"
        "class Slow:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'zeroth_q.cli':\n"
        f"{body}"
        "sys.meta_path.insert(0, Slow())\n"
        f"sys.argv = ['zeroth_q.run', *{[*QUICK, '--steps', '3', '--no-progress', '--out', str(out)]!r}]\n"
        "runpy.run_module('zeroth_q.run', run_name='__main__', alter_sys=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", launcher], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stderr.readline() == "importing\n"
    proc.send_signal(stop)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.strip() == "interrupted before the run started; nothing was written."
    assert not out.exists()


def caught_signals(pid: int) -> int:
    """The mask of signals process ``pid`` has handlers for (Linux ``/proc``, ``SigCgt``)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)


# Seconds from the moment python -m zeroth_q.run handles signals (its first statements) to
# Ctrl-C: its imports (NumPy's among them), the argument parsing, the objective, the steps.
START_DELAYS = (0.0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads SigCgt from Linux /proc")
def test_ctrl_c_at_any_moment_of_the_start_is_one_line_or_a_clean_stop(tmp_path):
    """A real process and a real Ctrl-C at several moments of its start, each either one line
    (nothing written) or the loop's clean stop (an interrupted, resumable run); never a traceback.
    Before the tool's first statement the interpreter's own start-up (``site``, ``runpy``) has
    Python's defaults, out of any program's reach: the delays count from the handler."""
    for i, delay in enumerate(START_DELAYS):
        out = tmp_path / f"run{i}"
        command = [sys.executable, "-m", "zeroth_q.run", *QUICK, "--steps", "10000000", "--no-progress"]
        proc = subprocess.Popen(
            [*command, "--out", str(out)], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        while not caught_signals(proc.pid) >> (signal.SIGTERM - 1) & 1:  # the tool's handler
            time.sleep(0.001)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        stdout, err = proc.communicate(timeout=120)
        assert "Traceback" not in err and proc.returncode == 130, (delay, proc.returncode, err)
        if err:
            assert err.strip() == "interrupted before the run started; nothing was written.", (delay, err)
            assert not out.exists()
        else:  # stopped inside the loop: an interrupted, resumable run
            assert "interrupted by the user" in stdout and (out / "summary.json").is_file()


def test_resume_of_a_finished_run_on_a_read_only_mount_says_it_is_finished(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert main_in_process(*QUICK, "--steps", "3", "--out", str(out)).returncode == 0
    os.chmod(out, 0o555)
    access = os.access  # root writes anywhere: make this directory read-only as a mount would

    def read_only(path, mode, *args, **kwargs):
        inside = Path(path).resolve() == out.resolve() or out.resolve() in Path(path).resolve().parents
        return False if inside and mode & os.W_OK else access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", read_only)
    try:
        proc = main_in_process("--resume", str(out))
        assert proc.returncode == 0, proc.stderr
        assert "already finished: completed" in proc.stdout
        extended = main_in_process("--resume", str(out), "--steps", "5")
        assert_one_line_error(extended, "cannot be extended")
    finally:
        os.chmod(out, 0o755)


def test_a_grid_validates_each_axis_value_once_and_still_names_a_bad_run(monkeypatch):
    import zeroth_q.sweep.grid as grid_module

    built = []
    real = grid_module.RunConfig.from_dict
    monkeypatch.setattr(
        grid_module.RunConfig, "from_dict", staticmethod(lambda data, *a: built.append(1) or real(data, *a))
    )
    base = {"objective": {"name": "quadratic", "dim": 2}, "budget": {"steps": 2}}
    axes = {"optimizer.lr": [0.001 * (i + 1) for i in range(30)], "seed": list(range(30))}
    members = Grid(base, axes).members()
    assert len(members) == 900 and len(built) == 30 + 29  # the first run, then one per other value
    assert members[-1].config.optimizer.update.lr == pytest.approx(0.03) and members[-1].config.seed == 29
    with pytest.raises(ConfigError, match="grid run optimizer.lr=0.001,seed=-1: .*seed must be >= 0"):
        Grid(base, {**axes, "seed": [0, 1, -1]}).members()


def test_a_run_whose_values_are_valid_alone_but_not_together_fails_alone(tmp_path):
    # quadratic takes dim 1 and rosenbrock dim 4; rosenbrock with dim 1 is checked by no
    # one-change-from-the-first-run validation, so it fails in its worker, as a failed run.
    grid = {
        "base": {"budget": {"steps": 5}},
        "axes": {"objective.name": ["quadratic", "rosenbrock"], "objective.dim": [4, 1]},
    }
    with ThreadPoolExecutor(1) as executor:
        outcome = run_sweep(grid, tmp_path / "sweep", executor=executor, progress=False)
    assert outcome.failed == ["objective.name=rosenbrock,objective.dim=1"]
    assert "Rosenbrock needs dim >= 2" in run_error(tmp_path / "sweep" / outcome.failed[0])
    assert sorted(outcome.statuses.values()) == ["completed"] * 3 + ["failed"]


def without_setting(data: dict, key: str) -> dict:
    """``data`` with ``key`` removed at every depth: a config as an earlier version wrote it."""
    return {k: without_setting(v, key) if isinstance(v, dict) else v for k, v in data.items() if k != key}


def rewrite_checkpoint_meta(path: Path, change) -> None:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["meta"] = np.array(json.dumps(change(json.loads(str(arrays["meta"])))))
    np.savez(path, **arrays)


@pytest.mark.parametrize("setting", ["warmup", "last_avg"])
def test_a_run_written_before_a_setting_existed_resumes_as_if_uninterrupted(tmp_path, setting):
    # What an upgrade does to a run directory: a setting added since (the lr warm-up, whose 0 is
    # the old behaviour) is in neither config.json nor the checkpoint's fingerprint.
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert main_in_process(*QUICK, "--steps", "30", "--out", str(whole)).returncode == 0
    interrupted_run(cut, steps=30, stop=12)
    config = json.loads((cut / "config.json").read_text())
    (cut / "config.json").write_text(json.dumps(without_setting(config, setting)))
    rewrite_checkpoint_meta(
        cut / "checkpoint.npz",
        lambda meta: {**meta, "fingerprint": without_setting(meta["fingerprint"], setting)},
    )
    assert main_in_process("--resume", str(cut)).returncode == 0
    rows = [
        [{k: v for k, v in row.items() if k != "wall_time"} for row in read_history_rows(d / HISTORY)]
        for d in (cut, whole)
    ]
    assert rows[0] == rows[1] and len(rows[0]) == 31


def test_a_checkpoint_of_another_learning_rate_is_still_refused(tmp_path):
    cut = tmp_path / "cut"
    interrupted_run(cut, steps=30, stop=12)

    def other_lr(meta):
        meta["fingerprint"]["optimizer"]["update"]["lr"] = 0.02
        return meta

    rewrite_checkpoint_meta(cut / "checkpoint.npz", other_lr)
    assert_one_line_error(main_in_process("--resume", str(cut)), "checkpoint", "another optimizer")
