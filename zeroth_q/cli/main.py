"""``python -m zeroth_q.run``: train one objective with one optimizer, into a run directory.

Examples::

    python -m zeroth_q.run --objective vqe
    python -m zeroth_q.run --objective mnist --optimizer zo-adam --epochs 1 --set perturbations=50
    python -m zeroth_q.run --objective quadratic --budget-shots 100000 --set shots=100 --set noise=1
    python -m zeroth_q.run --resume runs/vqe-spsa-20261123-101500
    python -m zeroth_q.run --list

Exit codes: 0 completed, 1 diverged, 2 bad input, 75 the disk is full (what was written stays
consistent: --resume continues once space is freed), 130 interrupted (Ctrl-C or SIGTERM, as
sent by ``timeout``, SLURM and ``docker stop``; resume with --resume).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from zeroth_q.atomic import EXIT_DISK_FULL, disk_full, require_valid_names
from zeroth_q.config import parse_assignment, require
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.estimators import ESTIMATORS
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.minimize import METRICS_PER_DECADE
from zeroth_q.loop.result import Result
from zeroth_q.objective import Objective
from zeroth_q.objectives.registry import get_objective_spec, objective_names
from zeroth_q.optimizers import OPTIMIZERS
from zeroth_q.runs.arguments import ArgumentParser
from zeroth_q.runs.config import RunConfig, route_assignments
from zeroth_q.runs.directory import CONFIG, RunDirectory, read_json_object
from zeroth_q.runs.execute import execute
from zeroth_q.runs.interrupts import interrupt_once
from zeroth_q.updates import UPDATE_RULES

EXIT_CODES = {"completed": 0, "diverged": 1, "interrupted": 130}


def parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
        prog="python -m zeroth_q.run",
        description="Train an objective (circuit, MLP, test function) with a zeroth- or first-order "
        "optimizer.",
        epilog="Objective and optimizer parameters: --set key=value (e.g. --set qubits=8 --set "
        "perturbations=50). Use objective.key / optimizer.key where a key is ambiguous. See --list.",
    )
    p.add_argument("--objective", help="objective name (see --list)")
    p.add_argument("--optimizer", help="optimizer name (default: the objective's default)")
    p.add_argument("--steps", type=int, help="budget: optimizer steps")
    p.add_argument(
        "--epochs", type=float, help="budget: passes over the training data (objectives with epochs)"
    )
    p.add_argument("--budget-shots", type=int, help="budget: total measurement shots")
    p.add_argument("--budget-evaluations", type=int, help="budget: total objective evaluations (rows)")
    p.add_argument("--budget-circuits", type=int, help="budget: total circuit executions")
    p.add_argument("--budget-examples", type=int, help="budget: total training examples seen")
    p.add_argument("--budget-seconds", type=float, help="budget: wall-clock seconds")
    p.add_argument("--seed", type=int, help="random seed (default 0)")
    p.add_argument(
        "--metrics-every", type=int, help="compute metrics every N steps (default 0: not periodic)"
    )
    p.add_argument(
        "--metrics-per-decade",
        type=int,
        help=f"also at K log-spaced steps per decade (default {METRICS_PER_DECADE}; at the end always)",
    )
    p.add_argument("--checkpoint-every", type=int, help="checkpoint every N steps (default 10)")
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="objective or optimizer parameter, value as JSON (repeatable)",
    )
    p.add_argument(
        "--config", type=Path, help="JSON run config (the format of a run's config.json; may be partial)"
    )
    p.add_argument(
        "--out", type=Path, help="run directory (default runs/<objective>-<optimizer>-<timestamp>)"
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace the run already in --out (default: refuse)"
    )
    p.add_argument(
        "--resume",
        type=Path,
        metavar="DIR",
        help="continue the run in DIR from its last checkpoint (with --steps N or another budget "
        "flag: to that budget instead)",
    )
    p.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="threads of NumPy's BLAS (default 1: the MLP's small products run 3x slower on 2 threads "
        "of a busy 2-core machine; parallelise with sweeps instead)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--list", action="store_true", help="list objectives and optimizers, then exit")
    return p


def list_choices() -> str:
    lines = ["objectives:"]
    for name in objective_names():
        try:
            lines.append(f"  {name:22s} {get_objective_spec(name).description}")
        except ConfigError as exc:
            lines.append(f"  {name:22s} (unavailable: {exc})")
    lines.append("optimizers:")
    lines += [f"  {name:22s} {entry.description}" for name, entry in sorted(OPTIMIZERS.items())]
    # the registered kinds, a user's own included, for {"estimator"/"update": {"kind": ...}}
    for section, registry in (("estimator kinds", ESTIMATORS), ("update rule kinds", UPDATE_RULES)):
        lines.append(f"{section}:")
        lines += [f"  {kind:22s} {_summary(cls)}" for kind, cls in sorted(registry.items())]
    return "\n".join(lines)


def _summary(cls: type) -> str:
    return (cls.__doc__ or "").strip().split("\n")[0].replace("``", "")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    for flag in ("objective", "optimizer"):
        name = getattr(args, flag)
        require(
            name is None or bool(name.strip()),
            f"--{flag} needs a name (see --list); leave it out for the "
            f"{'config file' if flag == 'objective' else 'objective'}'s default.",
        )
    base: dict[str, Any] = read_json_object(args.config, "config") if args.config else {}
    for section in ("objective", "optimizer", "budget"):
        if not isinstance(base.get(section) or {}, dict):
            raise ConfigError(
                f"config file {args.config}: {section!r} must be a JSON object, got {base[section]!r}."
            )
    objective = dict(base.get("objective", {}))
    if args.objective:
        if args.objective != objective.get("name"):
            objective = {}
        objective["name"] = args.objective
    if "name" not in objective:
        raise ConfigError("no objective given: pass --objective NAME (see --list) or --config FILE.")
    spec = get_objective_spec(objective["name"])
    optimizer = dict(base.get("optimizer", {}))
    if args.optimizer:
        optimizer = {"name": args.optimizer}
    assignments = dict(parse_assignment(text) for text in args.assignments)
    to_objective, to_optimizer = route_assignments(
        spec, optimizer.get("name", spec.default_optimizer), assignments
    )
    objective.update(to_objective)
    optimizer.update(to_optimizer)
    budget = dict(base.get("budget") or {})
    flags = budget_flags(args)
    if flags or args.epochs is not None:
        budget = flags
    data = {**base, "objective": objective, "optimizer": optimizer, "budget": budget or None}
    for key in ("seed", "metrics_every", "metrics_per_decade", "checkpoint_every"):
        if getattr(args, key) is not None:
            data[key] = getattr(args, key)
    return RunConfig.from_dict(data, spec)


def budget_flags(args: argparse.Namespace) -> dict[str, Any]:
    flags = {
        "steps": args.steps,
        "shots": args.budget_shots,
        "evaluations": args.budget_evaluations,
        "circuits": args.budget_circuits,
        "examples": args.budget_examples,
        "seconds": args.budget_seconds,
    }
    return {k: v for k, v in flags.items() if v is not None}


# Flags that set what a run is; a resumed run is what its config.json says.
RUN_DEFINING_FLAGS = (
    "objective",
    "optimizer",
    "config",
    "out",
    "seed",
    "metrics_every",
    "metrics_per_decade",
    "checkpoint_every",
)


def resumed_config(args: argparse.Namespace) -> RunConfig:
    """The config of the run in ``--resume DIR``, with the budget flags given applied to
    its budget (``--steps N`` extends or shortens the run to N steps); any flag that would
    change the run itself is refused, never ignored."""
    config = RunDirectory(args.resume).read_config()
    given = [f"--{k.replace('_', '-')}" for k in RUN_DEFINING_FLAGS if getattr(args, k) is not None]
    given += ["--set"] * bool(args.assignments) + ["--overwrite"] * args.overwrite
    if given:
        raise ConfigError(
            f"--resume continues the run as its config.json says; {', '.join(given)} cannot change it "
            f"(only budget flags can: --steps, --epochs, --budget-*). Start a new run with --out for that."
        )
    flags = budget_flags(args)
    if flags:
        config = config.with_budget(Budget(**{**config.budget.__dict__, **flags}))
    return config


def with_epochs(config: RunConfig, objective: Objective, epochs: float) -> RunConfig:
    """``config`` with a budget of ``epochs`` passes over ``objective``'s training data."""
    per_epoch = getattr(objective, "steps_per_epoch", None)
    if per_epoch is None:
        raise ConfigError(f"objective {config.spec.name!r} has no epochs; use --steps instead.")
    steps = max(1, round(epochs * per_epoch))
    return config.with_budget(Budget(**{**config.budget.__dict__, "steps": steps}))


