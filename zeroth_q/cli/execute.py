"""Execute one configured run into a run directory, fresh or resumed.

This is what ``python -m zeroth_q.run`` and each job of a sweep call, so both write the
same files and resume the same way.
"""

from __future__ import annotations

from pathlib import Path

from zeroth_q.cli.run_config import RunConfig
from zeroth_q.cli.run_directory import CONFIG, LEADING_COLUMNS, SUMMARY, RunDirectory, RunDirectoryWriter
from zeroth_q.errors import ConfigError
from zeroth_q.loop.callbacks import Callback, ProgressBar
from zeroth_q.loop.minimize import check_budget, minimize, start_run
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import Cost, Objective
from zeroth_q.optimizer import check_capabilities

ENDED = ("completed", "diverged")


def execute(
    config: RunConfig,
    directory: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> Result | None:
    """Run ``config`` writing into ``directory``, which this run owns (locks) meanwhile.

    A fresh run refuses a directory that holds anything unless ``overwrite`` (which
    deletes the previous run's files first). With ``resume``, continue from the
    directory's checkpoint (or start if there is none); a run that ended but was killed
    before writing its summary gets its end files written. Returns None if the run had
    already ended with its summary written.
    """
    rundir = RunDirectory(directory)
    fresh = not resume and not overwrite
    if fresh:
        _refuse_occupied(rundir)  # before building the objective, which may take a while
    objective = config.build_objective()
    optimizer = config.build_optimizer()
    check_capabilities(optimizer, objective)
    if not resume:  # before the lock creates the directory: a refused run leaves nothing
        check_budget(objective, optimizer, config.budget, start_run(objective, optimizer, config.seed))
    with rundir.lock():
        if fresh:
            _refuse_occupied(rundir)  # again: another run may have written it meanwhile
        state = rundir.load_checkpoint(config, objective, optimizer) if resume else None
        if not resume:
            rundir.clear()
        if resume and (state is None or state.status not in ENDED):  # before config.json takes the budget
            check_budget(
                objective, optimizer, config.budget, state or start_run(objective, optimizer, config.seed)
            )
        if state is not None and state.status in ENDED:
            return _finish_ended(rundir, config, objective, state)
        if state is not None and config.budget.steps is not None and config.budget.steps < state.step:
            raise ConfigError(
                f"{rundir.path} has already taken {state.step} steps; --steps {config.budget.steps} would "
                f"undo some: give at least {state.step}."
            )
        rundir.write_config(config)
        rundir.file(SUMMARY).unlink(missing_ok=True)  # a summary on disk means the run ended
        writer = RunDirectoryWriter(rundir, config, objective)
        callbacks: list[Callback] = [writer]
        if progress:
            callbacks.append(
                ProgressBar(config.budget, config.spec.main_metric, desc=config.objective["name"])
            )
        return minimize(
            objective,
            optimizer,
            config.budget,
            callbacks=callbacks,
            seed=config.seed,
            metrics_every=config.metrics_every,
            metrics_per_decade=config.metrics_per_decade,
            resume=state,
        )


def _refuse_occupied(rundir: RunDirectory) -> None:
    if rundir.is_occupied():
        raise ConfigError(
            f"{rundir.path} is not empty: to continue the run in it use --resume {rundir.path}, to "
            f"replace it add --overwrite, or choose a fresh --out."
        )


def _finish_ended(
    rundir: RunDirectory, config: RunConfig, objective: Objective, state: RunState
) -> Result | None:
    """An ended run on ``--resume``: None if its summary is written; if it was killed after
    its last checkpoint and before its summary, write its end files from that checkpoint."""
    saved = rundir.read_config()
    if config.budget != saved.budget:
        raise ConfigError(
            f"{rundir.path} already {state.status} after {state.step} steps ({state.message}); an ended "
            f"run cannot be extended: start a new one (--config {rundir.file(CONFIG)} --steps N --out NEW)."
        )
    if rundir.read_summary() is not None:
        return None
    result = result_of(state)
    writer = RunDirectoryWriter(rundir, config, objective)
    writer.on_start(state)
    writer.finish(result)
    return result


def result_of(run: RunState) -> Result:
    """The :class:`Result` of an ended run from its state: the final evaluation is the last
    history row (``minimize`` appends it before the end callbacks checkpoint the run)."""
    last = run.history[-1]
    before = run.history[-2] if len(run.history) > 1 else {}
    metrics = {k: v for k, v in last.items() if k not in LEADING_COLUMNS and k != "wall_time"}
    final_cost = Cost(**{unit: int(last[unit] - before.get(unit, 0)) for unit in Cost().as_dict()})
    return Result(
        run.x,
        last["loss"],
        run.step,
        run.cost,
        run.status,
        run.message,
        metrics,
        run.history,
        run.elapsed,
        final_cost,
    )
