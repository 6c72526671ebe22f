"""Benchmark 3: CPU time per zo-adam step, this code vs the code before issue 15, side by side.

The epoch times of ``bench_mnist_one_epoch.md`` are wall times on a shared machine whose load
changes by 10x within an hour; this benchmark compares CPU time (``process_time``, one BLAS
thread) of the same ``zeroth_q.minimize`` steps run by two checkouts in alternating
subprocesses. The old checkout is given by path, e.g. made with
``git archive ba99f26 | tar -x -C /tmp/old_engine`` (the commit before issue 15).

Usage: ``python benchmarks/bench_engine_before_after.py --old /tmp/old_engine [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "bench_engine_before_after.md"
NEW = Path(__file__).resolve().parent.parent
# (label, hidden, T, steps, extra optimizer parameters)
CASES = [
    (
        "linear, zo-adam T=50 one-sided Rademacher",
        (),
        50,
        200,
        {"one_sided": True, "distribution": "rademacher"},
    ),
    ("784-128-10, zo-adam:10 (sphere, two-sided)", (128,), 10, 60, {}),
    ("784-128-10, zo-adam:100 (sphere, two-sided)", (128,), 100, 12, {}),
]
CHILD = """
import json, sys, time
import zeroth_q
from classical.specs import MnistConfig, build_mnist
hidden, count, steps, extra = json.loads(sys.argv[1])
objective = build_mnist(MnistConfig(hidden=tuple(hidden), batch_size=50))
params = {"lr": 1e-3, "perturbations": count, **extra}
run = lambda n: zeroth_q.minimize(objective, "zo-adam", zeroth_q.Budget(steps=n), seed=0, metrics_every=0,
                                  optimizer_params=params)
run(2)
start = time.process_time()
run(steps)
print((time.process_time() - start) / steps)
"""


def cpu_per_step(code: Path, hidden: tuple[int, ...], count: int, steps: int, extra: dict) -> float:
    env = {**os.environ, "PYTHONPATH": str(code), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    argument = json.dumps([list(hidden), count, steps, extra])
    output = subprocess.run(
        [sys.executable, "-c", CHILD, argument], env=env, cwd=code, capture_output=True, text=True
    )
    if output.returncode:
        raise RuntimeError(f"the run in {code} failed:\n{output.stderr}")
    return float(output.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="a checkout of the code before issue 15")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for label, hidden, count, steps, extra in CASES:
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.rounds):
            for name, code in (("old", args.old), ("new", NEW)):
                times[name].append(cpu_per_step(code, hidden, count, steps, extra))
        old, new = min(times["old"]), min(times["new"])
        rows.append(
            f"| {label} | {steps} | {old * 1e3:.1f} | {new * 1e3:.1f} | {old / new:.1f}x "
            f"| {old * 1200:.0f} | {new * 1200:.0f} |"
        )
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            "# CPU time per zo-adam step on MNIST: before issue 15 vs now (same machine, same run)",
            "",
            f"Minimum over {args.rounds} alternating subprocess runs of `steps` steps each, one BLAS thread, "
            "batch 50, `zeroth_q.minimize` (update rule and bookkeeping included). An epoch is 1,200 steps.",
            "",
            "| case | steps | before ms/step | now ms/step | speed-up | before CPU s/epoch "
            "| now CPU s/epoch |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    RESULTS.write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
