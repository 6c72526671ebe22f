"""A sweep directory: one run directory per grid member, ``sweep.json``, ``results.csv``.

``sweep.json`` holds the grid and each run's name, axis values and status, rewritten
atomically whenever a run ends, so that it is current even if the sweep is killed.
Statuses are always re-read from the run directories (:mod:`zeroth_q.sweep.rundirs`), so
``sweep.json`` is a convenient index, never the only record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zeroth_q.atomic import write_text
from zeroth_q.errors import ConfigError
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.directory import CONFIG, HISTORY, RunDirectory, read_history, read_json_object
from zeroth_q.sweep.grid import Grid, Member
from zeroth_q.sweep.rundirs import run_error, run_status

SWEEP, RESULTS, COMPARISON, COST_CURVES = "sweep.json", "results.csv", "comparison.png", "cost_curves.png"


class SweepDirectory:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def run_path(self, name: str) -> Path:
        return self.path / name

    def check_configs(self, members: Sequence[Member]) -> None:
        """Refuse to mix runs of a changed grid into an existing sweep's results.

        A saved ``config.json`` is read with this version's defaults before it is compared,
        as a checkpoint's fingerprint is on resume: a setting added since the run was made
        (its default reproduces what the run did, e.g. ``warmup: 0``) does not turn a
        finished run into a stranger, while a changed value still does."""
        for member in members:
            path = self.run_path(member.name) / CONFIG
            if path.is_file() and not same_config(read_json_object(path, "run config"), member.config):
                raise ConfigError(
                    f"{path.parent} holds a run with a different config than the grid gives it "
                    f"(was the grid's base changed?); write the sweep to another directory."
                )

    def write_manifest(self, grid: Grid, members: Sequence[Member], statuses: Mapping[str, str]) -> None:
        manifest = {
            "grid": grid.to_dict(),
            "runs": [{"name": m.name, "values": m.values, "status": statuses[m.name]} for m in members],
        }
        self.path.mkdir(parents=True, exist_ok=True)
        write_text(self.path / SWEEP, json.dumps(manifest, indent=2) + "\n")

    def read_manifest(self) -> dict[str, Any]:
        path = self.path / SWEEP
        if not path.is_file():
            raise ConfigError(f"{path} not found: {self.path} is not a sweep directory.")
        return json.loads(path.read_text())

    def rows(self) -> list[dict[str, Any]]:
        """One row per run: name, axis values, status, error, then its summary's fields."""
        rows = []
        for run in self.read_manifest()["runs"]:
            directory = self.run_path(run["name"])
            summary = RunDirectory(directory).read_summary() or {}
            status = {"status": run_status(directory), "error": run_error(directory)}
            rows.append({"run": run["name"], **run["values"], **status, **summary})
        return rows

    def histories(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, float]]]:
        """The history of each completed run in ``rows``, by run name."""
        return {
            row["run"]: read_history(path)
            for row in rows
            if row["status"] == "completed" and (path := self.run_path(row["run"]) / HISTORY).is_file()
        }

    def write_results(self) -> None:
        write_text(self.path / RESULTS, table_csv(self.rows()))


def table_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as CSV, columns in order of first appearance, missing cells empty."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, list | dict | bool) else value


def load(directory: str | Path) -> Any:
    """The results table of a sweep: a pandas DataFrame if pandas is installed, else a
    list of dicts (one per run). Read from the run directories, so it is current even for
    a sweep that is still running or was killed."""
    rows = SweepDirectory(directory).rows()
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows)


def same_config(saved: dict[str, Any], config: RunConfig) -> bool:
    """Whether a run directory's saved config is ``config``, the saved one read with this
    version's defaults for the settings it predates (one it cannot read is another config)."""
    wanted = config.to_dict()
    if saved == wanted:
        return True
    try:
        return RunConfig.from_dict(saved, config.spec).to_dict() == wanted
    except (ConfigError, TypeError, ValueError):
        return False
