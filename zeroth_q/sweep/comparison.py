"""The comparison plot of a sweep: final metric against the first axis, one line per value
of the second, mean ± standard deviation over seeds.

Axes are the grid's factors in order, ``seed`` left out (it is what the mean runs over); a
zip group is plotted by its first key. Further axes get one panel per combination, so no
two different settings are ever averaged together. Only completed runs count.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from zeroth_q.atomic import atomic_open
from zeroth_q.errors import ConfigError, did_you_mean
from zeroth_q.sweep.grid import format_value


def plot_comparison(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], metric: str, path: str | os.PathLike, title: str
) -> bool:
    """Write ``path`` (PNG) from results ``rows``; ``keys`` are the grid's plotted axes in order.

    Returns False (and writes nothing) when no run has completed.
    """
    completed = [row for row in rows if row["status"] == "completed"]
    if not completed:
        return False
    if not any(_is_number(row.get(metric)) for row in completed):
        numeric = sorted({k for row in completed for k, v in row.items() if _is_number(v)})
        raise ConfigError(f"no completed run recorded metric {metric!r}.{did_you_mean(metric, numeric)}")
    x_key, line_key, panel_keys = keys[0], (keys[1] if len(keys) > 1 else None), list(keys[2:])

    # A bare Figure (Agg canvas), not pyplot: a notebook's backend and figures stay as they are.
    from matplotlib.figure import Figure

    panels = _groups(completed, panel_keys)
    fig = Figure(figsize=(5.5 * len(panels), 4.2))
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (panel, panel_rows) in zip(axes[0], panels.items(), strict=True):
        x_values = list(dict.fromkeys(format_value(row[x_key]) for row in panel_rows))
        numeric_x = all(_is_number(row[x_key]) for row in panel_rows)
        for line, line_rows in _groups(panel_rows, [line_key] if line_key else []).items():
            points = _groups(line_rows, [x_key])
            xs = [
                float(group[0][x_key]) if numeric_x else x_values.index(x[0]) for x, group in points.items()
            ]
            stats = [_mean_std([row.get(metric) for row in group]) for group in points.values()]
            means, stds = zip(*stats, strict=True)
            ax.errorbar(xs, means, stds, marker="o", capsize=3, label=_label([line_key], line))
        if numeric_x:
            # Hyper-parameter grids are usually geometric: log from one decade on.
            _log_if_wide(ax.set_xscale, [row[x_key] for row in panel_rows], decades=1)
        else:
            ax.set_xticks(range(len(x_values)), x_values, rotation=20)
        _log_if_wide(ax.set_yscale, [row.get(metric) for row in panel_rows], decades=2)
        ax.set_xlabel(x_key)
        ax.set_ylabel(f"final {metric} (mean ± std over seeds)")
        ax.set_title(_label(panel_keys, panel), fontsize=9)
        ax.grid(alpha=0.3, which="both")
        if line_key:
            ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    return True


def _groups(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> dict[tuple[str, ...], list[Mapping[str, Any]]]:
    """Rows grouped by their (formatted) values of ``keys``, in order of appearance."""
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(format_value(row[k]) for k in keys), []).append(row)
    return groups


def _label(keys: Sequence[str | None], values: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=False) if k)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _mean_std(values: Sequence[Any]) -> tuple[float, float]:
    finite = np.array([v for v in values if _is_number(v)], dtype=float)
    return (float(finite.mean()), float(finite.std())) if finite.size else (math.nan, math.nan)


def _log_if_wide(set_scale: Callable[[str], Any], values: Sequence[Any], decades: int) -> None:
    """Log scale when the values are all positive and span at least ``decades`` decades."""
    numbers = [float(v) for v in values if _is_number(v)]
    if numbers and min(numbers) > 0 and max(numbers) / min(numbers) >= 10**decades:
        set_scale("log")
