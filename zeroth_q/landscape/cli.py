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
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from zeroth_q.atomic import write_text
from zeroth_q.config import require_memory
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.landscape.drawing import Layout, save_gif, save_png
from zeroth_q.landscape.study import Landscape, compute
from zeroth_q.landscape.tracing import EVALUATION_ONLY_OPTIMIZERS, GRADIENT_OPTIMIZERS
from zeroth_q.landscape.view import Bounds
from zeroth_q.runs.arguments import ArgumentParser, failure_exit_code


def parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
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


# Bytes the contour holds per grid point: the two coordinate grids, the (N, 2) coordinates,
# the values and matplotlib's contour arrays, in float64.
GRID_BYTES = 10 * 8
# Bytes per pixel: the RGBA canvas and the PNG encoder's copy of it.
IMAGE_BYTES = 2 * 4
# journey.gif: Pillow holds every RGBA frame until the file is written; at about 0.1 s a
# frame, 1,000 frames are 100 s of drawing and a GIF longer than anyone watches.
GIF_FRAME_BYTES = 4
MAX_FRAMES = 1000


def check_arguments(args: argparse.Namespace) -> None:
    if min(args.steps - 1, args.resolution - 5, args.pretrain or 0, args.frames) < 0:
        raise ConfigError("need --steps >= 1, --resolution >= 5 and --tol, --pretrain, --frames >= 0.")
    for flag in ("tol", "x0", "y0", "lr", "damping"):
        value = getattr(args, flag)
        if value is not None and not math.isfinite(value):
            raise ConfigError(f"--{flag} must be a finite number (got {value}).")
    if (
        args.tol < 0
        or (args.lr is not None and args.lr <= 0)
        or (args.damping is not None and args.damping < 0)
    ):
        raise ConfigError("need --tol >= 0, --lr > 0 and --damping >= 0.")
    if args.optimizers is not None and not optimizer_names(args.optimizers):
        raise ConfigError(
            f"--optimizers takes comma-separated optimizer names, e.g. --optimizers adam,spsa (got "
            f"{args.optimizers!r})."
        )
    if args.frames > MAX_FRAMES:
        raise ConfigError(
            f"--frames {args.frames} is more than {MAX_FRAMES:,} (about 0.1 s each to draw, and a GIF "
            f"longer than anyone watches); give at most {MAX_FRAMES:,}."
        )
    if args.seed < 0:
        raise ConfigError(f"need --seed >= 0 (got {args.seed}).")
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
    blocker = next((p for p in args.out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():  # refused now, not after the whole computation
        raise ConfigError(f"cannot create the output directory --out {args.out}: {blocker} is a file.")


def optimizer_names(text: str) -> list[str]:
    """The names in ``--optimizers a,b``, blanks dropped."""
    return [name.strip() for name in text.split(",") if name.strip()]


def check_memory(args: argparse.Namespace) -> None:
    """Refuse a contour grid, an image or an animation that cannot fit in memory, before the
    optimizers run (each is what the option multiplies)."""
    width, height = image_size(args.size)
    require_memory(
        GRID_BYTES * args.resolution**2,
        f"--resolution {args.resolution}: the {args.resolution:,} x {args.resolution:,} loss grid",
        "lower --resolution (60 is the default)",
    )
    require_memory(
        IMAGE_BYTES * width * height, f"--size {args.size}: a {width:,} x {height:,} image", "lower --size"
    )
    frames = min(args.frames, args.steps + 1)
    require_memory(
        GIF_FRAME_BYTES * frames * width * height,
        f"--frames {args.frames}: journey.gif's {frames:,} frames of {width:,} x {height:,} pixels",
        "lower --frames or --size, or write no GIF (--frames 0)",
    )


def run(args: argparse.Namespace) -> Landscape:
    """Check the options (all of them, before anything runs), then compute the landscape."""
    check_arguments(args)
    check_memory(args)
    return compute(args, window(args.window))


def json_number(value: float) -> float | None:
    """Strict JSON has no NaN or infinity: a diverged loss is written as null."""
    return float(value) if np.isfinite(value) else None


def record(landscape: Landscape) -> dict:
    """``paths.json``: every path's plane coordinates and recorded losses, and the view."""
    return {
        "mode": landscape.mode,
        "train": list(landscape.train) if landscape.train else None,
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
    layout = Layout(image_size(args.size), 100, landscape.plane.labels, landscape.title, landscape.caption)
    save_png(landscape.paths, landscape.surface, landscape.view, layout, args.out / "paths.png")
    if args.frames:
        gif = args.out / "journey.gif"
        save_gif(landscape.paths, landscape.surface, landscape.view, layout, gif, args.frames)
    write_text(args.out / "paths.json", json.dumps(record(landscape)) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        landscape = run(args)
        write_outputs(landscape, args)
    except (ZerothQError, OSError) as exc:
        return failure_exit_code(exc)
    print(f"{'optimizer':<16s} {'steps':>6s} {'start loss':>12s} {'final loss':>12s}  status")
    for p in landscape.paths:
        note = " (clipped in the figure)" if p.name in landscape.view.clipped else ""
        print(f"{p.name:<16s} {p.steps:>6d} {p.start_loss:>12.5g} {p.final_loss:>12.5g}  {p.status}{note}")
    written = "paths.png, journey.gif, paths.json" if args.frames else "paths.png, paths.json"
    print(f"written to {args.out}/{written}")
    return 0
