"""``python -m zeroth_q.sweep GRID.json``: run a grid of runs (see :mod:`zeroth_q.sweep`).

Exit codes: 0 every run completed, 1 some run failed or diverged, 2 bad input (a bad grid
stops before anything runs; a ``metric`` no run recorded is reported after the runs, which
are kept), 75 the disk is full (run the same command again once space is freed), 130
interrupted (run the same command again to go on; --resume to continue
interrupted runs from their checkpoints).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from zeroth_q.errors import ZerothQError
from zeroth_q.runs.arguments import ArgumentParser, failure_exit_code
from zeroth_q.runs.interrupts import ignore_interrupts, interrupt_once
from zeroth_q.sweep.engine import FAILED, SweepOutcome, run_sweep
from zeroth_q.sweep.grid import read_grid
from zeroth_q.sweep.rundirs import run_error


def parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
        prog="python -m zeroth_q.sweep",
        description="Run every combination of a grid file's axes, each into its own run directory. "
        "Running the same command again skips finished runs.",
    )
    p.add_argument("grid", type=Path, help="JSON grid file: base config, axes, zip groups, metric")
    p.add_argument("--out", type=Path, help="sweep directory (default sweeps/<grid name>)")
    p.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on Dask: 'local-dask' starts a LocalCluster, tcp://HOST:PORT joins a cluster "
        "(needs pip install 'zeroth-q[dask]')",
    )
    p.add_argument("--resume", action="store_true", help="continue interrupted runs from their checkpoints")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def describe(outcome: SweepOutcome) -> str:
    counts = Counter(outcome.statuses.values())
    total = len(outcome.statuses)
    lines = [f"{total} run{'s' * (total != 1)}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))]
    for name in outcome.failed:
        reason = run_error(outcome.directory / name) or outcome.statuses[name]
        lines.append(f"  {outcome.statuses[name]:<9s} {name}: {reason}")
    lines.append(f"written to  {outcome.directory}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with interrupt_once():
            grid = read_grid(args.grid)
            outcome = run_sweep(
                grid,
                args.out or Path("sweeps") / str(grid.name),
                scheduler=args.scheduler,
                workers=args.workers,
                resume=args.resume,
                progress=not args.no_progress,
            )
    except (ZerothQError, OSError) as exc:
        return failure_exit_code(exc)
    except KeyboardInterrupt:
        print("interrupted: run the same command again to go on (--resume continues from checkpoints).")
        return 130
    print(describe(outcome))
    return 1 if any(s in FAILED for s in outcome.statuses.values()) else 0


if __name__ == "__main__":
    code = main()
    ignore_interrupts()
    sys.exit(code)
