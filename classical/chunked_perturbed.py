"""Described perturbations ``θ ± c·Δ_t`` evaluated by materializing a few directions at a time.

For a network whose cost is in its later layers (a CNN: the second convolution of every
perturbed network is its own product), the linearity trick of :mod:`classical.perturbed`
saves little; what matters is memory. The generic path (``evaluate`` of the whole ``(B, P)``
batch) holds the points in float64 plus a copy in the compute dtype: for ``T = 10``
two-sided at ``P = 2.5M``, 430 MB + 215 MB before any activation. Here the directions are
regenerated from the seed in chunks of ``k`` (:class:`~zeroth_q.estimators.directions.DirectionStream`,
the same vectors in any chunking), each chunk's ``sides·k`` points are built in reused buffers
of the compute dtype and evaluated in one call, and ``Σ_t (f⁺_t - f⁻_t) Δ_t`` is accumulated
from the same buffer (one GEMV per chunk). ``k`` is the most directions whose buffers fit the
byte budget, at least one: then the peak is the direction, its ``sides`` points, ``θ`` in the
compute dtype and the float64 combination (``≈ 5·P`` float32 numbers two-sided), plus the
activations of the ``sides`` networks, whatever ``T`` (the MeZO regime, Malladi et al. 2023).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zeroth_q.estimators.directions import DirectionStream, Workspace
from zeroth_q.objective import Perturbations

# Values per coordinate held while a direction is drawn, beyond the direction itself:
# Gaussian and sphere directions go through Box-Muller temporaries (:mod:`classical.perturbed`).
_DRAW_OVERHEAD = {"rademacher": 0, "gaussian": 3, "sphere": 3}


def chunk_size(dim: int, perturbations: Perturbations, dtype: np.dtype, memory_bytes: int) -> int:
    """Directions per chunk: as many as fit ``memory_bytes`` with their points, in 1..T."""
    sides = 2 if perturbations.two_sided else 1
    per_direction = dim * dtype.itemsize * (1 + sides + _DRAW_OVERHEAD[perturbations.distribution])
    return int(np.clip(memory_bytes // per_direction, 1, perturbations.count))


def perturbed_losses(
    losses: Callable[[np.ndarray], np.ndarray],
    theta: np.ndarray,
    perturbations: Perturbations,
    dtype: np.dtype,
    workspace: Workspace,
    memory_bytes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The values at the described points (row order of :class:`~zeroth_q.objective.Perturbations`)
    and the float64 combination ``Σ_t (f(θ + cΔ_t) - f_t^-) Δ_t``.

    losses: maps points ``(R, P)`` in ``dtype`` to their ``R`` loss values on ONE fixed
        mini-batch (the caller draws it once: common random numbers across all chunks).
    Points are formed as ``(±c)·Δ_t + θ`` in ``dtype``: in float64 bit-for-bit the generic
    path's ``θ ± c·Δ_t``.
    """
    seed, count, distribution, c, two_sided, center = perturbations
    dim, sides = theta.size, 2 if two_sided else 1
    base = theta.astype(dtype, copy=False)
    values = np.empty(perturbations.rows)
    combination = np.zeros(dim)
    if center:
        values[-1] = losses(base[None, :])[0]
    stream = DirectionStream(seed, dim, distribution, dtype, workspace)
    k = chunk_size(dim, perturbations, dtype, memory_bytes)
    for start in range(0, count, k):
        size = min(k, count - start)
        directions = workspace.get("directions", (size, dim), dtype)
        stream.fill([directions])
        points = workspace.get("points", (sides * size, dim), dtype)
        for side, scale in enumerate((c, -c)[:sides]):
            block = points[side * size : (side + 1) * size]
            np.multiply(directions, dtype.type(scale), out=block)
            block += base
        chunk_values = losses(points)
        values[start : start + size] = chunk_values[:size]
        if two_sided:
            values[count + start : count + start + size] = chunk_values[size:]
        differences = chunk_values[:size] - (chunk_values[size:] if two_sided else values[-1])
        combination += differences.astype(dtype) @ directions
    return values, combination
