"""A sweep run's status, read from what its run directory holds.

The files are the record: a worker writes them atomically as the run goes, so the state
of a sweep survives the sweep process being killed, and a re-run knows what to skip.

``summary.json`` -> its status (``completed``, ``diverged``, ``interrupted``);
``traceback.txt`` -> ``failed``; a config or checkpoint alone -> ``interrupted``
(started, then killed); nothing -> ``pending``.
"""

from __future__ import annotations

import json
from pathlib import Path

from zeroth_q.runs.directory import CHECKPOINT, CONFIG, SUMMARY

TRACEBACK = "traceback.txt"
# Outcomes a re-run keeps: the same config and seed would give the same result again.
FINISHED = ("completed", "diverged")


def run_status(directory: Path) -> str:
    summary = directory / SUMMARY
    if summary.is_file():
        try:
            return str(json.loads(summary.read_text())["status"])
        except (ValueError, KeyError, TypeError, OSError):
            pass  # damaged by hand: the run is not known to have ended, so it runs again
    if (directory / TRACEBACK).is_file():
        return "failed"
    if (directory / CONFIG).is_file() or (directory / CHECKPOINT).is_file():
        return "interrupted"
    return "pending"


def run_error(directory: Path) -> str | None:
    """The last line of a failed run's traceback: the exception and its message."""
    path = directory / TRACEBACK
    if not path.is_file():
        return None
    lines = path.read_text().strip().splitlines()
    return lines[-1] if lines else "failed (empty traceback)"
