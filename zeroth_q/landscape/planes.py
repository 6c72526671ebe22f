"""Planes through parameter space on which a landscape is drawn, and projections onto them.

A plane is ``θ(a, b) = origin + a·u + b·v``. Three kinds:

* the plane of two parameters ``(i, j)``: ``u = e_i``, ``v = e_j`` and the origin has zeros
  there, so ``(a, b)`` are the two parameters' values and every other parameter is the
  origin's. When only ``i`` and ``j`` are trained (exact mode) every path lies *in* this
  plane and its contour is the loss the optimizers walk on;
* two random directions with *filter normalisation* (Li, Xu, Taylor, Studer & Goldstein
  2018, "Visualizing the loss landscape of neural nets"): each direction is Gaussian,
  rescaled filter by filter (for an MLP: the incoming weights of each unit) to the norm
  of the same filter of the start, biases set to zero, so that distances on the plot are
  comparable across layers of different scale. Objectives expose their filters with
  ``filters() -> list of index arrays``; without it the whole direction is scaled to the
  norm of the start;
* the two principal directions of all iterates around the start (Li et al. §7 plot
  trajectories this way, since random directions in high dimension are nearly orthogonal
  to any path).

In the last two a path of a full-dimensional run leaves the plane: its projection shows
where it goes *along* the plane, the contour is the loss *on* the plane (Li et al. §6),
and :meth:`Plane.distance` says how far off the plane each iterate is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from zeroth_q.errors import ConfigError
from zeroth_q.objective import Objective


@runtime_checkable
class SupportsFilters(Protocol):
    def filters(self) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class Plane:
    """``θ(a, b) = origin + a·u + b·v``, with axis labels for the figure."""

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

    def distance(self, thetas: np.ndarray) -> np.ndarray:
        """Euclidean distance of each row of ``thetas`` from the plane."""
        coordinates = self.project(thetas)
        return np.linalg.norm(thetas - self.points(coordinates[:, 0], coordinates[:, 1]), axis=1)


def parameter_plane(start: np.ndarray, i: int, j: int) -> Plane:
    """The plane of parameters ``i`` and ``j`` through ``start``."""
    dim = start.size
    for index in (i, j):
        if not 0 <= index < dim:
            raise ConfigError(
                f"parameter index {index} is out of range: the objective has {dim} parameters (0..{dim - 1})."
            )
    if i == j:
        raise ConfigError("need two different parameter indices, e.g. --train 0,1.")
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
