"""The learning curve of one run: loss (and the main metric) against cumulative cost.

The x-axis is the scarcest resource the run spent: shots if it measured any, else
training examples, else objective evaluations, so curves of different optimizers on
the same objective are comparable at equal cost.

The columns are read from the compact :class:`~zeroth_q.loop.history.History` (never as row
dicts) and thinned to at most :data:`CURVE_POINTS` points, so that drawing a run of any length
costs about the same: drawn row by row, a 50,000-step run peaked at 52.6 MB at its end for
the curve alone (issue 28, cause 9).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from zeroth_q.loop.history import History
from zeroth_q.runs.chart import Panel, draw_chart

# A panel is about 500 pixels wide: a few points per pixel column draw the same picture.
CURVE_POINTS = 2_000
LOG_RANGE = 100  # an axis whose positive values span more than this ratio is drawn in log scale


def cost_axis(history: Sequence[Mapping[str, Any]]) -> str:
    last = history[-1] if len(history) else {}
    return next(
        name
        for name in ("shots", "examples", "evaluations")
        if last.get(name, 0) > 0 or name == "evaluations"
    )


def curve_points(x: np.ndarray, y: np.ndarray, limit: int = CURVE_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` of the points ``(x, y)`` (finite values, ``x`` in the axis'
    own scale, nondecreasing as a cumulative cost is) that draw the same line: the first, the
    last, and in each of ``limit/2 - 1`` equal columns of ``x`` the lowest and the highest
    point (min-max decimation), so the envelope of a noisy loss, its minimum among it, is kept.
    """
    count = len(y)
    if count <= limit:
        return np.arange(count)
    columns = limit // 2 - 1
    low, high = float(x[0]), float(x[-1])
    if high > low and np.all(x[1:] >= x[:-1]):
        column = np.minimum(((x - low) * (columns / (high - low))).astype(np.int64), columns - 1)
    else:  # equal shares of the rows instead
        column = np.arange(count) * columns // count
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    lengths = np.diff(np.r_[starts, count])
    chosen = [np.array([0, count - 1])]
    for extreme in (np.minimum, np.maximum):
        hits = np.flatnonzero(y == np.repeat(extreme.reduceat(y, starts), lengths))
        chosen.append(hits[np.searchsorted(hits, starts)])  # the first extreme of each column
    return np.unique(np.concatenate(chosen))


def _panel(x: np.ndarray, y: np.ndarray, x_label: str, y_label: str, limit: int) -> Panel:
    x, y = _where(np.isfinite(x) & np.isfinite(y), x, y)
    positive = x > 0
    log_x = bool(positive.any() and x.max() / x[positive].min() > LOG_RANGE)
    if log_x:  # a log axis drops the zero cost of a first row, as a log scale must
        x, y = _where(positive, x, y)
    log_y = bool(y.size and y.min() > 0 and y.max() / y.min() > LOG_RANGE)
    keep = curve_points(np.log10(x) if log_x else x, y, limit)
    empty = "" if x.size else "no step finished"
    return Panel(x[keep], y[keep], x_label, y_label, log_x, log_y, empty)


def _where(mask: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of ``columns`` where ``mask`` holds: the columns themselves if it always does
    (a long run's columns are copied only when some row must go)."""
    return columns if mask.all() else tuple(column[mask] for column in columns)


def plot_curve(
    history: Sequence[Mapping[str, Any]],
    path: str | os.PathLike,
    title: str,
    main_metric: str | None = None,
    limit: int = CURVE_POINTS,
) -> None:
    """Write ``path`` (PNG): loss vs cost, and ``main_metric`` vs cost beside it if recorded;
    each curve thinned to at most ``limit`` points (:func:`curve_points`)."""
    history = history if isinstance(history, History) else History(history)
    axis = cost_axis(history)
    x = history.column(axis)
    loss = history.column("loss")
    panels = [_panel(x, loss, f"cumulative {axis}", "loss (estimated on each step's draw)", limit)]
    metric = history.column(main_metric) if main_metric and len(history) else np.array([])
    if np.isfinite(metric).any():
        panels.append(_panel(x, metric, f"cumulative {axis}", main_metric.replace("_", " "), limit))
    draw_chart(panels, title, path)
