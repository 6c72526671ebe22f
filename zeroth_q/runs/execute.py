"""Execute one configured run into a run directory, fresh or resumed.

This is what ``python -m zeroth_q.run`` and each job of a sweep call, so both write the
same files and resume the same way.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from zeroth_q.errors import ConfigError
from zeroth_q.loop.callbacks import Callback, ProgressBar
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import Cost, Objective
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.directory import (
    CONFIG,
    LEADING_COLUMNS,
    LOCK,
    RunDirectory,
    RunDirectoryWriter,
    read_json_object,
)

ENDED = ("completed", "diverged")


def execute(
    config: RunConfig,
    directory: str | Path,
    *,
    objective: Objective | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> Result | None:
    """Run ``config`` writing into ``directory``, which this run owns (locks) meanwhile.

    A fresh run refuses a directory that holds anything unless ``overwrite`` (which
    deletes the previous run's files first). With ``resume``, continue from the
    directory's checkpoint (or start if there is none); a run that ended but was killed
    before writing its summary gets its end files written. Returns None if the run had
    already ended with its summary written. ``objective``: ``config``'s objective if the
    caller has built it already (it is built once per run).

    A run that is refused (a capability, a budget, a step's own check) before its first
    step leaves nothing behind: ``minimize`` checks before the run directory writer
    starts, and what a fresh run wrote before a refusal in its first step is removed.
    """
    rundir = RunDirectory(directory)
    fresh = not resume and not overwrite
    if fresh:
        _refuse_occupied(rundir)  # before building the objective, which may take a while
    if resume and _has_finished(rundir, config):
        return None  # read without the lock: a finished run on a read-only mount is still finished
    objective = objective if objective is not None else config.build_objective()
    existed = rundir.path.exists()
    lock_existed = rundir.file(LOCK).exists()
    writer = RunDirectoryWriter(rundir, config, objective, replace=not resume)
    locked = False
    try:
        with rundir.lock():
            locked = True
            if fresh:
                _refuse_occupied(rundir)  # again: another run may have written it meanwhile
            state = rundir.load_checkpoint(config, objective) if resume else None
            if state is not None and state.status in ENDED:
                return _finish_ended(rundir, config, objective, state)
            if state is not None and config.budget.steps is not None and config.budget.steps < state.step:
                raise ConfigError(
                    f"{rundir.path} has already taken {state.step} steps; --steps {config.budget.steps} "
                    f"would undo some: give at least {state.step}."
                )
            callbacks: list[Callback] = [writer]
            if progress:
                callbacks.append(ProgressBar(config.budget, config.main_metric, desc=config.spec.name))
            return minimize(
                objective,
                config.optimizer,
                config.budget,
                callbacks=callbacks,
                seed=config.seed,
                metrics_every=config.metrics_every,
                metrics_per_decade=config.metrics_per_decade,
                resume=state,
            )
    except BaseException:
        if locked and not resume and not writer.stepped:
            _remove_refused(rundir, writer.started, existed, lock_existed)
        raise


def _remove_refused(rundir: RunDirectory, started: bool, existed: bool, lock_existed: bool) -> None:
    """Undo a fresh run that raised before its first step: its files (if it had started
    writing them; a refusal before that leaves an --overwrite's previous run alone), its
    lock, and its directory if it created it (a refusal must not leave a run that looks
    resumable)."""
    if started:
        rundir.clear()
    if not lock_existed:
        rundir.file(LOCK).unlink(missing_ok=True)
    if not existed:
        with contextlib.suppress(OSError):  # not empty: something else was put there
            rundir.path.rmdir()


def _refuse_occupied(rundir: RunDirectory) -> None:
    if rundir.is_occupied():
        raise ConfigError(
            f"{rundir.path} is not empty: to continue the run in it use --resume {rundir.path}, to "
            f"replace it add --overwrite, or choose a fresh --out."
        )


def _has_finished(rundir: RunDirectory, config: RunConfig) -> bool:
    """Whether the run in ``rundir`` ended and wrote its summary (a ConfigError if ``config``
    would extend it: an ended run stays ended)."""
    summary = rundir.read_summary()
    if summary is None or summary.get("status") not in ENDED:
        return False
    _refuse_extension(rundir, config, f"{summary['status']} after {summary.get('steps')} steps")
    return True


def _refuse_extension(rundir: RunDirectory, config: RunConfig, how: str) -> None:
    saved = read_json_object(rundir.file(CONFIG), "run config").get("budget")
    if config.to_dict()["budget"] != saved:
        raise ConfigError(
            f"{rundir.path} already {how}; an ended run cannot be extended: start a new one "
            f"(--config {rundir.file(CONFIG)} --steps N --out NEW)."
        )


def _finish_ended(
    rundir: RunDirectory, config: RunConfig, objective: Objective, state: RunState
) -> Result | None:
    """An ended run on ``--resume``: None if its summary is written; if it was killed after
    its last checkpoint and before its summary, write its end files from that checkpoint."""
    _refuse_extension(rundir, config, f"{state.status} after {state.step} steps ({state.message})")
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
    return run.result(last["loss"], metrics, final_cost)
