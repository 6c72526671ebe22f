"""Tuning and evaluation, both as sweeps: every run is a run directory of the sweep engine.

A run directory is keyed by its full config (``config.json``, every default written out) and
by the library version that ran it (``version.txt``, see :mod:`zeroth_q.sweep.rundirs`), so
running a stage again reads finished runs back and runs only what is missing or stale.

Tuning (issue 30 item 3) is Optuna's TPE sampler (Bergstra et al., NeurIPS 2011), seeded per
(problem, method): each trial is one sweep of the trial's settings over the tuning seeds at
the tuning budget, its value the median over those seeds of :math:`\\log_{10}` of the final
score. The same number of trials and the same budget per trial for every method. Because the
sampler is seeded and a finished trial's value is read back exactly from its run
directories, a re-run replays the same trials at no cost and continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.optimizer_benchmark.anchors import ANCHORS, anchor_config, run_anchors
from benchmarks.optimizer_benchmark.suite import (
    ANCHOR_METHODS,
    METHODS,
    Method,
    Problem,
    Size,
    search_space,
    slug,
)
from zeroth_q.atomic import write_text
from zeroth_q.sweep import load, run_sweep

RUN_SETTINGS = {"metrics_per_decade": 20, "checkpoint_every": 1000}
FAILED_VALUE = 3.0  # log10 score of a tuning run that raised or diverged: worse than any finite one


def run_config(problem: Problem, method: Method, settings: Mapping[str, Any], budget: int) -> dict[str, Any]:
    """The base run config of ``method`` on ``problem`` with ``settings`` (grid path -> value)."""
    data: dict[str, Any] = {
        "objective": dict(problem.objective),
        "optimizer": dict(method.optimizer),
        "budget": {"shots": budget},
        **RUN_SETTINGS,
    }
    for path, value in settings.items():
        section, _, key = path.partition(".")
        data[section][key] = value
    return data


def config_key(base: Mapping[str, Any]) -> str:
    """A hash of what the grid sets (problem, method, settings, budget, run settings: ``base``
    as written, not resolved), naming the sweep directory of those settings.

    Not the resolved config: a new config field whose default reproduces today's behaviour
    would then rename every directory and orphan every cached run. What the defaults resolve
    to is checked where it matters, by the sweep engine, which compares each run's saved
    ``config.json`` with the config the grid gives it and refuses a run that differs. (Run
    directories named by the former resolved-config key are renamed once by
    :mod:`benchmarks.optimizer_benchmark.migrate`.)"""
    return hashlib.sha1(json.dumps(base, sort_keys=True).encode()).hexdigest()[:10]


def sweep_runs(
    base: dict[str, Any], seeds: tuple[int, ...], directory: Path, executor: Executor, workers: int
) -> list[dict[str, Any]]:
    """``base`` over ``seeds`` through the sweep engine, in ``directory`` suffixed with
    ``@`` and :func:`config_key`; one row per run (summary and path)."""
    directory = directory.with_name(f"{directory.name}@{config_key(base)}")
    outcome = run_sweep(
        {"name": directory.name, "base": base, "axes": {"seed": list(seeds)}},
        directory,
        executor=executor,
        workers=workers,
        resume=True,
        progress=False,
    )
    table = load(directory)
    rows = table.to_dict("records") if hasattr(table, "to_dict") else list(table)
    for row in rows:
        row["path"] = str(directory / row["run"])
    del outcome
    return rows


def score(row: Any, problem: Problem, best_ratio: float | None = None) -> Any:
    """The problem's score (lower is better, 0 at the optimum) of a summary, a history row, or
    a whole history (a DataFrame: a column of scores)."""
    if problem.score == "absolute":
        return row["energy_error"]
    if problem.score == "relative":
        return row["energy_error"] / abs(row["exact_ground_energy"])
    if best_ratio is None:
        raise ValueError(f"{problem.label}: a 'ratio' score needs the best p=2 ratio (maxcut_best_ratio).")
    return 1.0 - row["approximation_ratio"] / best_ratio


def exact_optimum(
    problem: Problem, directory: Path, executor: Executor, workers: int, starts: int = 6, steps: int = 40
) -> list[dict[str, Any]]:
    """What the problem's ansatz can reach at all: L-BFGS on exact adjoint gradients (PennyLane
    statevector, no shots) from ``starts`` start points (seeds 100, 101, ...), ``steps`` steps
    each; one summary row per start. A target below the best of these is out of the ansatz's
    reach, whatever the optimizer."""
    objective = {**problem.objective, "backend": "pennylane", "shots": "exact"}
    base = {
        "objective": objective,
        "optimizer": {"name": "lbfgs"},
        "budget": {"steps": steps},
        **RUN_SETTINGS,
    }
    rows = sweep_runs(base, tuple(range(100, 100 + starts)), directory, executor, workers)
    return [row for row in rows if row["status"] == "completed"]


def maxcut_best_ratio(problem: Problem, directory: Path, executor: Executor, workers: int) -> float:
    """r*, the best approximation ratio exact optimisation of the problem's QAOA finds
    (:func:`exact_optimum`, the best of its starts)."""
    return max(
        float(row["approximation_ratio"]) for row in exact_optimum(problem, directory, executor, workers)
    )


def trial_name(settings: Mapping[str, Any]) -> str:
    """A trial's directory: its settings, readable (the config key makes it unique)."""
    return ",".join(f"{k.split('.')[-1]}={v}" for k, v in sorted(settings.items()))[:80] or "defaults"


