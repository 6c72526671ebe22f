"""Benchmark: peak memory of a long run against its length (issue 28 §9).

A run keeps its history (one row per step: step, four costs, loss, wall time, and the
metrics every ``metrics_every`` steps) in memory for ``Result.history``. Held as a list of
dicts that was about 0.45 KB a step; held as columns of arrays (``zeroth_q.loop.history``)
it is 8 bytes per column and step. The table gives the peak memory of a
``minimize`` of ``quadratic`` (dim 20, ``zo-sgd``, metrics every 10 steps) through the
Python API and of ``python -m zeroth_q.run`` for the same run written to a run directory,
at 20k and 200k steps, as the maximum resident set of each process (``/usr/bin/time -v``:
the interpreter and NumPy are about 100 MB of it whatever the length).

``--label before`` on the old code stores its numbers in ``results/history_memory_before.json``;
a run without a label prints both side by side and writes ``results/history_memory.md``.
Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_history_memory.py [--label before]``
(about 3 minutes).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
BEFORE = RESULTS / "history_memory_before.json"
TABLE = RESULTS / "history_memory.md"
LENGTHS = (20_000, 200_000)
OBJECTIVE = ["--objective", "quadratic", "--set", "dim=20", "--optimizer", "zo-sgd", "--set", "lr=0.001"]


API_RUN = """
from zeroth_q import Budget, build_objective, minimize
result = minimize(build_objective("quadratic", {{"dim": 20}}), "zo-sgd", Budget(steps={steps}),
                  optimizer_params={{"lr": 1e-3}})
assert len(result.history) == {steps} + 1
"""


def max_rss_mb(arguments: list[str]) -> float:
    """Maximum resident set (MB) of ``python ARGUMENTS``, read from ``/usr/bin/time -v``."""
    command = ["/usr/bin/time", "-v", sys.executable, *arguments]
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    kilobytes = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert kilobytes is not None, proc.stderr
    return int(kilobytes.group(1)) / 1024


def measure() -> dict[str, dict[str, float]]:
    numbers = {}
    for steps in LENGTHS:
        with tempfile.TemporaryDirectory() as scratch:
            cli = [
                "-m",
                "zeroth_q.run",
                *OBJECTIVE,
                "--steps",
                str(steps),
                "--no-progress",
                "--out",
                f"{scratch}/r",
            ]
            numbers[str(steps)] = {
                "api": max_rss_mb(["-c", API_RUN.format(steps=steps)]),
                "cli": max_rss_mb(cli),
            }
        print(steps, numbers[str(steps)], flush=True)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", choices=["before"], help="store this code's numbers as 'before'")
    args = parser.parse_args()
    numbers = measure()
    if args.label:
        BEFORE.write_text(json.dumps(numbers, indent=2) + "\n")
        print(json.dumps(numbers, indent=2))
        return
    before = json.loads(BEFORE.read_text()) if BEFORE.exists() else {}
    lines = [
        "| steps | API before (MB) | API after (MB) | CLI before (MB) | CLI after (MB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for steps, now in numbers.items():
        old = before.get(steps, {})
        cells = [f"{old.get(k, float('nan')):.1f} | {now[k]:.1f}" for k in ("api", "cli")]
        lines.append(f"| {int(steps):,} | {' | '.join(cells)} |")
    table = "\n".join(lines)
    print(table)
    TABLE.write_text(f"# Peak memory of a long run (bench_history_memory.py)\n\n{table}\n")


if __name__ == "__main__":
    main()
