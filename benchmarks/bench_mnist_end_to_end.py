"""The one-epoch MNIST run end to end, as a user runs it, against a plain NumPy script (issue 29).

Three contenders, each a fresh process, run in turn round by round (seed = round), one BLAS
thread each (``OPENBLAS_NUM_THREADS=1`` for all, and threadpoolctl inside both programs):

* ``script``: ``plain_numpy_spsa_adam.py``, one-sided Rademacher SPSA (T = 50, c = 0.01) + Adam
  (lr 1e-3) on the linear model, batch 50, one epoch; data loading and the test pass included.
* ``zeroth-q rademacher``: ``python -m zeroth_q.run --objective mnist --optimizer zo-adam --epochs 1``
  with the same estimator and rule (``hidden=[] perturbations=50 one_sided=true
  distribution=rademacher lr=1e-3``) and everything a run does besides: the default metrics
  schedule, checkpoints, history, curve, summary, and the progress bar.
* ``zeroth-q sphere``: the same with zo-adam's default directions (two-sided, sphere), only
  ``perturbations=50 lr=1e-3`` set.
* ``zeroth-q default``: ``python -m zeroth_q.run --objective mnist`` as it comes (backprop-Adam on
  784-128-10, one epoch), for one number: the share of its run that its metrics take.

Reported: the whole process (wall, timed by this script), the run (the engine's ``wall_time_s``
from ``summary.json``: steps, metrics, checkpoints; the script's training loop), and the test
accuracy, each the median and range (times) or mean ± std (accuracy) over rounds; the ratios
round by round (the contenders of a round run back to back), median and range. The box is
shared: only the ratios, measured side by side in one run, mean anything. The metrics' share of a run
is the CPU time of its ``objective_metrics`` calls over the run's CPU time (loop and final row), both
timed inside the process. A second table: the import time of ``python -m zeroth_q.run --objective mnist``
(``python -X importtime``), by top-level module.

Usage: ``python benchmarks/bench_mnist_end_to_end.py [--rounds 3] [--before DIR]``; ``--before`` adds
the two zeroth-q contenders run with an earlier checkout (e.g. ``git archive REV | tar -x -C DIR``),
alternated with the others in the same rounds, for before/after ratios measured side by side.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench_mnist_end_to_end.md"
SCRIPT = ROOT / "benchmarks" / "plain_numpy_spsa_adam.py"
ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT),
    **{name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
}
# ``python -m zeroth_q.run`` as a user runs it, reporting also the CPU seconds of its loop (the
# loop's ``_loop``: steps, metrics, checkpoints; not the end files, which ``minimize``'s end
# callbacks write): on a shared machine the run's wall time says as much about the load as
# about the code.
TIMED_RUN = """
import json, sys, time
import zeroth_q.loop.minimize as loop
from zeroth_q.cli.main import main

original_loop, original_metrics = loop._loop, loop.objective_metrics
seconds = {"run_cpu_s": 0.0, "metrics_cpu_s": 0.0, "final_metrics_cpu_s": 0.0}
inside = False


def timed_loop(*args, **kwargs):
    global inside
    start, inside = time.process_time(), True
    try:
        return original_loop(*args, **kwargs)
    finally:
        seconds["run_cpu_s"] += time.process_time() - start
        inside = False


def timed_metrics(*args, **kwargs):
    start = time.process_time()
    try:
        return original_metrics(*args, **kwargs)
    finally:
        spent = time.process_time() - start
        seconds["metrics_cpu_s"] += spent
        if not inside:  # the final row's, after the loop: part of the run
            seconds["final_metrics_cpu_s"] += spent


