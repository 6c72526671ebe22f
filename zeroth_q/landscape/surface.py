"""The loss on a grid of a plane: what the contour shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zeroth_q.landscape.planes import Plane
from zeroth_q.objective import Objective

CHUNK_ELEMENTS = 2**24  # parameters per evaluate call (128 MB of float64): bounds a grid's memory
LOG_SCALE_DECADES = 1.5  # colour the loss on a log scale when it spans this many decades


@dataclass(frozen=True)
class Surface:
    """``values[r, c]`` is the loss at plane coordinates ``(a[r, c], b[r, c])`` (non-finite
    where the objective overflowed)."""

    a: np.ndarray
    b: np.ndarray
    values: np.ndarray

    @property
    def finite(self) -> np.ndarray:
        return self.values[np.isfinite(self.values)]

    @property
    def decades(self) -> float:
        """``log10(max / min)`` of a positive loss; 0 when some loss is 0 or negative."""
        finite = self.finite
        return float(np.log10(finite.max() / finite.min())) if finite.size and finite.min() > 0 else 0.0

    @property
    def log_scale(self) -> bool:
        """A positive loss spanning ``LOG_SCALE_DECADES`` or more: on a linear scale the
        whole valley the optimizers end in would be one colour."""
        return self.decades >= LOG_SCALE_DECADES


def loss_on_plane(
    objective: Objective, plane: Plane, coordinates: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The loss at plane coordinates ``(N, 2)``, evaluated in chunks of at most
    ``CHUNK_ELEMENTS`` parameters (an MNIST network's 60² grid would be 3 GB at once)."""
    rows = max(1, CHUNK_ELEMENTS // plane.origin.size)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.concatenate(
            [
                objective.evaluate(plane.points(chunk[:, 0], chunk[:, 1]), rng).values
                for chunk in np.array_split(coordinates, max(1, -(-len(coordinates) // rows)))
            ]
        )


def loss_surface(
    objective: Objective,
    plane: Plane,
    bounds: tuple[float, float, float, float],
    resolution: int,
    seed: int,
) -> Surface:
    """The loss on a ``resolution × resolution`` grid of the plane over ``bounds``
    ``(a_min, a_max, b_min, b_max)``; random draws (mini-batches, shots) from ``seed``."""
    a, b = np.meshgrid(
        np.linspace(bounds[0], bounds[1], resolution), np.linspace(bounds[2], bounds[3], resolution)
    )
    coordinates = np.stack([a.ravel(), b.ravel()], axis=1)
    values = loss_on_plane(objective, plane, coordinates, np.random.default_rng(seed))
    return Surface(a, b, values.reshape(a.shape))


def is_stochastic(objective: Objective, point: np.ndarray) -> bool:
    """Whether two evaluations of ``point`` on different random draws differ (mini-batches,
    shots): then each grid value of the contour is one draw, not the expected loss."""
    first, second = (
        objective.evaluate(point[None, :], np.random.default_rng(seed)).values[0] for seed in (1, 2)
    )
    return bool(first != second)
