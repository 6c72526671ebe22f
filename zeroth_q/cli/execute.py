"""Execute one configured run into a run directory, fresh or resumed.

This is what ``python -m zeroth_q.run`` and each job of a sweep call, so both write the
same files and resume the same way.
"""

from __future__ import annotations

from pathlib import Path

from zeroth_q.cli.run_config import RunConfig
from zeroth_q.cli.run_directory import CHECKPOINT, RunDirectory, RunDirectoryWriter
from zeroth_q.loop.callbacks import Callback, ProgressBar
from zeroth_q.loop.checkpoint import load_checkpoint
from zeroth_q.loop.minimize import check_budget, minimize, start_run
from zeroth_q.loop.result import Result
from zeroth_q.optimizer import check_capabilities


def execute(
    config: RunConfig, directory: str | Path, *, resume: bool = False, progress: bool = True
) -> Result | None:
    """Run ``config`` writing into ``directory``.

    With ``resume``, continue from the directory's checkpoint (or start if there is none);
    returns None if that checkpoint belongs to a run that already ended.
    """
    rundir = RunDirectory(directory)
    objective = config.build_objective()
    optimizer = config.build_optimizer()
    check_capabilities(optimizer, objective)
    state = None
    if resume and rundir.file(CHECKPOINT).is_file():
        state = load_checkpoint(rundir.file(CHECKPOINT), objective, optimizer)
        if state.status in ("completed", "diverged"):
            return None
    else:
        check_budget(objective, optimizer, config.budget, start_run(objective, optimizer, config.seed))
        rundir.write_config(config)
    callbacks: list[Callback] = [RunDirectoryWriter(rundir, config, objective)]
    if progress:
        callbacks.append(ProgressBar(config.budget, config.spec.main_metric, desc=config.objective["name"]))
    return minimize(
        objective,
        optimizer,
        config.budget,
        callbacks=callbacks,
        seed=config.seed,
        metrics_every=config.metrics_every,
        resume=state,
    )
