"""Progress output reads well where it lands: a bar on a terminal, a few lines in a log."""

import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from concurrent.futures import ThreadPoolExecutor

from zeroth_q import Budget, Cost, ProgressBar, build_objective, get_optimizer
from zeroth_q.loop import minimize as loop
from zeroth_q.sweep import run_sweep

RUN = [sys.executable, "-m", "zeroth_q.run", "--objective", "quadratic", "--optimizer", "spsa"]


def test_a_redirected_log_gets_one_short_line_per_milestone(tmp_path):
    # 20,000 steps once wrote 7.2 KB of carriage-return redraws into a log; now 6 lines whatever the length.
    args = [*RUN, "--steps", "4000", "--set", "dim=2", "--out", str(tmp_path / "run")]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    log = proc.stderr
    assert "\r" not in log
    lines = log.splitlines()
    assert len(lines) == 6, log  # start, 10 %, 25 %, 50 %, 75 %, end
    assert len(log) < 800
    assert lines[0] == "quadratic: started, budget 4,000 steps"
    for line, (done, step) in zip(
        lines[1:], [("10%", "400"), ("25%", "1,000"), ("50%", "2,000"), ("75%", "3,000")], strict=False
    ):
        assert line.startswith(f"quadratic: {done} of the steps budget, step {step}, loss "), line
        assert re.search(r"exact_loss [\d.e-]+, [\d,]+ evaluations, [\d.]+ s$", line), line
    assert lines[-1].startswith("quadratic: completed, 100% of the steps budget, step 4,000, loss ")


def test_no_progress_writes_nothing(tmp_path):
    args = [*RUN, "--no-progress", "--steps", "300", "--out", str(tmp_path / "run")]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_a_terminal_gets_a_redrawn_bar(tmp_path):
    args = [*RUN, "--steps", "3000", "--out", str(tmp_path / "run")]
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 wide
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:  # drain as it runs, so a full pty buffer never blocks the child
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    screen = b"".join(chunks).decode()
    assert "\r" in screen  # redrawn in place
    assert "3000/3000" in screen and "step/s" in screen
    assert "of the steps budget" not in screen  # not the log form


def test_milestones_count_in_the_binding_unit_and_a_resumed_run_skips_those_behind_it():
    objective = build_objective("quadratic", {"dim": 3, "noise": 1.0, "shots": 10})
    budget = Budget(evaluations=2_000)
    log = io.StringIO()
    result = loop.minimize(
        objective,
        get_optimizer("zo-adam", perturbations=1),
        budget,
        callbacks=[ProgressBar(budget, "exact_loss", file=log, desc="q")],
        seed=0,
    )
    lines = log.getvalue().splitlines()
    assert lines[0] == "q: started, budget 2,000 evaluations"
    assert [line.split(" of ")[0] for line in lines[1:-1]] == ["q: 10%", "q: 25%", "q: 50%", "q: 75%"]
    # each milestone line is written at the first step whose spending passed it
    spent = [int(re.search(r"([\d,]+) evaluations", line)[1].replace(",", "")) for line in lines[1:-1]]
    assert [s >= m * 2_000 for s, m in zip(spent, (0.1, 0.25, 0.5, 0.75), strict=True)] == [True] * 4
    assert all(s - 3 < m * 2_000 for s, m in zip(spent, (0.1, 0.25, 0.5, 0.75), strict=True))
    assert lines[-1].startswith(f"q: completed, 100% of the evaluations budget, step {result.nit}")

    halfway = loop.start_run(objective, get_optimizer("zo-adam", perturbations=1), seed=0)
    halfway.step, halfway.cost = 600, Cost(evaluations=1_300)  # as a checkpoint at 65 % would hold
    log = io.StringIO()
    loop.minimize(
        objective,
        get_optimizer("zo-adam", perturbations=1),
        budget,
        callbacks=[ProgressBar(budget, "exact_loss", file=log, desc="q")],
        seed=0,
        resume=halfway,
    )
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("q: resumed at step ")
    assert [line.split(" of ")[0] for line in lines[1:-1]] == ["q: 75%"]


def test_a_sweep_in_a_log_reports_the_share_of_runs_ended(tmp_path, capsys):
    grid = {
        "base": {"objective": {"name": "quadratic", "dim": 2}, "budget": {"steps": 3}},
        "axes": {"optimizer.name": ["spsa", "zo-sgd"], "seed": [0, 1]},
    }
    with ThreadPoolExecutor(1) as executor:
        run_sweep(grid, tmp_path / "sweep", executor=executor)
    log = capsys.readouterr().err  # pytest's capture is not a terminal
    assert "\\r" not in log
    lines = log.splitlines()
    assert [line.split(":")[1].split("(")[0].strip() for line in lines] == [
        "1/4 runs ended",
        "2/4 runs ended",
        "3/4 runs ended",
        "4/4 runs ended",
    ]
    assert lines[-1].startswith("sweep: 4/4 runs ended (100%): 4 completed, 0 failed, 0 running, ")
