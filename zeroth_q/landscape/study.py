"""From the command's options to a computed :class:`Landscape`: the mode, the plane, the
start, one run per optimizer, the view and the loss surface (no drawing).

The default plane of an objective: ``xor`` has a study (:data:`STUDIES`), two-parameter
objectives are drawn exactly on their two parameters, all others in projection mode on
the paths' principal plane.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from zeroth_q.config import parse_assignment
from zeroth_q.errors import ConfigError
from zeroth_q.landscape.planes import Plane, parameter_plane, pca_plane, random_plane
from zeroth_q.landscape.surface import Surface, is_stochastic, loss_surface
from zeroth_q.landscape.tracing import (
    TracedPath,
    default_optimizers,
    optimizer_for,
    pretrained_point,
    trace_paths,
)
from zeroth_q.landscape.view import Bounds, View, choose_view
from zeroth_q.objective import Objective
from zeroth_q.objectives.registry import build_objective
from zeroth_q.objectives.subspace import restrict


@dataclass(frozen=True)
class ExactStudy:
    """The two parameters an objective's landscape trains by default, where they start, and
    how many Adam steps train the whole model first (the fixed parameters are those of a
    trained model: around an untrained one the slice is flat at chance level)."""

    train: tuple[int, int]
    start: tuple[float, float]
    pretrain: int
    labels: tuple[str, str]


# XOR 2-8-1 (θ = W1 (2×8), b1, W2 (8×1), b2): θ[24], θ[25] are W2[0], W2[1].
STUDIES = {
    "xor": ExactStudy(
        train=(24, 25),
        start=(2.0, -2.0),
        pretrain=300,
        labels=("θ[24]: output weight of hidden unit 0", "θ[25]: output weight of hidden unit 1"),
    )
}


@dataclass(frozen=True)
class Landscape:
    """Everything one run of the tool computed. ``objective`` is the full objective the
    contour evaluates on ``plane``; the paths' points live in ``traced``'s coordinates
    (the two trained ones in exact mode, ``train``; all of them in projection mode)."""

    mode: Literal["exact", "projection"]
    train: tuple[int, int] | None
    objective: Objective
    traced: Objective
    plane: Plane
    paths: list[TracedPath]
    surface: Surface
    view: View
    title: str
    stochastic: bool

    @property
    def caption(self) -> str:
        """What the colours are: the one thing a reader cannot see in the picture."""
        scale = "log colour scale" if self.surface.log_scale else "linear colour scale"
        if self.mode == "exact":
            lines = [f"Exact: the colours are the loss every path walks on ({scale})."]
        else:
            lines = [
                f"Projected: colours are the loss ON the plane, not along the paths ({scale});",
                "the legend gives each path's largest distance off the plane.",
            ]
        if self.stochastic:
            lines.append("Each grid value is one random draw (a mini-batch, shots).")
        return "\n".join(lines)


def trained_pair(args: argparse.Namespace, objective: Objective) -> tuple[int, int] | None:
    """The two trained parameters in exact mode, ``None`` in projection mode."""
    if args.train:
        try:
            i, j = (int(v) for v in args.train.split(","))
        except ValueError:
            raise ConfigError(
                f"--train takes two parameter indices, e.g. --train 0,1 (got {args.train!r})."
            ) from None
        return i, j
    if args.directions:
        return None
    if args.objective in STUDIES:
        return STUDIES[args.objective].train
    return (0, 1) if objective.dim == 2 else None


def exact_setup(
    args: argparse.Namespace, objective: Objective, base: np.ndarray, pair: tuple[int, int]
) -> tuple[Objective, Plane, np.ndarray]:
    """The restricted objective, the plane of the pair through ``base``, and the start
    (``--x0/--y0``, else the study's, else ``base``'s values)."""
    plane = parameter_plane(base, *pair)
    study = STUDIES.get(args.objective)
    default = (base[pair[0]], base[pair[1]])
    if study is not None and pair == study.train:
        plane, default = replace(plane, labels=study.labels), study.start
    start = np.array([default[0] if args.x0 is None else args.x0, default[1] if args.y0 is None else args.y0])
    return restrict(objective, pair, plane.points(start[0], start[1])), plane, start


def projection_start(
    args: argparse.Namespace, objective: Objective, base: np.ndarray
) -> tuple[Plane | None, np.ndarray]:
    """A random plane through ``base`` and the start on it, or no plane yet (the principal
    plane comes from the paths) and ``base``."""
    if args.directions != "random":
        return None, base
    directions = np.random.default_rng([args.seed, 1])  # a stream apart from the initial point's
    plane = random_plane(objective, base, directions)
    return plane, plane.points(np.array(args.x0 or 0.0), np.array(args.y0 or 0.0))


def compute(args: argparse.Namespace, window: Bounds | None) -> Landscape:
    """Build the objective, run every optimizer, place the paths and evaluate the surface."""
    objective = build_objective(args.objective, dict(parse_assignment(t) for t in args.assignments))
    pair = trained_pair(args, objective)
    study = STUDIES.get(args.objective) if pair is not None else None
    pretrain = args.pretrain if args.pretrain is not None else (study.pretrain if study else 0)
    base = pretrained_point(objective, pretrain, args.seed)
    if pair is not None:
        traced, plane, start = exact_setup(args, objective, base, pair)
    else:
        traced, (plane, start) = objective, projection_start(args, objective, base)
    listed = default_optimizers(traced) if args.optimizers is None else args.optimizers
    names = [n.strip() for n in listed.split(",") if n.strip()]
    for name in names:
        optimizer_for(name)  # unknown names fail before any run
    paths = trace_paths(traced, names, start, args.steps, args.tol, args.lr, args.damping, args.seed)
    if plane is None:
        plane = pca_plane(start, np.concatenate([p.points for p in paths]))
    for p in paths:
        full = traced.embed(p.points) if pair is not None else p.points
        p.coordinates, p.off_plane = plane.project(full), plane.distance(full)
    view = choose_view(paths, window)
    surface = loss_surface(objective, plane, view.bounds, args.resolution, args.seed)
    title = figure_title(args.objective, objective.dim, pair, paths, pretrain, args.directions)
    mode = "exact" if pair is not None else "projection"
    stochastic = is_stochastic(objective, plane.origin)
    return Landscape(mode, pair, objective, traced, plane, paths, surface, view, title, stochastic)


def figure_title(
    name: str,
    dim: int,
    pair: tuple[int, int] | None,
    paths: Sequence[TracedPath],
    pretrain: int,
    directions: str | None,
) -> str:
    count = f"{len(paths)} optimizers"
    if pair is not None:
        held = f"the other {dim - 2} held" if dim > 2 else "all parameters trained"
        trained = f" after {pretrain} Adam steps" if pretrain and dim > 2 else ""
        start = ", ".join(f"{v:.3g}" for v in paths[0].points[0])
        return f"{name}: {count} train θ[{pair[0]}], θ[{pair[1]}] from ({start}); {held}{trained}"
    plane = "a random filter-normalised plane" if directions == "random" else "the paths' principal plane"
    return f"{name}: {count} train all {dim} parameters; paths projected onto {plane}"
