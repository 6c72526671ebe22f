"""The cost curves of a sweep: each setting's metric against the cost it has spent so far
(shots, examples or evaluations), median and interquartile band over seeds.

What a budget study asks is which setting is best *at each budget*; the final values of
:mod:`~zeroth_q.sweep.comparison` answer it only at the end. A run records its metric at
some steps (``metrics_every``), against its cumulative cost; each seed's record is carried
forward onto one grid of costs (at cost c, the value the run held once it had spent c), and
the band at c spans the seeds' quartiles there. The grid runs from the cost by which every
seed has a record to the cost at which the first seed stopped, so no point of a band stands
for fewer seeds than the others. Lines and panels follow the comparison plot: one line per
setting of the first two axes, one panel per combination of the others.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zeroth_q.sweep.comparison import (
    completed_rows,
    groups,
    is_number,
    label,
    log_if_wide,
    panel_figure,
    save_png,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

History = Sequence[Mapping[str, float]]
# The x-axis: the first of these that the runs spend (a circuit's shots, a network's examples).
X_UNITS = ("shots", "examples", "evaluations")
GRID_POINTS = 200


def plot_cost_curves(
    rows: Sequence[Mapping[str, Any]],
    histories: Mapping[str, History],
    keys: Sequence[str],
    metric: str,
    path: str | os.PathLike,
    title: str,
) -> bool:
    """Write ``path`` (PNG) from results ``rows`` and each run's history (by its ``run`` name);
    ``keys`` are the grid's plotted axes in order. False (nothing written) when no completed
    run recorded ``metric`` in its history."""
    fig = cost_curves_figure(rows, histories, keys, metric, title)
    if fig is None:
        return False
    save_png(fig, path)
    return True


def cost_curves_figure(
    rows: Sequence[Mapping[str, Any]],
    histories: Mapping[str, History],
    keys: Sequence[str],
    metric: str,
    title: str,
) -> Figure | None:
    """The figure :func:`plot_cost_curves` writes, or None."""
    completed = [row for row in completed_rows(rows, metric) if histories.get(row["run"])]
    column = history_column(metric)
    if not any(is_number(r.get(column)) for row in completed for r in histories[row["run"]]):
        return None
    unit = cost_unit([histories[row["run"]] for row in completed])
    line_keys, panel_keys = list(keys[:2]), list(keys[2:])
    fig, panels = panel_figure(completed, panel_keys)
    for ax, (panel, panel_rows) in panels:
        xs: list[float] = []
        ys: list[float] = []
        for line, line_rows in groups(panel_rows, line_keys).items():
            band = seed_band([histories[row["run"]] for row in line_rows], unit, column)
            if band is None:
                continue
            costs, low, median, high = band
            (drawn,) = ax.plot(costs, median, label=f"{label(line_keys, line)} ({len(line_rows)} seeds)")
            ax.fill_between(costs, low, high, color=drawn.get_color(), alpha=0.25, linewidth=0)
            xs += [costs[0], costs[-1]]
            ys += [*low, *high]
        log_if_wide(ax.set_xscale, xs, decades=2)  # budgets are usually geometric
        log_if_wide(ax.set_yscale, ys, decades=2)
        ax.set_xlabel(f"cumulative {unit}")
        ax.set_ylabel(f"{column}\n(median, interquartile band over seeds)")
        ax.set_title(label(panel_keys, panel), fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def history_column(metric: str) -> str:
    """The history's column for a summary metric: ``final_loss`` / ``best_loss`` are the loss."""
    return "loss" if metric in ("final_loss", "best_loss") else metric


def cost_unit(histories: Sequence[History]) -> str:
    """The first of :data:`X_UNITS` that some run spent (``evaluations`` if none)."""
    return next(
        (unit for unit in X_UNITS if any(h and h[-1].get(unit, 0) > 0 for h in histories)), "evaluations"
    )


def seed_band(
    histories: Sequence[History], unit: str, column: str, points: int = GRID_POINTS
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Costs and the seeds' first quartile, median and third quartile of ``column`` there;
    None when no seed recorded it."""
    records = []
    for history in histories:
        pairs = [(float(r[unit]), float(r[column])) for r in history if is_number(r.get(column))]
        if pairs:
            records.append(np.array(pairs))
    if not records:
        return None
    start = max(record[0, 0] for record in records)
    end = min(record[-1, 0] for record in records)
    if end <= start:
        costs = np.array([start])
    elif start > 0 and end / start >= 10:
        costs = np.geomspace(start, end, points)
    else:
        costs = np.linspace(start, end, points)
    values = np.array([r[np.searchsorted(r[:, 0], costs, side="right") - 1, 1] for r in records])
    low, median, high = np.percentile(values, [25, 50, 75], axis=0)
    return costs, low, median, high
