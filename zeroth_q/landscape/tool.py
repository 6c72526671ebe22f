"""Optimizer paths on a 2-D slice of a loss landscape: ``python -m zeroth_q.landscape``.

Several optimizers start from the same point; their iterates are projected onto a plane
through parameter space and drawn over the loss on that plane (``paths.png``), and
animated step by step (``journey.gif``). The plane is either

* two named parameters ``(i, j)`` (``--params i,j``): coordinates are their values, all
  other parameters held at the starting point's; exact for two-parameter objectives;
* two random directions (``--directions random``) with *filter normalisation* (Li, Xu,
  Taylor, Studer & Goldstein 2018, "Visualizing the loss landscape of neural nets"): each
  direction is Gaussian, rescaled filter by filter (for an MLP: the incoming weights of
  each unit) to the norm of the same filter of the starting point, biases set to zero, so
  that distances on the plot are comparable across layers of different scale. Objectives
  expose their filters with ``filters() -> list of index arrays``; without it the whole
  direction is scaled to the norm of the starting point;
* the two principal directions of all iterates of all optimizers around the start
  (``--directions pca``, the default; Li et al. §7 plot trajectories this way, since
  random directions in high dimension are nearly orthogonal to any path).

A path's other coordinates leave the plane: a projected path shows where an optimizer goes
*along* the plane, and the contour is the loss *on* the plane (Li et al., §6, make the same
caveat). Examples::

    python -m zeroth_q.landscape                                   # XOR-2D: eight optimizers, K-FAC included
    python -m zeroth_q.landscape --objective rosenbrock --params 0,1 --x0 -1.2 --y0 1 \\
        --optimizers adam,newton,bfgs,2spsa --steps 300 --lr 0.01
    python -m zeroth_q.landscape --objective vqe --set qubits=2 --set reps=1 --params 0,1   # SPSA family
    python -m zeroth_q.landscape --objective vqe --set qubits=2 --set reps=1 --params 0,1 \\
        --set backend=pennylane --set shots=exact                       # + gradient methods
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from zeroth_q.atomic import atomic_open, writable_directory, write_text
from zeroth_q.config import parse_assignment
from zeroth_q.errors import ConfigError, ZerothQError, unknown
from zeroth_q.loop.budget import Budget
from zeroth_q.loop.callbacks import Callback, StopWhenConverged
from zeroth_q.loop.minimize import minimize
from zeroth_q.loop.result import RunState
from zeroth_q.objective import Objective, SupportsFidelity, SupportsGradient, SupportsLayerCurvature
from zeroth_q.objectives.registry import build_objective
from zeroth_q.optimizers import OPTIMIZERS, get_optimizer

ALIASES = {"sgd": "backprop-sgd", "adam": "backprop-adam", "amsgrad": "backprop-amsgrad"}
DEFAULT_OPTIMIZERS = "sgd,adam,spsa,zo-adam,newton,bfgs,lbfgs"
NETWORK_OPTIMIZERS = ",kfac"
EVALUATION_ONLY_OPTIMIZERS = "spsa,zo-adam,parameter-shift-adam,2spsa"


def default_optimizers(objective: Objective) -> str:
    """What the objective can run: gradient methods (and K-FAC for networks) where it has a
    gradient, else evaluation-only ones (and QN-SPSA where it measures fidelities)."""
    if isinstance(objective, SupportsLayerCurvature):
        return DEFAULT_OPTIMIZERS + NETWORK_OPTIMIZERS
    if isinstance(objective, SupportsGradient):
        return DEFAULT_OPTIMIZERS
    return EVALUATION_ONLY_OPTIMIZERS + (",qnspsa" if isinstance(objective, SupportsFidelity) else "")


@runtime_checkable
class SupportsFilters(Protocol):
    def filters(self) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class Plane:
    """``θ(a, b) = origin + a·u + b·v``; for a parameter pair, ``u``, ``v`` are unit vectors
    and the origin has zeros at ``i``, ``j``, so ``(a, b)`` are the parameters' values."""

    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray
    labels: tuple[str, str]

    def points(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.origin + np.multiply.outer(a, self.u) + np.multiply.outer(b, self.v)

    def project(self, thetas: np.ndarray) -> np.ndarray:
        """Least-squares coordinates ``(a, b)`` of each row of ``thetas`` in the plane."""
        basis = np.stack([self.u, self.v], axis=1)
        return np.linalg.lstsq(basis, (thetas - self.origin).T, rcond=None)[0].T


def parameter_plane(start: np.ndarray, i: int, j: int) -> Plane:
    dim = start.size
    for index in (i, j):
        if not 0 <= index < dim:
            raise ConfigError(f"--params index {index} is out of range: the objective has {dim} parameters.")
    if i == j:
        raise ConfigError("--params needs two different parameter indices, e.g. --params 0,1.")
    origin, u, v = start.copy(), np.zeros(dim), np.zeros(dim)
    origin[[i, j]] = 0.0
    u[i], v[j] = 1.0, 1.0
    return Plane(origin, u, v, (f"θ[{i}]", f"θ[{j}]"))


def filter_normalized(
    direction: np.ndarray, reference: np.ndarray, filters: Sequence[np.ndarray] | None
) -> np.ndarray:
    """Li et al.'s filter normalisation of ``direction`` to the scale of ``reference``."""
    if filters is None:
        return direction * (np.linalg.norm(reference) or 1.0) / np.linalg.norm(direction)
    scaled = np.zeros_like(direction)
    for index in filters:
        norm = np.linalg.norm(direction[index])
        if norm > 0:
            scaled[index] = direction[index] * np.linalg.norm(reference[index]) / norm
    return scaled


def random_plane(objective: Objective, start: np.ndarray, rng: np.random.Generator) -> Plane:
    filters = objective.filters() if isinstance(objective, SupportsFilters) else None
    u = filter_normalized(rng.standard_normal(start.size), start, filters)
    v = filter_normalized(rng.standard_normal(start.size), start, filters)
    return Plane(start.copy(), u, v, ("direction 1 (filter-normalised)", "direction 2 (filter-normalised)"))


def pca_plane(start: np.ndarray, iterates: np.ndarray) -> Plane:
    """The plane through ``start`` of the two leading principal directions of ``iterates``."""
    offsets = iterates - start
    _, singular, vt = np.linalg.svd(offsets - offsets.mean(axis=0), full_matrices=False)
    share = singular**2 / max(float(np.sum(singular**2)), 1e-300)
    rows = [vt[k] if k < len(vt) else np.eye(start.size)[k] for k in range(2)]
    labels = tuple(
        f"PC{k + 1} ({100 * share[k]:.0f} % of path variance)" if k < len(share) else f"PC{k + 1}"
        for k in range(2)
    )
    return Plane(start.copy(), rows[0], rows[1], labels)


class PathRecorder(Callback):
    def __init__(self) -> None:
        self.points: list[np.ndarray] = []
        self.losses: list[float] = []

    def on_start(self, run: RunState) -> None:
        self.points.append(run.x.copy())

    def on_step(self, run: RunState) -> None:
        self.points.append(run.x.copy())
        self.losses.append(run.history[-1]["loss"])


@dataclass
class TracedPath:
    """One optimizer's iterates (start included) and, once a plane is chosen, their coordinates."""

    name: str
    points: np.ndarray
    start_loss: float
    final_loss: float
    status: str
    coordinates: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))