loop._loop, loop.objective_metrics = timed_loop, timed_metrics
code = main(sys.argv[1:])
print(json.dumps(seconds), file=sys.stderr)
sys.exit(code)
"""
RUN = [sys.executable, "-m", "zeroth_q.run", "--objective", "mnist"]
ZO_EPOCH = ["--optimizer", "zo-adam", "--epochs", "1"]
SETTINGS = {
    "zeroth-q rademacher": [
        *ZO_EPOCH,
        *("--set", "hidden=[]", "--set", "perturbations=50", "--set", "one_sided=true"),
        *("--set", "distribution=rademacher", "--set", "lr=1e-3"),
    ],
    "zeroth-q sphere": [*ZO_EPOCH, "--set", "hidden=[]", "--set", "perturbations=50", "--set", "lr=1e-3"],
    # The default run (backprop-Adam, 784-128-10, one epoch): only its metrics' share is a target.
    "zeroth-q default": [],
}
BEFORE = "before: "  # the contenders run with the --before checkout
FLOOR_STEP_S = 0.7e-3  # the floor for a one-sided T = 50 step on the linear model


def timed(
    command: list[str], cwd: Path, env: dict[str, str] = ENV
) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``command``; its wall seconds and its CPU seconds (user + system, from the children's
    rusage: what the process costs whatever else the shared machine runs)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_script(seed: int, scratch: Path) -> dict[str, float]:
    done, wall, cpu = timed([sys.executable, str(SCRIPT), "--seed", str(seed)], scratch)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "process": wall,
        "cpu": cpu,
        "run": report["loop_s"],
        "run_cpu": report["loop_cpu_s"],
        "accuracy": report["test_accuracy"],
    }


def run_engine(name: str, seed: int, scratch: Path, code: Path = ROOT) -> dict[str, float]:
    """The run ``name`` of :data:`SETTINGS` with the zeroth-q checkout at ``code``."""
    out = scratch / f"{name.split()[-1]}-{seed}-{code.name}"
    command = [*RUN, *SETTINGS[name], "--seed", str(seed), "--out", str(out), "--overwrite"]
    env = {**ENV, "PYTHONPATH": str(code)}
    done, wall, cpu = timed([sys.executable, "-c", TIMED_RUN, *command[3:]], scratch, env)
    # The progress bar shares stderr (its last line has no newline before the report).
    report = json.loads(re.findall(r'\{"run_cpu_s".*\}', done.stderr)[-1])
    summary = json.loads((out / "summary.json").read_text())
    with open(out / "history.csv", newline="") as handle:
        metric_rows = sum(1 for row in csv.DictReader(handle) if row.get("test_accuracy"))
    run_cpu = report["run_cpu_s"] + report["final_metrics_cpu_s"]
    return {
        "process": wall,
        "cpu": cpu,
        "run": summary["wall_time_s"],
        "run_cpu": run_cpu,
        "accuracy": summary["test_accuracy"],
        "metric_rows": metric_rows,
        "metrics_share": report["metrics_cpu_s"] / run_cpu,
    }


def import_times(scratch: Path) -> list[tuple[str, float]]:
    """Top-level imports of a 1-step MNIST run (``-X importtime``), seconds, largest first."""
    command = [sys.executable, "-X", "importtime", *RUN[1:], "--steps", "1", "--no-progress"]
    command += ["--out", str(scratch / "imports"), "--overwrite", "--set", "hidden=[]"]
    done = subprocess.run(command, env=ENV, cwd=scratch, capture_output=True, text=True, check=True)
    top = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if not name[1:].startswith(" "):  # top level: one space after the bar
            top.append((name.strip(), int(cumulative) / 1e6))
    return sorted(top, key=lambda item: -item[1])


def stats(results: list[dict[str, float]], key: str) -> np.ndarray:
    return np.array([r[key] for r in results])


def spread(values: np.ndarray, digits: int = 2) -> str:
    """``median (min-max)`` of ``values``."""
    return f"{np.median(values):.{digits}f} ({values.min():.{digits}f}-{values.max():.{digits}f})"


def ratios(numerator: list[dict[str, float]], denominator: list[dict[str, float]], key: str) -> np.ndarray:
    """Round by round: the two contenders of a round ran back to back, under the same load."""
    return stats(numerator, key) / stats(denominator, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--before", type=Path, help="an earlier checkout of zeroth-q, run too (contenders 'before: ...')"
    )
    args = parser.parse_args()
    rounds = args.rounds
    names = ["script", *SETTINGS, *([f"{BEFORE}{name}" for name in SETTINGS] if args.before else [])]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        imports = import_times(scratch)
        for seed in range(rounds):
            order = names if seed % 2 == 0 else names[::-1]  # alternate who runs first
            for name in order:
                if name == "script":
                    result = run_script(seed, scratch)
                elif name.startswith(BEFORE):
                    result = run_engine(name.removeprefix(BEFORE), seed, scratch, args.before)
                else:
                    result = run_engine(name, seed, scratch)
                runs[name].append(result)
                print(seed, name, result, flush=True)
    load = os.getloadavg()
    table = render(runs, rounds, imports, load)
    RESULTS.write_text(table + "\n")
    print(table)


def render(
    runs: dict[str, list[dict[str, float]]],
    rounds: int,
    imports: list[tuple[str, float]],
    load: tuple[float, float, float],
) -> str:
    rows = []
    for name, results in runs.items():
        accuracy = stats(results, "accuracy") * 100
        run_cpu = stats(results, "run_cpu")
        metric_rows = int(max(r.get("metric_rows", 0) for r in results))
        share = stats(results, "metrics_share") * 100 if metric_rows else None
        share = f"{spread(share, 0)} % ({metric_rows} rows)" if share is not None else "-"
        rows.append(
            f"| {name} | {spread(stats(results, 'process'))} | {spread(stats(results, 'cpu'))} "
            f"| {spread(stats(results, 'run'))} | {spread(run_cpu)} "
            f"| {np.median(run_cpu) / 1200 * 1e3:.2f} | {share} "
            f"| {accuracy.mean():.2f} ± {accuracy.std():.2f} |"
        )
    targets = []
    for prefix in ("", BEFORE):
        if f"{prefix}zeroth-q sphere" not in runs:
            continue
        script, engine, sphere = (
            runs["script"],
            runs[f"{prefix}zeroth-q rademacher"],
            runs[f"{prefix}zeroth-q sphere"],
        )
        targets += [
            (f"{prefix}run: script loop / zeroth-q rademacher run", script, engine, "run", "run_cpu", ">= 2"),
            (f"{prefix}process: script / zeroth-q rademacher", script, engine, "process", "cpu", ">= 1.5"),
            (
                f"{prefix}default directions: sphere run / rademacher run",
                sphere,
                engine,
                "run",
                "run_cpu",
                "<= 2",
            ),
        ]
    lines = [
        f"| {label} | **{spread(ratios(a, b, wall))}** | **{spread(ratios(a, b, cpu))}** | {target} |"
        for label, a, b, wall, cpu, target in targets
    ]
    for prefix in ("", BEFORE):
        if f"{prefix}zeroth-q default" in runs:
            share = stats(runs[f"{prefix}zeroth-q default"], "metrics_share") * 100
            lines.append(f"| {prefix}default run: metrics / run, % | - | **{spread(share, 1)}** | <= 10 |")
    total = sum(seconds for _, seconds in imports)
    shown = [f"| {module} | {seconds:.3f} |" for module, seconds in imports if seconds >= 0.01]
    return "\n".join(
        [
            "# One epoch of MNIST SPSA-Adam end to end: `python -m zeroth_q.run` vs a plain NumPy script",
            "",
            f"Linear model, batch 50, 1,200 steps, T = 50, c = 0.01, Adam lr 1e-3; {rounds} rounds (seed = "
            "round), the contenders alternated in fresh processes, one BLAS thread each, on a shared 2-core "
            f"machine (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end): compare the "
            "ratios, measured side by side; absolute times move with the load, and CPU times less than wall "
            "times. Times in seconds, median (min-max) over rounds. `run`: the engine's `wall_time_s` "
            "(steps, metrics, checkpoints) and the script's training loop. `process CPU`: user + system "
            "seconds of the process; `run CPU`: process time of the loop (engine: steps, metrics and "
            "checkpoints and the final row's metrics; script: its loop). `metrics`: CPU time of the "
            "run's metrics calls (timed in the process) as a share of its run CPU, median (min-max) %. "
            "`zeroth-q default`: `python -m zeroth_q.run --objective mnist` as it comes (backprop-Adam, "
            "784-128-10, one epoch), whose metrics' share is a target.",
            "",
            "| contender | process s | process CPU s | run s | run CPU s | CPU ms / step | metrics "
            "| test accuracy % |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "Ratios of the two contenders of each round (they ran back to back), median (min-max) over "
            "rounds:",
            "",
            "| ratio | wall | CPU | target |",
            "|---|---:|---:|---:|",
            *lines,
            "",
            f"Floor: 1,200 steps at {FLOOR_STEP_S * 1e3:.1f} ms = {1200 * FLOOR_STEP_S:.2f} s.",
            "",
            f"## Imports of `python -m zeroth_q.run --objective mnist` (`-X importtime`): {total:.2f} s",
            "",
            "Top-level modules in the order of their cost, seconds (cumulative, >= 10 ms); `PIL` is imported "
            "when the curve is drawn, after the run (the run imports no matplotlib).",
            "",
            "| module | s |",
            "|---|---:|",
            *shown,
        ]
    )


if __name__ == "__main__":
    main()
