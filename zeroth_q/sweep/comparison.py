"""The comparison plot of a sweep: the final metric of each setting, median and interquartile
range over seeds.

Axes are the grid's factors in order, ``seed`` left out (it is what the statistics run
over); a zip group is plotted by its first key. The first axis is the x-axis, the second
one series per value, further axes one panel per combination, so no two different settings
are ever pooled. Only completed runs count.

A numeric first axis (a learning rate, a shot count) is a continuum: the medians are joined
by a line. A categorical one (optimizer names) is not: each value is a point with its
interquartile interval and nothing joins them, the series side by side within a category.
Median and quartiles rather than mean and standard deviation, because a sweep's seeds are
few and one diverging seed would otherwise decide the picture.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zeroth_q.atomic import atomic_open
from zeroth_q.errors import ConfigError, did_you_mean
from zeroth_q.sweep.grid import format_value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Series within one category sit this far apart (in category widths), centred on it.
DODGE = 0.5


def plot_comparison(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], metric: str, path: str | os.PathLike, title: str
) -> bool:
    """Write ``path`` (PNG) from results ``rows``; ``keys`` are the grid's plotted axes in order.

    Returns False (and writes nothing) when no run has completed.
    """
    fig = comparison_figure(rows, keys, metric, title)
    if fig is None:
        return False
    save_png(fig, path)
    return True


def comparison_figure(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], metric: str, title: str
) -> Figure | None:
    """The figure :func:`plot_comparison` writes, or None when no run has completed."""
    completed = completed_rows(rows, metric)
    if not completed:
        return None
    x_key, line_key, panel_keys = keys[0], (keys[1] if len(keys) > 1 else None), list(keys[2:])
    fig, panels = panel_figure(completed, panel_keys)
    for ax, (panel, panel_rows) in panels:
        x_values = list(dict.fromkeys(format_value(row[x_key]) for row in panel_rows))
        numeric_x = all(is_number(row[x_key]) for row in panel_rows)
        series = groups(panel_rows, [line_key] if line_key else [])
        for index, (line, line_rows) in enumerate(series.items()):
            points = groups(line_rows, [x_key])
            if numeric_x:
                xs = [float(group[0][x_key]) for group in points.values()]
            else:
                offset = DODGE * (index / max(len(series) - 1, 1) - 0.5) if len(series) > 1 else 0.0
                xs = [x_values.index(x[0]) + offset for x in points]
            low, median, high = np.array(
                [quartiles([row.get(metric) for row in g]) for g in points.values()]
            ).T
            ax.errorbar(
                xs,
                median,
                [median - low, high - median],
                marker="o",
                capsize=3,
                linestyle="-" if numeric_x else "none",
                label=label([line_key], line),
            )
        if numeric_x:
            # Hyper-parameter grids are usually geometric: log from one decade on.
            log_if_wide(ax.set_xscale, [row[x_key] for row in panel_rows], decades=1)
        else:
            ax.set_xticks(range(len(x_values)), x_values, rotation=20)
            ax.set_xlim(-0.5, len(x_values) - 0.5)
        log_if_wide(ax.set_yscale, [row.get(metric) for row in panel_rows], decades=2)
        ax.set_xlabel(x_key)
        ax.set_ylabel(f"final {metric}\n(median, interquartile range over seeds)")
        ax.set_title(label(panel_keys, panel), fontsize=9)
        ax.grid(alpha=0.3, which="both")
        if line_key:
            ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def completed_rows(rows: Sequence[Mapping[str, Any]], metric: str) -> list[Mapping[str, Any]]:
    """The completed runs; an error naming the recorded metrics if none of them has ``metric``."""
    completed = [row for row in rows if row["status"] == "completed"]
    if completed and not any(is_number(row.get(metric)) for row in completed):
        numeric = sorted({k for row in completed for k, v in row.items() if is_number(v)})
        raise ConfigError(f"no completed run recorded metric {metric!r}.{did_you_mean(metric, numeric)}")
    return completed


def panel_figure(
    rows: Sequence[Mapping[str, Any]], panel_keys: Sequence[str]
) -> tuple[Figure, list[tuple[Any, tuple[tuple[str, ...], list[Mapping[str, Any]]]]]]:
    """A figure with one panel per combination of ``panel_keys``, each paired with its rows."""
    # A bare Figure (Agg canvas), not pyplot: a notebook's backend and figures stay as they are.
    from matplotlib.figure import Figure

    panels = groups(rows, panel_keys)
    fig = Figure(figsize=(5.5 * len(panels), 4.2))
    axes = fig.subplots(1, len(panels), squeeze=False)
    return fig, list(zip(axes[0], panels.items(), strict=True))


def save_png(fig: Figure, path: str | os.PathLike) -> None:
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)


def groups(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> dict[tuple[str, ...], list[Mapping[str, Any]]]:
    """Rows grouped by their (formatted) values of ``keys``, in order of appearance."""
    grouped: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(tuple(format_value(row[k]) for k in keys), []).append(row)
    return grouped


def label(keys: Sequence[str | None], values: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=False) if k)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def quartiles(values: Sequence[Any]) -> tuple[float, float, float]:
    """First quartile, median and third quartile of the finite ``values`` (NaN if none)."""
    finite = np.array([v for v in values if is_number(v)], dtype=float)
    if not finite.size:
        return math.nan, math.nan, math.nan
    low, median, high = np.percentile(finite, [25, 50, 75])
    return float(low), float(median), float(high)


def log_if_wide(set_scale: Callable[[str], Any], values: Sequence[Any], decades: int) -> None:
    """Log scale when the values are all positive and span at least ``decades`` decades."""
    numbers = [float(v) for v in values if is_number(v)]
    if numbers and min(numbers) > 0 and max(numbers) / min(numbers) >= 10**decades:
        set_scale("log")