def optimizer_for(name: str, lr: float | None, damping: float | None) -> Any:
    """A registered optimizer by name or alias, with ``--lr`` / ``--damping`` where it has them."""
    resolved = ALIASES.get(name, name)
    if resolved not in OPTIMIZERS:
        raise unknown("optimizer", name, [*OPTIMIZERS, *ALIASES])
    keys = set(json.dumps(get_optimizer(resolved).to_dict()).replace('"', " ").split())
    params = {
        key: value for key, value in (("lr", lr), ("damping", damping)) if value is not None and key in keys
    }
    return get_optimizer(resolved, params)


def trace_paths(
    objective: Objective,
    names: Sequence[str],
    start: np.ndarray,
    steps: int,
    tol: float,
    lr: float | None,
    damping: float | None,
    seed: int,
) -> list[TracedPath]:
    paths = []
    for name in names:
        recorder = PathRecorder()
        callbacks: list[Callback] = [recorder] + ([StopWhenConverged(tol)] if tol > 0 else [])
        result = minimize(
            objective,
            optimizer_for(name, lr, damping),
            Budget(steps=steps),
            x0=start,
            seed=seed,
            callbacks=callbacks,
            metrics_every=0,
        )
        points = np.array(recorder.points)
        paths.append(TracedPath(name, points, result.history[0]["loss"], result.fun, result.status))
    return paths


