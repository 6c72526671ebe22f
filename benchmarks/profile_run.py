"""Where the wall time of one command-line run goes: ``python -m zeroth_q.run ARGS`` under cProfile.

The run is executed in this process through :func:`zeroth_q.cli.main.main` (the command line's
own code path) under ``cProfile``, with one BLAS thread; the table gives the cumulative time of
the functions that delimit each phase (imports and objective construction; the loop: the
optimizer's steps and, inside them, the objective's evaluations and the simulator's jobs;
metrics, checkpoints, progress; the end files), and the share of the process. cProfile adds
a cost per Python call, so the Python-heavy phases look larger than they are: read the shares,
not the seconds, and compare a phase only with itself across versions.

Usage: ``python benchmarks/profile_run.py --name vqe -- --objective vqe`` (everything after
``--`` is passed to ``python -m zeroth_q.run``; ``--out`` and ``--no-progress`` are added);
writes ``benchmarks/results/profile_run_<name>.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import sys
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

RESULTS = Path(__file__).parent / "results"

# (phase, file suffix, function name, depth): the cumulative time of every function matching
# the suffix and name; depth indents the row under the phase that contains it.
PHASES = [
    ("objective construction (imports of the backend included)", "runs/config.py", "build_objective", 0),
    ("qiskit import", "site-packages/qiskit/__init__.py", "<module>", 1),
    ("PennyLane import", "site-packages/pennylane/__init__.py", "<module>", 1),
    (
        "Qiskit preset pass manager (QiskitBackend)",
        "generate_preset_pass_manager.py",
        "generate_preset_pass_manager",
        1,
    ),
    ("MNIST files read, decompressed, verified", "classical/mnist.py", "load_mnist", 1),
    ("optimization loop", "loop/minimize.py", "_loop", 0),
    ("optimizer steps", "zeroth_q/composition.py", "step", 1),
    ("objective evaluations (generic path)", "zeroth_q/objective.py", "evaluate", 2),
    ("perturbed evaluations (MLP: SPSA's pass)", "classical/supervised.py", "evaluate_perturbed", 2),
    ("simulator: Aer jobs, waiting for the result", "qiskit_aer/jobs/aerjob.py", "result", 3),
    ("simulator: Aer jobs, handoff to its worker thread", "qiskit_aer/jobs/aerjob.py", "submit", 3),
    ("simulator: NumPy statevector (circuits/)", "circuits/adjoint_statevector.py", "statevectors", 3),
    ("probabilities from saved states (circuits/)", "circuits/measurement.py", "basis_probabilities", 3),
    ("multinomial shot counts (circuits/)", "circuits/shot_models.py", "multinomial_counts", 3),
    ("metrics", "loop/minimize.py", "objective_metrics", 1),
    ("checkpoints (history append + checkpoint.npz, fsynced)", "runs/directory.py", "on_step", 1),
    ("progress bar", "loop/callbacks.py", "on_step", 1),
    ("final evaluation", "loop/minimize.py", "final_evaluation", 0),
    ("end files: last checkpoint, parameters, curve, summary", "runs/directory.py", "on_end", 0),
    ("curve (Pillow import and drawing)", "runs/plotting.py", "plot_curve", 1),
]


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> tuple[float, int]:
    seconds, calls = 0.0, 0
    for (filename, _, function), (_, ncalls, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function == name and filename.endswith(suffix):
            seconds += cum
            calls += ncalls
    return seconds, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="results/profile_run_<name>.md")
    parser.add_argument("run_args", nargs=argparse.REMAINDER, help="-- then the arguments of zeroth_q.run")
    args = parser.parse_args()
    run_args = [a for a in args.run_args if a != "--"]
    with tempfile.TemporaryDirectory() as directory, threadpool_limits(limits=1, user_api="blas"):
        argv = [*run_args, "--no-progress", "--out", str(Path(directory) / "run")]
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        from zeroth_q.cli.main import main as run_main

        imported = time.perf_counter()
        code = run_main(argv)
        profile.disable()
        total = time.perf_counter() - start
    stats = pstats.Stats(profile)
    startup = imported - start
    rows = [f"| import of `zeroth_q.cli.main` | {startup:.2f} | {startup / total:.1%} | 1 |"]
    for phase, suffix, name, depth in PHASES:
        seconds, calls = cumulative(stats, suffix, name)
        if calls:
            label = "&nbsp;&nbsp;" * 2 * depth + phase
            rows.append(f"| {label} | {seconds:.2f} | {seconds / total:.1%} | {calls:,} |")
    command = "python -m zeroth_q.run " + " ".join(run_args)
    table = "\n".join(
        [
            f"# Where the time of `{command}` goes",
            "",
            f"One run under cProfile in one process ({platform.machine()}, "
            f"Python {platform.python_version()}, "
            f"one BLAS thread, shared 2-core machine), exit code {code}; total {total:.1f} s wall including "
            "the profiler's per-call cost (Python-heavy phases look larger than they are). Rows: cumulative "
            "time of the function that delimits each phase; indented rows are inside the row above.",
            "",
            "| phase | s | share | calls |",
            "|---|---:|---:|---:|",
            *rows,
        ]
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"profile_run_{args.name}.md").write_text(table + "\n")
    print(table)
    sys.exit(0)


if __name__ == "__main__":
    main()
