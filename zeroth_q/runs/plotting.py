"""The learning curve of one run: loss (and the main metric) against cumulative cost.

The x-axis is the scarcest resource the run spent: shots if it measured any, else
training examples, else objective evaluations, so curves of different optimizers on
the same objective are comparable at equal cost.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

import numpy as np

from zeroth_q.atomic import atomic_open

PANEL_WIDTH, PANEL_HEIGHT = 5.5, 4.0  # inches per panel
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
LEFT, RIGHT, GAP, BOTTOM, TOP = 0.85, 0.2, 0.9, 0.55, 0.5  # margins and the gap between panels, inches


def cost_axis(rows: Sequence[Mapping[str, float]]) -> str:
    last = rows[-1] if rows else {}
    return next(
        name
        for name in ("shots", "examples", "evaluations")
        if last.get(name, 0) > 0 or name == "evaluations"
    )


def _set_margins(fig, panels: int) -> None:
    """Fixed margins in inches, room for the tick and axis labels: ``tight_layout`` measured
    every tick label of the log axes to find them, 0.5 s of a one-epoch MNIST run's 0.9 s
    plot (issue 29)."""
    width = PANEL_WIDTH * panels
    axis = (width - LEFT - RIGHT - GAP * (panels - 1)) / panels
    fig.subplots_adjust(
        left=LEFT / width,
        right=1 - RIGHT / width,
        bottom=BOTTOM / PANEL_HEIGHT,
        top=1 - TOP / PANEL_HEIGHT,
        wspace=GAP / axis,
    )


def _set_scales(ax, x: np.ndarray, y: np.ndarray) -> None:
    positive_x = x[x > 0]
    if positive_x.size and positive_x.max() / positive_x.min() > 100:
        ax.set_xscale("log")
        _label_powers_of_ten(ax.xaxis)
    finite = y[np.isfinite(y)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
        _label_powers_of_ten(ax.yaxis)


def _label_powers_of_ten(axis) -> None:
    """Label a log axis ``10⁴`` in plain text: matplotlib's default labels are mathtext
    (``$10^{4}$``), whose parser took 0.8 of the 3.5 s a curve took to draw (issue 29)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis.set_major_formatter(FuncFormatter(_power_of_ten))
    axis.set_minor_formatter(NullFormatter())


def _power_of_ten(value: float, _position: int | None = None) -> str:
    """``10ⁿ`` if ``value`` is a power of ten, else nothing."""
    exponent = round(math.log10(value)) if value > 0 else 0
    if value <= 0 or not math.isclose(value, 10.0**exponent, rel_tol=1e-9):
        return ""
    return "10" + str(exponent).translate(SUPERSCRIPTS)


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
    fig = Figure(figsize=(PANEL_WIDTH * len(panels), PANEL_HEIGHT))
    axes = fig.subplots(1, len(panels), squeeze=False)
    _set_margins(fig, len(panels))
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
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
