"""A run directory: what a run leaves behind, written atomically as it goes.

``config.json`` (the full configuration), ``checkpoint.npz`` (everything to resume),
``history.csv`` (one row per step), and at the end ``summary.json``, ``curve.png`` and
``parameters.npy`` (the final point). Checkpoint and history are rewritten every
``checkpoint_every`` steps, so a run killed at any time loses at most that many steps and
``--resume`` continues it bit for bit.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from zeroth_q.atomic import atomic_open, write_text
from zeroth_q.cli.plotting import plot_curve
from zeroth_q.cli.run_config import RunConfig
from zeroth_q.errors import ConfigError
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.checkpoint import save_checkpoint
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import Objective

CONFIG, HISTORY, SUMMARY, CURVE, CHECKPOINT, PARAMETERS = (
    "config.json",
    "history.csv",
    "summary.json",
    "curve.png",
    "checkpoint.npz",
    "parameters.npy",
)
LEADING_COLUMNS = ("step", "evaluations", "circuits", "shots", "examples", "loss")


def history_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Cost and loss first, metrics in order of appearance, wall time last."""
    metrics = dict.fromkeys(k for row in rows for k in row if k not in LEADING_COLUMNS and k != "wall_time")
    return [*LEADING_COLUMNS, *metrics, "wall_time"]


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def history_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The history as CSV; floats as ``repr`` so they read back exactly; missing = empty."""
    buffer = io.StringIO()
    columns = history_columns(rows)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def read_history(path: str | Path) -> list[dict[str, float]]:
    with open(path, newline="") as handle:
        return [
            {k: float(v) if v else float("nan") for k, v in row.items()} for row in csv.DictReader(handle)
        ]


def summary(config: RunConfig, result: Result) -> dict[str, Any]:
    return {
        "objective": config.objective["name"],
        "optimizer": config.optimizer["name"],
        "status": result.status,
        "message": result.message,
        "final_loss": result.fun,
        "best_loss": result.best_loss,
        "steps": result.nit,
        **result.cost.as_dict(),
        # final_loss is one evaluation of the final point, charged to the budget (in the costs above).
        "final_evaluation_cost": result.final_cost.as_dict(),
        "wall_time_s": result.wall_time,
        "seed": config.seed,
        **result.metrics,
    }


class RunDirectory:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def file(self, name: str) -> Path:
        return self.path / name

    def write_config(self, config: RunConfig) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_text(self.file(CONFIG), json.dumps(config.to_dict(), indent=2) + "\n")

    def read_config(self) -> RunConfig:
        path = self.file(CONFIG)
        if not path.is_file():
            raise ConfigError(
                f"{path} not found: {self.path} is not a run directory written by zeroth_q.run."
            )
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} is not valid JSON ({exc}).") from None
        return RunConfig.from_dict(data)

    def read_summary(self) -> dict[str, Any] | None:
        path = self.file(SUMMARY)
        return json.loads(path.read_text()) if path.is_file() else None


class RunDirectoryWriter(Callback):
    """Keeps a :class:`RunDirectory` up to date while a run goes on."""

    def __init__(self, directory: RunDirectory, config: RunConfig, objective: Objective) -> None:
        self.directory, self.config, self.objective = directory, config, objective

    def save(self, run: RunState) -> None:
        save_checkpoint(self.directory.file(CHECKPOINT), run, self.objective)
        write_text(self.directory.file(HISTORY), history_csv(run.history))

    def on_step(self, run: RunState) -> None:
        if run.step % self.config.checkpoint_every == 0:
            self.save(run)

    def on_end(self, run: RunState, result: Result) -> None:
        if result.status == "interrupted":
            # Ctrl-C may land mid-step, after the step drew random numbers: the last
            # periodic checkpoint is the consistent point to resume from.
            write_text(self.directory.file(HISTORY), history_csv(run.history))
        else:
            self.save(run)
        with atomic_open(self.directory.file(PARAMETERS), "wb") as handle:
            np.save(handle, result.x)
        name = f"{self.config.objective['name']} · {self.config.optimizer['name']} · {result.status}"
        plot_curve(result.history, self.directory.file(CURVE), name, self.config.spec.main_metric)
        write_text(self.directory.file(SUMMARY), json.dumps(summary(self.config, result), indent=2) + "\n")
