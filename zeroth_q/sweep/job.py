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
from zeroth_q.cli.execute import execute
from zeroth_q.cli.run_config import RunConfig
from zeroth_q.cli.run_directory import SUMMARY
from zeroth_q.sweep.rundirs import TRACEBACK


def run_job(config: dict[str, Any], directory: str, resume: bool) -> None:
    """Execute ``config`` into ``directory`` (continuing its checkpoint if ``resume``)."""
    path = Path(directory)
    # An earlier attempt's outcome must not outlive this attempt.
    for stale in (SUMMARY, TRACEBACK):
        (path / stale).unlink(missing_ok=True)
    try:
        run_config = RunConfig.from_dict(config)
        if execute(run_config, path, resume=resume, progress=False) is None:
            # The checkpoint says the run ended but its summary was never written (killed
            # in between): run it again rather than leave it unfinished forever.
            execute(run_config, path, progress=False)
    except Exception:
        path.mkdir(parents=True, exist_ok=True)
        write_text(path / TRACEBACK, traceback.format_exc())