def loss_surface(
    objective: Objective, plane: Plane, bounds: tuple[float, float, float, float], resolution: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss on a ``resolution²`` grid of the plane, evaluated in batches of 4096 rows."""
    a = np.linspace(bounds[0], bounds[1], resolution)
    b = np.linspace(bounds[2], bounds[3], resolution)
    grid_a, grid_b = np.meshgrid(a, b)
    points = plane.points(grid_a.ravel(), grid_b.ravel())
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [
            objective.evaluate(chunk, rng).values
            for chunk in np.array_split(points, max(1, len(points) // 4096))
        ]
    )
    return grid_a, grid_b, values.reshape(grid_a.shape)


def bounds_around(
    paths: Sequence[TracedPath], margin: float = 0.2, minimum_span: float = 1.0
) -> tuple[float, float, float, float]:
    # A diverged path runs off to 1e300: framing it would leave the others a dot.
    kept = [p.coordinates for p in paths if p.status != "diverged"] or [p.coordinates[:1] for p in paths]
    coordinates = np.concatenate(kept)
    coordinates = coordinates[np.all(np.isfinite(coordinates), axis=1)]
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    centre, half = (low + high) / 2, np.maximum((high - low) / 2 * (1 + margin), minimum_span / 2)
    return centre[0] - half[0], centre[0] + half[0], centre[1] - half[1], centre[1] + half[1]


def _draw_base(
    surface: tuple[np.ndarray, np.ndarray, np.ndarray],
    plane: Plane,
    size: tuple[int, int],
    dpi: int,
    title: str,
):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid_a, grid_b, values = surface
    fig, ax = plt.subplots(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
    finite = values[np.isfinite(values)]
    if finite.size and finite.max() > finite.min():
        levels = np.linspace(finite.min(), np.percentile(finite, 95), 30)
        contour = ax.contourf(grid_a, grid_b, values, levels=levels, cmap="viridis", extend="max")
        fig.colorbar(contour, ax=ax, label="loss on the plane")
    else:
        ax.text(0.5, 0.02, "loss not finite or constant on this plane", ha="center", transform=ax.transAxes)
    ax.set_xlabel(plane.labels[0])
    ax.set_ylabel(plane.labels[1])
    ax.set_title(title)
    return fig, ax, plt


def _mark_start_and_frame(ax, paths: Sequence[TracedPath], surface) -> None:
    """The common start as a star, the view fixed to the contour grid, the legend."""
    ax.plot(*paths[0].coordinates[0], marker="*", ms=14, color="white", mec="black", label="start", ls="none")
    ax.set_xlim(surface[0].min(), surface[0].max())
    ax.set_ylim(surface[1].min(), surface[1].max())
    ax.legend(fontsize=7, loc="best", framealpha=0.8)


def plot_paths(
    paths: Sequence[TracedPath],
    surface,
    plane: Plane,
    path: Path,
    size: tuple[int, int],
    dpi: int,
    title: str,
) -> None:
    fig, ax, plt = _draw_base(surface, plane, size, dpi, title)
    for p in paths:
        ax.plot(
            *p.coordinates.T,
            marker=".",
            ms=3,
            lw=1.3,
            label=f"{p.name} ({len(p.points) - 1} steps, loss {p.final_loss:.3g})",
        )
    _mark_start_and_frame(ax, paths, surface)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=dpi)
    plt.close(fig)


def animate_paths(
    paths: Sequence[TracedPath],
    surface,
    plane: Plane,
    path: Path,
    size: tuple[int, int],
    dpi: int,
    title: str,
    frames: int = 80,
    fps: int = 12,
) -> None:
    """``journey.gif``: the paths drawn up to step ``k``, for ``frames`` values of ``k``."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig, ax, plt = _draw_base(surface, plane, size, dpi, title)
    longest = max(len(p.points) for p in paths)
    lines = [ax.plot([], [], marker=".", ms=3, lw=1.3, label=p.name)[0] for p in paths]
    _mark_start_and_frame(ax, paths, surface)
    label = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", color="white")
    steps = np.unique(np.linspace(1, longest, min(frames, longest)).astype(int))

    def draw(k: int):
        for line, p in zip(lines, paths, strict=True):
            line.set_data(*p.coordinates[:k].T)
        label.set_text(f"step {k - 1}")
        return [*lines, label]

    animation = FuncAnimation(fig, draw, frames=steps, blit=False)
    tmp = path.with_name(f".{path.name}.tmp.gif")
    animation.save(tmp, writer=PillowWriter(fps=fps), dpi=dpi)
    tmp.replace(path)
    plt.close(fig)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m zeroth_q.landscape",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--objective", default="xor", help="objective name (default xor)")
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="objective parameter (repeatable)",
    )
    p.add_argument(
        "--optimizers",
        help=f"comma-separated (default: {DEFAULT_OPTIMIZERS} with a gradient, +kfac for networks; "
        f"without one {EVALUATION_ONLY_OPTIMIZERS}, +qnspsa for circuits)",
    )
    p.add_argument("--params", help="slice along two parameters, e.g. 0,1")
    p.add_argument(
        "--directions",
        choices=["pca", "random"],
        default="pca",
        help="without --params: principal directions of the paths (default) or random, filter-normalised",
    )
    p.add_argument("--x0", type=float, default=None, help="start, first slice coordinate")
    p.add_argument("--y0", type=float, default=None, help="start, second slice coordinate")
    p.add_argument(
        "--lr", type=float, default=0.1, help="learning rate of every optimizer that has one (default 0.1)"
    )
    p.add_argument(
        "--damping", type=float, help="damping λ of Newton (Levenberg-Marquardt), natural-gradient and kfac"
    )
    p.add_argument("--steps", type=int, default=100, help="maximum steps per optimizer (default 100)")
    p.add_argument("--tol", type=float, default=0.0, help="stop a path when a step moves less than this")
    p.add_argument(
        "--resolution", type=int, default=60, help="grid points per axis of the contour (default 60)"
    )
    p.add_argument("--size", default="900x700", help="image size in pixels, WxH (default 900x700)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--out", type=Path, default=Path("landscape"), help="output directory (default ./landscape)"
    )
    return p


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--size must be WIDTHxHEIGHT in pixels, e.g. 900x700 (got {text!r}).") from None
    if min(width, height) < 100:
        raise ConfigError(f"--size must be at least 100x100 pixels (got {text!r}).")
    return width, height


