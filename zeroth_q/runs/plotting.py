"""The learning curve of one run: loss (and the main metric) against cumulative cost.

The x-axis is the scarcest resource the run spent: shots if it measured any, else
training examples, else objective evaluations, so curves of different optimizers on
the same objective are comparable at equal cost.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from zeroth_q.atomic import atomic_open


def cost_axis(rows: Sequence[Mapping[str, float]]) -> str:
    last = rows[-1] if rows else {}
    return next(
        name
        for name in ("shots", "examples", "evaluations")
        if last.get(name, 0) > 0 or name == "evaluations"
    )


def _set_scales(ax, x: np.ndarray, y: np.ndarray) -> None:
    positive_x = x[x > 0]
    if positive_x.size and positive_x.max() / positive_x.min() > 100:
        ax.set_xscale("log")
    finite = y[np.isfinite(y)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")


def plot_curve(
    rows: Sequence[Mapping[str, float]], path: str | os.PathLike, title: str, main_metric: str | None = None
) -> None:
    """Write ``path`` (PNG): loss vs cost, and ``main_metric`` vs cost beside it if recorded.

    Drawn on a bare :class:`matplotlib.figure.Figure` (Agg canvas) rather than through
    ``pyplot``, so that a notebook's backend and its open figures are left alone.
    """
    from matplotlib.figure import Figure

    axis = cost_axis(rows)
    x = np.array([row[axis] for row in rows], dtype=float)
    panels = [("loss", "loss (estimated on each step's draw)")]
    if main_metric and any(main_metric in row for row in rows):
        panels.append((main_metric, main_metric.replace("_", " ")))
    fig = Figure(figsize=(5.5 * len(panels), 4))
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (key, label) in zip(axes[0], panels, strict=True):
        y = np.array([row.get(key, np.nan) for row in rows], dtype=float)
        mask = np.isfinite(y)
        ax.plot(x[mask], y[mask], marker="." if mask.sum() < 60 else None, lw=1.2)
        _set_scales(ax, x[mask], y[mask])
        ax.set_xlabel(f"cumulative {axis}")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
    if not rows:
        # Interrupted during its first step: an empty curve, said so, rather than no file.
        axes[0][0].text(
            0.5, 0.5, "no step finished", ha="center", va="center", transform=axes[0][0].transAxes
        )
    fig.suptitle(title)
    fig.tight_layout()
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
