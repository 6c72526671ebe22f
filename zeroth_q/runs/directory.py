"""A run directory: what a run leaves behind, written atomically as it goes.

``config.json`` (the full configuration), ``checkpoint.npz`` (everything to resume),
``history.csv`` (one row per step), and at the end ``summary.json``, ``curve.png`` and
``parameters.npy`` (the final point). Every ``checkpoint_every`` steps the new history
rows are appended to ``history.csv`` (fsynced) and then ``checkpoint.npz`` is replaced,
recording how many rows are its own; so a run killed at any time loses at most that many
steps and ``--resume`` continues it bit for bit. Appending, instead of rewriting the whole
history each time, keeps a checkpoint's cost independent of the run's length; and a
checkpoint falls due only while checkpoints so far have taken less than
``CHECKPOINT_SHARE`` of the run's time, so that on objectives cheaper than a checkpoint
(test functions) saving never dominates the run.

One run at a time owns a directory: it holds an exclusive lock on ``.lock`` (released by
the kernel when the process dies, so a killed run's lock never blocks its resume).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from zeroth_q.atomic import append_durably, atomic_open, remove_temporaries, writable_directory, write_text
from zeroth_q.errors import ConfigError
from zeroth_q.loop.callbacks import Callback
from zeroth_q.loop.checkpoint import load_checkpoint, save_checkpoint
from zeroth_q.loop.result import Result, RunState
from zeroth_q.objective import Objective
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.plotting import plot_curve

CONFIG, HISTORY, SUMMARY, CURVE, CHECKPOINT, PARAMETERS, LOCK = (
    "config.json",
    "history.csv",
    "summary.json",
    "curve.png",
    "checkpoint.npz",
    "parameters.npy",
    ".lock",
)
OUTPUTS = (CONFIG, HISTORY, SUMMARY, CURVE, CHECKPOINT, PARAMETERS)
LEADING_COLUMNS = ("step", "evaluations", "circuits", "shots", "examples", "loss")
INTEGER_COLUMNS = LEADING_COLUMNS[:-1]
CHECKPOINT_SHARE = 0.05


def history_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Cost and loss first, metrics in order of appearance, wall time last."""
    metrics = dict.fromkeys(k for row in rows for k in row if k not in LEADING_COLUMNS and k != "wall_time")
    return [*LEADING_COLUMNS, *metrics, "wall_time"]


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def _csv_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def history_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The history as CSV; floats as ``repr`` so they read back exactly; missing = empty."""
    return _csv_rows(rows, history_columns(rows), header=True)


def read_history(path: str | Path) -> list[dict[str, float]]:
    with open(path, newline="") as handle:
        return [
            {k: float(v) if v else float("nan") for k, v in row.items()} for row in csv.DictReader(handle)
        ]


def read_history_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows exactly as the run held them: costs as integers, empty cells left out (the
    loss as NaN), so rows read back write the same CSV again. A last line cut short by a
    kill is dropped; anything else that is not what :class:`HistoryFile` writes (a header
    without the leading columns, a row with more or fewer cells, a cell that is not a
    number, bytes that are not text) is a ConfigError naming the file, the line and the fix."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path, f"it is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read ({exc.strerror}).") from None
    if not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _damaged(path, f"it is not CSV ({exc})") from None
    if not lines:
        return []
    header, *body = lines
    if tuple(header[: len(LEADING_COLUMNS)]) != LEADING_COLUMNS or len(set(header)) < len(header):
        raise _damaged(path, f"its header is {','.join(header)[:80]!r}, not {','.join(LEADING_COLUMNS)},...")
    rows = []
    for number, cells in enumerate(body, start=2):
        if len(cells) != len(header):
            raise _damaged(path, f"line {number} has {len(cells)} cells, its header {len(header)}")
        row: dict[str, Any] = {}
        for key, value in zip(header, cells, strict=True):
            try:
                if key in INTEGER_COLUMNS:
                    row[key] = int(value)
                elif value:
                    row[key] = float(value)
            except ValueError:
                raise _damaged(path, f"line {number}, column {key}: {value[:40]!r} is not a number") from None
        row.setdefault("loss", float("nan"))
        rows.append(row)
    return rows


def _damaged(path: Path, what: str) -> ConfigError:
    return ConfigError(
        f"{path} is damaged: {what}. Restore it from a copy, or start the run again with a new --out "
        f"(or --overwrite)."
    )


class HistoryFile:
    """``history.csv`` kept append-only: each save writes only the rows added since the
    last one, so saving costs the same at step 10 and at step 100,000. The header holds
    the columns seen so far; a new metric column (rare: the first metrics, the final row)
    rewrites the file once with the wider header."""

    def __init__(self, path: Path, rows: Sequence[Mapping[str, Any]] = ()) -> None:
        self.path = path
        self.columns = history_columns(rows)
        self.written = len(rows)
        write_text(path, history_csv(rows))

    def save(self, rows: Sequence[Mapping[str, Any]]) -> None:
        new = rows[self.written :]
        if not new:
            return
        known = set(self.columns)
        if any(key not in known for row in new for key in row):
            self.columns = history_columns(rows)
            write_text(self.path, history_csv(rows))
        else:
            append_durably(self.path, _csv_rows(new, self.columns, header=False))
        self.written = len(rows)


def summary(config: RunConfig, result: Result) -> dict[str, Any]:
    """The ``summary.json`` of a run: valid JSON always, so a non-finite number (a diverged
    run's loss, an interrupted run's missing final evaluation) is written as null and
    ``non_finite`` says what each one was."""
    data = {
        "objective": config.spec.name,
        "optimizer": config.optimizer.name,
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
    non_finite = {
        key: repr(value)
        for key, value in data.items()
        if isinstance(value, float) and not math.isfinite(value)
    }
    if non_finite:
        data = {key: None if key in non_finite else value for key, value in data.items()}
        data["non_finite"] = non_finite
    return data


class RunDirectory:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def file(self, name: str) -> Path:
        return self.path / name

    def is_occupied(self) -> bool:
        """Holds anything but its lock: a run's files, or anything else a run would mix with."""
        return self.path.is_dir() and any(p.name != LOCK for p in self.path.iterdir())

    def clear(self) -> None:
        """Delete a previous run's files (``--overwrite``); files of other programs stay."""
        for name in OUTPUTS:
            self.file(name).unlink(missing_ok=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Own the directory for the block: a second run on it gets a ConfigError at once.

        ``flock`` is released by the kernel when its process ends however it ends, so the
        lock of a killed run is never stale; the pid written inside only names the owner.
        Temporaries left by killed writers are removed once the lock is held."""
        writable_directory(self.path, "run directory")
        path = self.file(LOCK)
        handle = open(path, "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                owner = handle.read().strip() or "unknown"
                raise ConfigError(
                    f"{self.path} is in use by another run (process {owner}); wait for it to end, "
                    f"or write this run to another --out."
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            remove_temporaries(self.path)
            yield
        finally:
            handle.close()

    def owner(self) -> int | None:
        """The process that holds the directory's lock now, or None if no run holds it."""
        try:
            with open(self.file(LOCK)) as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    text = handle.read().strip()
                    return int(text) if text.isdigit() else None
                return None
        except OSError:
            return None

    def write_config(self, config: RunConfig) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_text(self.file(CONFIG), json.dumps(config.to_dict(), indent=2) + "\n")

    def read_config(self) -> RunConfig:
        path = self.file(CONFIG)
        if not path.is_file():
            raise ConfigError(
                f"{path} not found: {self.path} is not a run directory written by zeroth_q.run."
            )
        return RunConfig.from_dict(read_json_object(path, "run config"))

    def read_summary(self) -> dict[str, Any] | None:
        path = self.file(SUMMARY)
        return read_json_object(path, "run summary") if path.is_file() else None

    def load_checkpoint(self, config: RunConfig, objective: Objective) -> RunState | None:
        """The run's last checkpoint (None before the first), its history read from
        ``history.csv``; ConfigError naming the file if it is damaged or of another config."""
        if not self.file(CHECKPOINT).exists():
            return None
        return load_checkpoint(
            self.file(CHECKPOINT),
            objective,
            config.optimizer,
            history=read_history_rows(self.file(HISTORY)),
            fingerprint=fingerprint(config),
            resolve=lambda saved: fingerprint(RunConfig.from_dict({**config.to_dict(), **saved})),
        )


def fingerprint(config: RunConfig) -> dict[str, Any]:
    """What a checkpoint must have been written with to continue this run (the budget may
    change on resume: ``--resume DIR --steps N``)."""
    data = config.to_dict()
    keys = ("objective", "optimizer", "seed", "metrics_every") + ("metrics_per_decade",) * bool(
        config.metrics_per_decade
    )  # only when set: checkpoints written before the option existed still match
    return {key: data[key] for key in keys}


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """A JSON object from ``path``; one ConfigError naming the file for anything else
    (a directory, unreadable, not UTF-8, not JSON, not an object)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
    except DuplicateKey as exc:
        raise ConfigError(
            f"{what} file {path} gives {exc.key!r} twice in one object; JSON keeps only the last, "
            f"so say it once."
        ) from None
    except RecursionError:
        raise ConfigError(f"{what} file {path} is nested too deeply to be a config.") from None
    except FileNotFoundError:
        raise ConfigError(f"{what} file {path} not found.") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} file {path} is a directory; give the JSON file in it.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} file {path} is not UTF-8 text ({exc.reason} at byte {exc.start})."
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what} file {path} is not valid JSON ({exc}).") from None
    except OSError as exc:
        raise ConfigError(f"{what} file {path} cannot be read ({exc.strerror}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} file {path} must be a JSON object {{...}}, not {_json_kind(data)}.")
    return data


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (``json`` silently keeps the last)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKey(key)
        data[key] = value
    return data


def _json_kind(value: Any) -> str:
    return {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list"
    )


class RunDirectoryWriter(Callback):
    """Keeps a :class:`RunDirectory` up to date while a run goes on.

    Nothing is written before the run starts (``on_start``, after ``minimize`` has checked
    the run), so a refused run leaves no files. ``replace``: a fresh run, whose start
    deletes a previous run's files (``--overwrite``). A resumed run continues from a
    checkpoint, whose history rows (``run.history`` at the start) are already in
    ``history.csv``; rows written after that checkpoint are dropped here, since the
    resumed run writes them again."""

    def __init__(
        self, directory: RunDirectory, config: RunConfig, objective: Objective, *, replace: bool = False
    ) -> None:
        self.directory, self.config, self.objective = directory, config, objective
        self.replace = replace
        self.history: HistoryFile | None = None
        self.saving = 0.0  # seconds spent in checkpoints, for CHECKPOINT_SHARE
        self.started = False  # on_start has written: the directory holds this run's files
        self.stepped = False  # a step has ended: the directory holds a run worth resuming

    def on_start(self, run: RunState) -> None:
        self.started = True
        if self.replace:
            self.directory.clear()
        self.directory.write_config(self.config)
        self.directory.file(SUMMARY).unlink(missing_ok=True)  # a summary on disk means the run ended
        self.history = HistoryFile(self.directory.file(HISTORY), run.history)

    def save(self, run: RunState) -> None:
        started = time.perf_counter()
        assert self.history is not None
        self.history.save(run.history)
        save_checkpoint(
            self.directory.file(CHECKPOINT),
            run,
            self.objective,
            fingerprint=fingerprint(self.config),
            history_apart=True,
        )
        self.saving += time.perf_counter() - started

    def on_step(self, run: RunState) -> None:
        self.stepped = True
        if run.step % self.config.checkpoint_every == 0 and self.saving <= CHECKPOINT_SHARE * run.elapsed:
            self.save(run)

    def on_end(self, run: RunState, result: Result) -> None:
        if result.status == "interrupted":
            # Ctrl-C may land mid-step, after the step drew random numbers: the last
            # periodic checkpoint is the consistent point to resume from.
            assert self.history is not None
            self.history.save(run.history)
        else:
            self.save(run)
        self.finish(result)

    def finish(self, result: Result) -> None:
        """The files of an ended run: the final point, the curve, then the summary (last,
        so a summary on disk means the run directory is complete)."""
        with atomic_open(self.directory.file(PARAMETERS), "wb") as handle:
            np.save(handle, result.x)
        name = f"{self.config.spec.name} · {self.config.optimizer.name} · {result.status}"
        plot_curve(result.history, self.directory.file(CURVE), name, self.config.main_metric)
        text = json.dumps(summary(self.config, result), indent=2, allow_nan=False)
        write_text(self.directory.file(SUMMARY), text + "\n")