def run(args: argparse.Namespace) -> list[TracedPath]:
    if args.steps < 1 or args.resolution < 5 or args.tol < 0 or args.seed < 0:
        raise ConfigError("need --steps >= 1, --resolution >= 5, --tol >= 0 and --seed >= 0.")
    size, dpi = _size(args.size), 100
    objective = build_objective(args.objective, dict(parse_assignment(t) for t in args.assignments))
    listed = args.optimizers or default_optimizers(objective)
    names = [n.strip() for n in listed.split(",") if n.strip()]
    for name in names:
        optimizer_for(name, None, None)
    rng = np.random.default_rng(args.seed)
    base = objective.initial_point(rng)
    plane, (a0, b0) = None, (args.x0 or 0.0, args.y0 or 0.0)
    if args.params:
        try:
            i, j = (int(v) for v in args.params.split(","))
        except ValueError:
            raise ConfigError(f"--params must be two indices, e.g. 0,1 (got {args.params!r}).") from None
        plane = parameter_plane(base, i, j)
        a0 = base[i] if args.x0 is None else args.x0
        b0 = base[j] if args.y0 is None else args.y0
    elif args.directions == "random":
        plane = random_plane(objective, base, rng)
    elif args.x0 is not None or args.y0 is not None:
        raise ConfigError("--x0/--y0 are slice coordinates: use them with --params or --directions random.")
    start = base if plane is None else plane.points(np.array(a0), np.array(b0))
    paths = trace_paths(objective, names, start, args.steps, args.tol, args.lr, args.damping, args.seed)
    if plane is None:
        plane = pca_plane(start, np.concatenate([p.points for p in paths]))
    for p in paths:
        p.coordinates = plane.project(p.points)
    surface = loss_surface(objective, plane, bounds_around(paths), args.resolution, args.seed)
    writable_directory(args.out, "--out")
    title = f"{args.objective}: {len(paths)} optimizers from one start"
    plot_paths(paths, surface, plane, args.out / "paths.png", size, dpi, title)
    animate_paths(paths, surface, plane, args.out / "journey.gif", size, dpi, title)
    record = {
        p.name: {
            "coordinates": p.coordinates.tolist(),
            "start_loss": p.start_loss,
            "final_loss": p.final_loss,
            "steps": len(p.points) - 1,
            "status": p.status,
        }
        for p in paths
    }
    record = {"start": [a0, b0], "labels": plane.labels, "paths": record}
    write_text(args.out / "paths.json", json.dumps(_finite_or_null(record), allow_nan=False) + "\n")
    return paths


def _finite_or_null(value: Any) -> Any:
    """``value`` with NaN and infinities (a diverged path) as null, so the file is JSON."""
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_null(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        paths = run(args)
    except ZerothQError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'optimizer':<16s} {'steps':>6s} {'start loss':>12s} {'final loss':>12s}")
    for p in paths:
        print(f"{p.name:<16s} {len(p.points) - 1:>6d} {p.start_loss:>12.5g} {p.final_loss:>12.5g}")
    print(f"written to {args.out}/paths.png, journey.gif, paths.json")
    return 0

