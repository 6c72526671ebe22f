"""Optimizer paths on a loss landscape: ``python -m zeroth_q.landscape``.

Several optimizers start from one point; their paths are drawn over the loss
(``paths.png``), animated step by step (``journey.gif``) and saved (``paths.json``).

* **Exact mode** (``--train i,j``; the default for ``xor`` and for two-parameter
  objectives): only parameters ``i`` and ``j`` are trained, all others held fixed
  (:func:`zeroth_q.objectives.subspace.restrict`), so the contour *is* the loss every
  optimizer walks on. The ``xor`` default holds a network trained for 300 Adam steps and
  moves two of its output weights to (2, -2): first-order methods crawl along the valley
  that Newton and BFGS cross in a few steps.
* **Projection mode** (``--directions pca|random``; the default for other objectives): all
  parameters are trained and the paths are projected onto the plane of their two principal
  directions, or of two filter-normalised random directions (Li et al. 2018). The colours
  are then the loss *on* the plane, not along the paths; the legend says how far each path
  is from the plane.

Examples::

    python -m zeroth_q.landscape                                   # XOR, exact, 7 optimizers
    python -m zeroth_q.landscape --objective rosenbrock --x0 -1.2 --y0 1 \\
        --optimizers adam,newton,bfgs,2spsa --steps 300 --lr 0.01
    python -m zeroth_q.landscape --directions pca                  # XOR, all 33 weights, K-FAC too
    python -m zeroth_q.landscape --objective vqe --set qubits=2 --set reps=1 --train 0,1
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from zeroth_q.atomic import write_text
from zeroth_q.config import parse_assignment
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.landscape.drawing import Layout, save_gif, save_png
from zeroth_q.landscape.planes import Plane, parameter_plane, pca_plane, random_plane
from zeroth_q.landscape.surface import Surface, loss_surface
from zeroth_q.landscape.tracing import (
    EVALUATION_ONLY_OPTIMIZERS,
    GRADIENT_OPTIMIZERS,
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
    """Everything one run of the tool computed: ``objective`` is the full objective the
    contour evaluates on ``plane``; the paths' points live in ``traced``'s coordinates."""

    mode: str
    objective: Objective
    traced: Objective
    plane: Plane
    paths: list[TracedPath]
    surface: Surface
    view: View
    title: str


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m zeroth_q.landscape",
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
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
        help=f"comma-separated (default: {GRADIENT_OPTIMIZERS} with a gradient, +kfac for networks in "
        f"projection mode; without one {EVALUATION_ONLY_OPTIMIZERS}, +qnspsa for circuits)",
    )
    p.add_argument("--train", metavar="I,J", help="exact mode: train only parameters I and J")
    p.add_argument(
        "--directions",
        choices=["pca", "random"],
        help="projection mode: train all parameters, draw on the paths' principal plane or a random one",
    )
    p.add_argument("--x0", type=float, help="start of the first trained parameter (random plane: coordinate)")
    p.add_argument(
        "--y0", type=float, help="start of the second trained parameter (random plane: coordinate)"
    )
    p.add_argument(
        "--pretrain",
        type=int,
        help="Adam steps on all parameters before the landscape (default: 300 for xor in exact mode, else 0)",
    )
    p.add_argument(
        "--lr", type=float, help="learning rate of every optimizer that has one (default: tuned each)"
    )
    p.add_argument(
        "--damping", type=float, help="damping λ of Newton (Levenberg-Marquardt), natural gradient, kfac"
    )
    p.add_argument("--steps", type=int, default=100, help="maximum steps per optimizer (default 100)")
    p.add_argument(
        "--tol", type=float, default=1e-6, help="stop a path when a step moves less than this (default 1e-6)"
    )
    p.add_argument(
        "--window", metavar="AMIN,AMAX,BMIN,BMAX", help="axis limits (default: fitted to the paths)"
    )
    p.add_argument(
        "--resolution", type=int, default=60, help="grid points per axis of the contour (default 60)"
    )
    p.add_argument("--size", default="900x800", help="image size in pixels, WxH (default 900x800)")
    p.add_argument("--frames", type=int, default=80, help="frames of journey.gif (default 80; 0: no GIF)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--out", type=Path, default=Path("landscape"), help="output directory (default ./landscape)"
    )
    return p


def numbers(text: str, count: int, option: str, example: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != count:
        raise ConfigError(
            f"{option} takes {count} comma-separated numbers, e.g. {option} {example} (got {text!r})."
        )
    return values


def image_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--size must be WIDTHxHEIGHT in pixels, e.g. 900x800 (got {text!r}).") from None
    if min(width, height) < 100:
        raise ConfigError(f"--size must be at least 100x100 pixels (got {text!r}).")
    return width, height


def window(text: str | None) -> Bounds | None:
    if text is None:
        return None
    a_min, a_max, b_min, b_max = numbers(text, 4, "--window", "-8,4,-8,0")
    if not (a_min < a_max and b_min < b_max):
        raise ConfigError(f"--window needs AMIN < AMAX and BMIN < BMAX (got {text!r}).")
    return a_min, a_max, b_min, b_max


def check_arguments(args: argparse.Namespace) -> None:
    if min(args.steps - 1, args.resolution - 5, args.tol, args.pretrain or 0, args.frames) < 0:
        raise ConfigError("need --steps >= 1, --resolution >= 5 and --tol, --pretrain, --frames >= 0.")
    if args.train and args.directions:
        raise ConfigError(
            "--train (exact mode) and --directions (projection mode) exclude each other; pick one."
        )
    if args.directions == "pca" and (args.x0 is not None or args.y0 is not None):
        raise ConfigError(
            "--x0/--y0 set the start of the trained pair (--train) or a random plane's coordinates; "
            "the principal plane is found from the paths, so it has none."
        )
    if args.out.exists() and not args.out.is_dir():
        raise ConfigError(
            f"--out {args.out} is a file; give a directory for paths.png, journey.gif, paths.json."
        )


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


def run(args: argparse.Namespace) -> Landscape:
    check_arguments(args)
    image_size(args.size)  # a bad --size fails before any run
    bounds = window(args.window)
    objective = build_objective(args.objective, dict(parse_assignment(t) for t in args.assignments))
    pair = trained_pair(args, objective)
    study = STUDIES.get(args.objective) if pair is not None else None
    pretrain = args.pretrain if args.pretrain is not None else (study.pretrain if study else 0)
    base = pretrained_point(objective, pretrain, args.seed)
    if pair is not None:
        plane = parameter_plane(base, *pair)
        studied = study is not None and pair == study.train
        if studied:
            plane = replace(plane, labels=study.labels)
        default_start = study.start if studied else (base[pair[0]], base[pair[1]])
        start = np.array(
            [
                default_start[0] if args.x0 is None else args.x0,
                default_start[1] if args.y0 is None else args.y0,
            ]
        )
        traced = restrict(objective, pair, plane.points(start[0], start[1]))
        embed = traced.embed
        mode = "exact"
    else:
        rng = np.random.default_rng(args.seed)
        plane = random_plane(objective, base, rng) if args.directions == "random" else None
        start = base if plane is None else plane.points(np.array(args.x0 or 0.0), np.array(args.y0 or 0.0))
        traced, embed, mode = objective, (lambda points: points), "projection"
    listed = args.optimizers or default_optimizers(traced)
    names = [n.strip() for n in listed.split(",") if n.strip()]
    for name in names:
        optimizer_for(name)  # unknown names fail before any run
    paths = trace_paths(traced, names, start, args.steps, args.tol, args.lr, args.damping, args.seed)
    if plane is None:
        plane = pca_plane(start, np.concatenate([p.points for p in paths]))
    for p in paths:
        full = embed(p.points)
        p.coordinates, p.off_plane = plane.project(full), plane.distance(full)
    view = choose_view(paths, bounds)
    surface = loss_surface(objective, plane, view.bounds, args.resolution, args.seed)
    title = figure_title(args.objective, mode, objective.dim, pair, paths, pretrain, args.directions)
    return Landscape(mode, objective, traced, plane, paths, surface, view, title)


def figure_title(
    name: str,
    mode: str,
    dim: int,
    pair: tuple[int, int] | None,
    paths: Sequence[TracedPath],
    pretrain: int,
    directions: str | None,
) -> str:
    count = f"{len(paths)} optimizers"
    if mode == "exact":
        held = f"the other {dim - 2} held" if dim > 2 else "all parameters trained"
        trained = f" after {pretrain} Adam steps" if pretrain and dim > 2 else ""
        start = ", ".join(f"{v:.3g}" for v in paths[0].points[0])
        return f"{name}: {count} train θ[{pair[0]}], θ[{pair[1]}] from ({start}); {held}{trained}"
    plane = "a random filter-normalised plane" if directions == "random" else "the paths' principal plane"
    return f"{name}: {count} train all {dim} parameters; paths projected onto {plane}"


def caption(landscape: Landscape) -> str:
    scale = "log colour scale" if landscape.surface.log_scale else "linear colour scale"
    if landscape.mode == "exact":
        return f"Exact: the colours are the loss every path walks on ({scale})."
    return (
        f"Projected: colours are the loss ON the plane, not along the paths ({scale});\n"
        f"the legend gives each path's largest distance off the plane."
    )


def json_number(value: float) -> float | None:
    """Strict JSON has no NaN or infinity: a diverged loss is written as null."""
    return float(value) if np.isfinite(value) else None


def record(landscape: Landscape, pair: tuple[int, int] | None) -> dict:
    return {
        "mode": landscape.mode,
        "train": list(pair) if pair else None,
        "labels": list(landscape.plane.labels),
        "start": landscape.paths[0].coordinates[0].tolist(),
        "bounds": list(landscape.view.bounds),
        "log_scale": landscape.surface.log_scale,
        "paths": {
            p.name: {
                "coordinates": p.coordinates.tolist(),
                "losses": [json_number(v) for v in p.losses],
                "final_loss": json_number(p.final_loss),
                "steps": p.steps,
                "status": p.status,
                "message": p.message,
                "off_plane": float(p.off_plane.max()),
                "reach": landscape.view.reach[p.name],
                "clipped": p.name in landscape.view.clipped,
            }
            for p in landscape.paths
        },
    }


def write_outputs(landscape: Landscape, args: argparse.Namespace) -> None:
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the output directory --out {args.out}: {exc.strerror}.") from None
    layout = Layout(image_size(args.size), 100, landscape.plane.labels, landscape.title, caption(landscape))
    save_png(landscape.paths, landscape.surface, landscape.view, layout, args.out / "paths.png")
    if args.frames:
        gif = args.out / "journey.gif"
        save_gif(landscape.paths, landscape.surface, landscape.view, layout, gif, args.frames)
    pair = tuple(int(i) for i in landscape.traced.indices) if landscape.mode == "exact" else None
    write_text(args.out / "paths.json", json.dumps(record(landscape, pair)) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        landscape = run(args)
        write_outputs(landscape, args)
    except ZerothQError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'optimizer':<16s} {'steps':>6s} {'start loss':>12s} {'final loss':>12s}  status")
    for p in landscape.paths:
        note = " (clipped in the figure)" if p.name in landscape.view.clipped else ""
        print(f"{p.name:<16s} {p.steps:>6d} {p.start_loss:>12.5g} {p.final_loss:>12.5g}  {p.status}{note}")
    written = "paths.png, journey.gif, paths.json" if args.frames else "paths.png, paths.json"
    print(f"written to {args.out}/{written}")
    return 0
