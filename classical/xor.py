"""XOR-2D: points of a square grid in [-1, 1]², labelled ``sign(x) XOR sign(y)``.

The smallest problem a linear model cannot solve (Minsky & Papert 1969) and that a tiny
MLP can: small enough to evaluate the loss densely along a path between two optimizers'
iterates. The grids have an even number of points per
axis so that no point lies on an axis, where the label would be undefined.
"""

from __future__ import annotations

import numpy as np

from classical.examples import Examples


def xor_grid(points_per_axis: int) -> Examples:
    """The ``points_per_axis²`` grid points with label 1 where exactly one coordinate is positive."""
    if points_per_axis < 2 or points_per_axis % 2:
        raise ValueError(f"points per axis must be even and at least 2, got {points_per_axis}.")
    axis = np.linspace(-1.0, 1.0, points_per_axis)
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    inputs = np.stack([xs.ravel(), ys.ravel()], axis=1)
    labels = ((inputs[:, 0] > 0) != (inputs[:, 1] > 0)).astype(np.int64)
    return Examples(inputs, labels)
