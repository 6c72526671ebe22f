"""A full disk (issue 28 §5): said in one line (exit 75), what was written stays consistent,
and ``--resume`` completes the run once space is freed.

One test fills a real small tmpfs (skipped where mounting is not permitted); the others make
the file-writing boundary (:mod:`zeroth_q.atomic`, ours) fail with ENOSPC for one file."""

import contextlib
import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zeroth_q import atomic
from zeroth_q.atomic import EXIT_DISK_FULL
from zeroth_q.sweep.__main__ import main as sweep_main

from .test_cli import history_without_wall_time
from .test_reliability_cli import main_in_process

RUN = ["--objective", "quadratic", "--optimizer", "zo-sgd", "--set", "dim=4", "--set", "lr=0.01"]


def assert_disk_full(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == EXIT_DISK_FULL, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "the disk is full" in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs at ``tmp_path / "disk"``; skipped where this process may not mount."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk``, then free ``leave`` bytes of it; returns the filler to delete."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 4096)
        handle.truncate(max(0, handle.tell() - leave))
    return filler


@pytest.mark.slow
def test_a_run_on_a_real_full_disk_stops_in_one_line_and_resumes_after_space_is_freed(small_disk, tmp_path):
    steps = ["--steps", "3000", "--checkpoint-every", "5"]
    reference = tmp_path / "reference"
    assert main_in_process(*RUN, *steps, "--out", str(reference)).returncode == 0

    out = small_disk / "run"
    filler = fill(small_disk, leave=64 * 1024)  # less than the history of 3,000 steps
    assert_disk_full(main_in_process(*RUN, *steps, "--out", str(out)), f"--resume {out}")
    filler.unlink()
    resumed = main_in_process("--resume", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert history_without_wall_time(out / "history.csv") == history_without_wall_time(
        reference / "history.csv"
    )
    assert json.loads((out / "summary.json").read_text())["status"] == "completed"


def test_a_run_on_a_disk_full_before_its_first_write_says_nothing_is_left_to_resume(small_disk):
    filler = fill(small_disk, leave=0)
    out = small_disk / "run"
    assert_disk_full(
        main_in_process(*RUN, "--steps", "5", "--out", str(out)), "nothing was written to resume"
    )
    filler.unlink()
    assert main_in_process(*RUN, "--steps", "5", "--out", str(out)).returncode == 0


@pytest.fixture
def full_for(monkeypatch):
    """``full_for(name)``: from now on, writing a file called ``name`` through zeroth_q.atomic
    fails with ENOSPC, as on a full disk (after a temporary was created, as a real one does)."""
    names: set[str] = set()
    real_open = atomic.atomic_open

    @contextlib.contextmanager
    def atomic_open(path, mode="w"):
        with real_open(path, mode) as handle:
            if Path(path).name in names:
                raise OSError(errno.ENOSPC, "No space left on device")
            yield handle

    real_append = atomic.append_durably

    def append_durably(path, text):
        if Path(path).name in names:
            with atomic.naming_the_file(path):
                raise OSError(errno.ENOSPC, "No space left on device")
        real_append(path, text)

    for module in list(sys.modules.values()):
        if getattr(module, "atomic_open", None) is real_open:
            monkeypatch.setattr(module, "atomic_open", atomic_open)
        if getattr(module, "append_durably", None) is real_append:
            monkeypatch.setattr(module, "append_durably", append_durably)
    return names


@pytest.mark.parametrize("name", ["history.csv", "checkpoint.npz", "curve.png", "summary.json"])
def test_a_run_whose_disk_fills_at_any_file_resumes_to_the_same_run(tmp_path, full_for, name):
    steps = ["--steps", "40", "--checkpoint-every", "5"]
    reference = tmp_path / "reference"
    assert main_in_process(*RUN, *steps, "--out", str(reference)).returncode == 0
    out = tmp_path / "run"
    full_for.add(name)
    if name == "history.csv":
        # history.csv is written first, when the run starts: a run refused there leaves
        # nothing behind, so the advice is to run the same command again, not --resume.
        assert_disk_full(main_in_process(*RUN, *steps, "--out", str(out)), name, "run the same command again")
        assert not out.exists()
        full_for.clear()
        resumed = main_in_process(*RUN, *steps, "--out", str(out))
    else:
        assert_disk_full(main_in_process(*RUN, *steps, "--out", str(out)), name, f"--resume {out}")
        full_for.clear()
        resumed = main_in_process("--resume", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert history_without_wall_time(out / "history.csv") == history_without_wall_time(
        reference / "history.csv"
    )
    assert json.loads((out / "summary.json").read_text())["status"] == "completed"
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_a_sweep_on_a_full_disk_is_one_line_and_runs_again(tmp_path, full_for, capsys):
    grid = tmp_path / "grid.json"
    grid.write_text(
        json.dumps(
            {
                "base": {"objective": {"name": "quadratic", "dim": 2}, "budget": {"steps": 3}},
                "axes": {"seed": [0, 1]},
            }
        )
    )
    args = [str(grid), "--out", str(tmp_path / "sweep"), "--workers", "1", "--no-progress"]
    full_for.add("results.csv")
    assert sweep_main(args) == EXIT_DISK_FULL
    err = capsys.readouterr().err
    assert "the disk is full" in err and "results.csv" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    full_for.clear()
    assert sweep_main(args) == 0