def _suggest(trial: Any, path: str, kind: str, low: float, high: float) -> float | int:
    if kind == "int-log":
        return trial.suggest_int(path, int(low), int(high), log=True)
    value = trial.suggest_float(path, low, high, log=True)
    return float(f"{value:.3g}")  # 3 significant digits: settings a reader can quote


def tune(
    problem: Problem,
    method: Method,
    size: Size,
    directory: Path,
    executor: Executor,
    workers: int,
    best_ratio: float | None = None,
) -> dict[str, Any]:
    """Tune ``method`` on ``problem`` with ``size.tuning_trials`` trials; write and return
    ``{"best": settings, "trials": [{"settings", "value", "seconds"}...]}`` (``tuning.json``).

    A method without hyper-parameters (no space) gets one trial: its defaults."""
    import optuna  # the 'tuning' extra; only this stage needs it

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = search_space(method, size.shots)
    seed = int(hashlib.sha1(f"{problem.label}/{method.label}".encode()).hexdigest()[:8], 16)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(2, size.tuning_trials // 3))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    trials: list[dict[str, Any]] = []

    def objective(trial: Any) -> float:
        settings = {path: _suggest(trial, path, *bounds) for path, bounds in space.items()}
        base = run_config(problem, method, settings, size.tuning_budget)
        rows = sweep_runs(base, size.tuning_seeds, directory / trial_name(settings), executor, workers)
        logs = [
            math.log10(max(float(score(row, problem, best_ratio)), 1e-12))
            if row["status"] == "completed"
            else FAILED_VALUE
            for row in rows
        ]
        value = float(np.median(logs))
        seconds = float(sum(row.get("wall_time_s") or 0.0 for row in rows))
        trials.append({"settings": settings, "value": value, "seconds": seconds})
        return value

    study.optimize(objective, n_trials=size.tuning_trials if space else 1)
    best = min(trials, key=lambda t: t["value"])
    result = {"space": {k: list(v) for k, v in space.items()}, "best": best["settings"], "trials": trials}
    write_text(directory / "tuning.json", json.dumps(result, indent=2) + "\n")
    return result


def evaluate(
    problem: Problem,
    method: Method,
    variant: str,
    settings: Mapping[str, Any],
    size: Size,
    directory: Path,
    executor: Executor,
    workers: int,
) -> list[dict[str, Any]]:
    """``method`` with ``settings`` on ``problem`` over the evaluation seeds, to its budget;
    rows tagged with problem, method and variant."""
    base = run_config(problem, method, settings, problem.budget)
    rows = sweep_runs(base, size.evaluation_seeds, directory, executor, workers)
    for row in rows:
        row.update(problem=problem.label, method=method.label, variant=variant)
    return rows


def run_benchmark(
    size: Size, work: Path, executor: Executor, workers: int, log: Any = None
) -> dict[str, Any]:
    """Every stage of ``size`` into ``work``: MaxCut references, tuning, evaluation, anchors. Returns
    ``{"best_ratio": {problem: ratio}, "tuning": {(problem, method): result}, "runs": rows}``."""
    say = log or (lambda _: None)
    best_ratio: dict[str, float] = {}
    for label in size.problems:
        problem = size.problem(label)
        if problem.score == "ratio":
            best_ratio[label] = maxcut_best_ratio(
                problem, work / "reference" / slug(label), executor, workers
            )
            say(f"{label}: best p=2 ratio {best_ratio[label]:.4f}")
    tuning: dict[tuple[str, str], dict[str, Any]] = {}
    if "tuned" in size.variants:
        for label in size.problems:
            for name in size.methods:
                problem, method = size.problem(label), METHODS[name]
                where = work / "tuning" / slug(label) / slug(name)
                tuning[label, name] = tune(
                    problem, method, size, where, executor, workers, best_ratio.get(label)
                )
                say(f"tuned {name} on {label}: {tuning[label, name]['best']}")
    runs: list[dict[str, Any]] = []
    for label in size.problems:
        for name in size.methods:
            problem, method = size.problem(label), METHODS[name]
            for variant in size.variants:
                settings = tuning[label, name]["best"] if variant == "tuned" else {}
                where = work / "evaluation" / slug(label) / f"{slug(name)}-{variant}"
                runs += evaluate(problem, method, variant, settings, size, where, executor, workers)
                say(f"evaluated {name} ({variant}) on {label}")
    for label in size.problems:
        if size.anchors:
            problem = size.problem(label)
            configs = {
                name: anchor_config(
                    problem, ANCHORS[name], tuning[label, ANCHOR_METHODS[name]]["best"], problem.budget
                )
                for name in size.anchors
            }
            runs += run_anchors(
                problem, configs, size.evaluation_seeds, work / "anchors" / slug(label), executor
            )
            say(f"ran the anchors {list(size.anchors)} on {label}")
    return {"best_ratio": best_ratio, "tuning": tuning, "runs": runs}
