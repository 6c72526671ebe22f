"""Which part of the plane to show: the region the paths that matter walk in.

One method running off (a Newton step of 200 units, a diverging SGD) must not shrink every
other path to a speck at the start. With the paths sorted by how far they reach from the
start, the first gap of more than ``EXCURSION`` times (over at least the minimum span)
separates the paths that matter from the *excursions*; the view is fitted to the former,
and an excursion is drawn clipped at the frame with the distance it reached in the legend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zeroth_q.landscape.tracing import TracedPath

EXCURSION = 5.0
MARGIN = 0.15
MINIMUM_SPAN = 1.0

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class View:
    """The axis limits ``(a_min, a_max, b_min, b_max)`` and how far each path reached from
    the start; ``clipped`` names the paths that leave the view."""

    bounds: Bounds
    reach: dict[str, float]
    clipped: frozenset[str]


def reach_from_start(path: TracedPath) -> float:
    return float(np.max(np.linalg.norm(path.coordinates - path.coordinates[0], axis=1)))


def fitted_bounds(
    coordinates: np.ndarray, margin: float = MARGIN, minimum_span: float = MINIMUM_SPAN
) -> Bounds:
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    centre = (low + high) / 2
    half = np.maximum((high - low) / 2 * (1 + 2 * margin), minimum_span / 2)
    return (
        float(centre[0] - half[0]),
        float(centre[0] + half[0]),
        float(centre[1] - half[1]),
        float(centre[1] + half[1]),
    )


def choose_view(paths: Sequence[TracedPath], window: Bounds | None = None) -> View:
    """Bounds around the paths that are not excursions, or ``window`` when the user gave one
    (then every path that leaves it is clipped)."""
    reach = {p.name: reach_from_start(p) for p in paths}
    threshold = excursion_threshold(sorted(reach.values()))
    kept = [p for p in paths if reach[p.name] <= threshold]
    bounds = window or fitted_bounds(np.concatenate([p.coordinates for p in kept]))
    clipped = frozenset(p.name for p in paths if not inside(p.coordinates, bounds))
    return View(bounds, reach, clipped)


def excursion_threshold(reaches: Sequence[float]) -> float:
    """The largest reach before the first gap of more than ``EXCURSION`` times (ascending)."""
    for near, far in zip(reaches, reaches[1:], strict=False):
        if far > EXCURSION * max(near, MINIMUM_SPAN):
            return near
    return reaches[-1]


def inside(coordinates: np.ndarray, bounds: Bounds) -> bool:
    a, b = coordinates[:, 0], coordinates[:, 1]
    return bool(np.all((a >= bounds[0]) & (a <= bounds[1]) & (b >= bounds[2]) & (b <= bounds[3])))
