"""The figures: ``paths.png`` (every path over the contour) and ``journey.gif`` (the same,
step by step, with the step counter and each path's current loss).

Drawing uses :class:`matplotlib.figure.Figure` objects only (no pyplot, no global backend),
so it is safe in threads, notebooks and sweep workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import FormatStrFormatter, LogFormatterSciNotation, LogLocator, MaxNLocator

from zeroth_q.atomic import atomic_open
from zeroth_q.landscape.surface import Surface
from zeroth_q.landscape.tracing import TracedPath
from zeroth_q.landscape.view import View

LEVELS = 30
COLOURS = ("tab:red", "tab:orange", "magenta", "tab:cyan", "white", "tab:pink", "lime", "tab:brown", "gold")
GIF_FPS = 12


@dataclass(frozen=True)
class Layout:
    """What every figure of one run shares: size, axis labels, title and caption."""

    size: tuple[int, int]
    dpi: int
    labels: tuple[str, str]
    title: str
    caption: str


def legend_label(path: TracedPath, view: View, loss: float | None = None) -> str:
    """``name: loss`` plus whatever the picture alone would hide: the distance off the plane,
    a clipped excursion, and (for the final ``loss=None`` label) the step count and a
    divergence."""
    shown = path.final_loss if loss is None else loss
    text = f"{path.name}: loss {shown:.3g}"
    if loss is None:
        text += f" after {path.steps} step" + ("" if path.steps == 1 else "s")
    if path.off_plane.size and path.off_plane.max() > 1e-9:
        text += f", ≤{path.off_plane.max():.2g} off plane"
    if path.name in view.clipped:
        text += f", clipped (reaches {view.reach[path.name]:.3g})"
    if loss is None and path.status == "diverged":
        text += ", then diverged"
    return text


def contour_norm(surface: Surface) -> tuple[Normalize, np.ndarray, str]:
    """Colour normalisation, contour levels and the colour bar's extension (a dummy 0..1
    scale when no loss on the grid is finite)."""
    finite = surface.finite
    if not finite.size:  # the loss overflowed everywhere in view (a diverged path's plane): no colours
        levels = np.linspace(0.0, 1.0, LEVELS)
        return Normalize(levels[0], levels[-1]), levels, "neither"
    if surface.log_scale:
        levels = np.geomspace(finite.min(), finite.max(), LEVELS)
        return LogNorm(levels[0], levels[-1]), levels, "neither"
    top = float(np.percentile(finite, 98))
    levels = np.linspace(finite.min(), max(top, finite.min() + 1e-12), LEVELS)
    return Normalize(levels[0], levels[-1]), levels, "max"


def landscape_axes(surface: Surface, view: View, layout: Layout) -> tuple[Figure, Axes]:
    """A figure with the contour, its colour bar, the labels, the title and the caption."""
    fig = Figure(
        figsize=(layout.size[0] / layout.dpi, layout.size[1] / layout.dpi),
        dpi=layout.dpi,
        layout="constrained",
    )
    ax = fig.add_subplot()
    norm, levels, extend = contour_norm(surface)
    values = np.ma.masked_invalid(surface.values)
    contour = ax.contourf(
        surface.a, surface.b, values, levels=levels, norm=norm, cmap="viridis", extend=extend
    )
    bar_label = "loss (log scale)" if surface.log_scale else "loss"
    if surface.log_scale and surface.decades > 4:
        ticks, formatter = LogLocator(numticks=12), LogFormatterSciNotation()
    elif surface.log_scale:  # few decades: label 1, 2, 5 of each
        ticks, formatter = LogLocator(subs=(1.0, 2.0, 5.0)), FormatStrFormatter("%.3g")
    else:
        nice = MaxNLocator(8).tick_values(levels[0], levels[-1])
        ticks, formatter = nice[(nice >= levels[0]) & (nice <= levels[-1])], FormatStrFormatter("%.3g")
    bar = fig.colorbar(contour, ax=ax, label=bar_label, ticks=ticks, format=formatter)
    bar.minorticks_off()
    ax.set_xlim(view.bounds[0], view.bounds[1])
    ax.set_ylim(view.bounds[2], view.bounds[3])
    ax.set_xlabel(layout.labels[0])
    ax.set_ylabel(layout.labels[1])
    fig.suptitle(layout.title, fontsize=11)
    ax.set_title(layout.caption, fontsize=8.5, style="italic")
    return fig, ax


def draw_paths(ax: Axes, paths: Sequence[TracedPath]) -> list[Line2D]:
    """One empty line per path (filled by the caller) and the shared start as a star."""
    start = paths[0].coordinates[0]
    lines = [
        ax.plot([], [], marker=".", ms=4, lw=1.6, color=COLOURS[k % len(COLOURS)])[0]
        for k, _ in enumerate(paths)
    ]
    ax.plot(*start, marker="*", ms=16, color="white", mec="black", ls="none", zorder=5)
    return lines


def add_legend(fig: Figure, lines: Sequence[Line2D], labels: Sequence[str]) -> Legend:
    """Below the axes, so that it never hides a path."""
    return fig.legend(lines, labels, loc="outside lower center", ncols=2, fontsize=8, frameon=False)


def save_png(paths: Sequence[TracedPath], surface: Surface, view: View, layout: Layout, target: Path) -> None:
    fig, ax = landscape_axes(surface, view, layout)
    lines = draw_paths(ax, paths)
    for line, path in zip(lines, paths, strict=True):
        line.set_data(*path.coordinates.T)
        end_marker = "X" if path.status == "diverged" else "o"
        ax.plot(*path.coordinates[-1], marker=end_marker, ms=7, color=line.get_color(), mec="black", zorder=6)
    add_legend(fig, lines, [legend_label(p, view) for p in paths])
    with atomic_open(target, "wb") as handle:
        fig.savefig(handle, format="png", dpi=layout.dpi)


def save_gif(
    paths: Sequence[TracedPath], surface: Surface, view: View, layout: Layout, target: Path, frames: int
) -> None:
    """At most ``frames`` snapshots (about 0.1 s each to draw): the paths up to step ``k``, the
    step counter, and each path's loss at ``k`` in the legend."""
    fig, ax = landscape_axes(surface, view, layout)
    lines = draw_paths(ax, paths)
    legend = add_legend(fig, lines, [legend_label(p, view) for p in paths])
    longest = max(p.steps for p in paths)
    counter = ax.text(
        0.02,
        0.97,
        "",
        transform=ax.transAxes,
        va="top",
        fontsize=10,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    shown = np.unique(np.linspace(0, longest, min(frames, longest + 1)).round().astype(int))

    def draw(k: int) -> list:
        for line, text, path in zip(lines, legend.get_texts(), paths, strict=True):
            upto = min(k, path.steps)
            line.set_data(*path.coordinates[: upto + 1].T)
            text.set_text(legend_label(path, view, loss=float(path.losses[upto])))
        counter.set_text(f"step {k} / {longest}")
        return [*lines, counter]

    fig.draw_without_rendering()  # lay out once: constrained layout on every frame is most of the time
    fig.set_layout_engine("none")
    animation = FuncAnimation(fig, draw, frames=shown, blit=False)
    partial = target.with_name(f".{target.name}.partial.gif")
    try:
        animation.save(partial, writer=PillowWriter(fps=GIF_FPS), dpi=layout.dpi)
    except BaseException:  # a full disk, Ctrl-C: no half-written GIF is left behind
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