def describe(result: Result, directory: Path, main_metric: str | None) -> str:
    cost = result.cost
    lines = [
        f"status      {result.status}: {result.message}",
        f"final loss  {result.fun:.8g}   (best seen {result.best_loss:.8g})",
        f"cost        {result.nit} steps, {cost.evaluations:,} evaluations, {cost.circuits:,} circuits, "
        f"{cost.shots:,} shots, {cost.examples:,} examples, {result.wall_time:.1f} s",
    ]
    ordered = sorted(result.metrics, key=lambda k: k != main_metric)
    lines += [f"{k:<11s} {result.metrics[k]:.8g}" for k in ordered]
    lines.append(f"written to  {directory}")
    return "\n".join(lines)


def interrupted_outside_the_loop(directory: Path | None) -> str:
    """What is true after Ctrl-C/SIGTERM outside the loop: a run directory with a config can
    be resumed; before the run started nothing was written (a fresh run that stops before
    its first step removes what it wrote)."""
    if directory is not None and RunDirectory(directory).file(CONFIG).is_file():
        return f"interrupted; --resume {directory} continues it."
    return "interrupted before the run started; nothing was written."


def main(argv: Sequence[str] | None = None) -> int:
    directory = None
    try:
        # From the first statement to the last line printed: a signal anywhere in between
        # is one message, never a traceback (python -m zeroth_q.run handled it until here).
        with interrupt_once():
            args = parser().parse_args(argv)
            directory = args.resume or args.out
            if args.list:
                print(list_choices())
                return 0
            require(args.blas_threads >= 1, f"--blas-threads must be >= 1 (got {args.blas_threads}).")
            epochs = args.epochs
            finite = epochs is None or 0 < epochs < math.inf
            require(finite, f"--epochs must be a finite number > 0 (got {epochs}).")
            if args.resume:
                config = resumed_config(args)
            else:
                config = config_from_args(args)
                directory = args.out or Path("runs") / f"{config.name}-{time.strftime('%Y%m%d-%H%M%S')}"
            require_valid_names(directory, "--resume" if args.resume else "--out")
            require(args.blas_threads >= 1, f"--blas-threads must be >= 1 (got {args.blas_threads}).")
            with threadpool_limits(limits=args.blas_threads, user_api="blas"):
                # built here only to count an epoch's steps; execute builds it otherwise
                objective = None if epochs is None else config.build_objective()
                if objective is not None:
                    config = with_epochs(config, objective, epochs)
                result = execute(
                    config,
                    directory,
                    objective=objective,
                    resume=bool(args.resume),
                    overwrite=args.overwrite,
                    progress=not args.no_progress,
                )
            if result is None:
                summary = RunDirectory(directory).read_summary() or {}
                print(f"{directory} already finished: {summary.get('status')}, {summary.get('message')}")
                return 0
            print(describe(result, directory, config.main_metric))
            return EXIT_CODES[result.status]
    except ZerothQError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        problem = disk_full(exc)
        if problem is None:
            raise
        started = directory is not None and RunDirectory(directory).file(CONFIG).is_file()
        fix = (
            f"--resume {directory} continues the run once space is freed"
            if started
            else "nothing was written to resume: free space and run the same command again"
        )
        print(f"error: {problem}; {fix}.", file=sys.stderr)
        return EXIT_DISK_FULL
    except KeyboardInterrupt:
        # Outside the loop, e.g. while the objective is built (inside it, the loop stops
        # with status interrupted and the run directory is written).
        print(interrupted_outside_the_loop(directory), file=sys.stderr)
        return EXIT_CODES["interrupted"]
