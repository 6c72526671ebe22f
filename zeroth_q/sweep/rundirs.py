"""A sweep run's status, read from what its run directory holds.

The files are the record: a worker writes them atomically as the run goes, so the state
of a sweep survives the sweep process being killed, and a re-run knows what to skip.

``summary.json`` -> its status (``completed``, ``diverged``, ``interrupted``);
``traceback.txt`` -> ``failed``; a config or checkpoint alone -> ``interrupted``
(started, then killed); nothing -> ``pending``.

A run directory is a cache entry keyed by the run's full config (``config.json``, every
default written out, which :meth:`SweepDirectory.check_configs` compares with the grid's)
and by the library that ran it: ``version.txt`` records zeroth-q's version, and a run made
by another version is ``stale``: it runs again from the start, so that a result never
outlives the code that produced it. (Run directories written before versions were recorded
have no ``version.txt`` and are kept.)
"""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from zeroth_q.runs.directory import CHECKPOINT, CONFIG, SUMMARY

TRACEBACK, VERSION = "traceback.txt", "version.txt"
# Outcomes a re-run keeps: the same config, seed and library would give the same result again.
FINISHED = ("completed", "diverged")


@cache
def library_version() -> str:
    """zeroth-q's installed version (``unknown`` when it runs from a source tree that was
    never installed). Read once per process: a metadata lookup takes 0.5 ms, and a re-run
    asks it for every member's status (10^6 members: 9 minutes)."""
    try:
        return version("zeroth-q")
    except PackageNotFoundError:
        return "unknown"


def recorded_version(directory: Path) -> str | None:
    """The library version that ran the run in ``directory`` (None: not recorded)."""
    path = directory / VERSION
    return path.read_text().strip() if path.is_file() else None


def run_status(directory: Path) -> str:
    """The run's status from its files, or ``stale`` if another library version started it."""
    status = _recorded_status(directory)
    recorded = recorded_version(directory)
    if status != "pending" and recorded is not None and recorded != library_version():
        return "stale"
    return status


def _recorded_status(directory: Path) -> str:
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
