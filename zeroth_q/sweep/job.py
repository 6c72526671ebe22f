"""The job a sweep sends to a worker: one run, never raising.

It is a top-level function of an importable module so that every executor can ship it
(pickle for process pools, cloudpickle for Dask). Whatever the run raises is written to
``traceback.txt`` in its directory, which is how the sweep process learns of the failure,
even after being restarted.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from zeroth_q.atomic import write_text
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.directory import SUMMARY
from zeroth_q.runs.execute import execute
from zeroth_q.runs.interrupts import interrupt_once
from zeroth_q.sweep.rundirs import TRACEBACK, VERSION, library_version, recorded_version


def run_job(config: dict[str, Any], directory: str, resume: bool) -> None:
    """Execute ``config`` (a run config as a dict, possibly partial as a grid gives it) into
    ``directory``, continuing its checkpoint if ``resume``."""
    path = Path(directory)
    # An earlier attempt's outcome must not outlive this attempt.
    for stale in (SUMMARY, TRACEBACK):
        (path / stale).unlink(missing_ok=True)
    # A checkpoint of another library version is not continued: the run starts over.
    current = library_version()
    resume = resume and recorded_version(path) in (None, current)
    path.mkdir(parents=True, exist_ok=True)
    write_text(path / VERSION, current + "\n")
    try:
        # Without resume the run starts over, replacing what an earlier attempt left; with
        # it, a run killed after its last checkpoint gets its end files written.
        with interrupt_once():
            execute(RunConfig.from_dict(config), path, resume=resume, overwrite=not resume, progress=False)
    except Exception:
        path.mkdir(parents=True, exist_ok=True)
        write_text(path / TRACEBACK, traceback.format_exc())
