"""Random perturbation directions, regenerated from a seed instead of stored.

SPSA with ``T`` directions in ``P`` dimensions needs the directions twice: to build the
``2T`` perturbed points, and again to form ``ĝ = Σ_t w_t Δ_t``. Keeping them would cost
``T × P`` floats beside the batch itself (for the MLP, ``T=100`` and ``P=10^5`` is 80 MB);
instead the estimator keeps one integer seed and regenerates the same directions in
chunks of bounded size, so its own memory does not grow with ``T × P``.

Distributions, all with ``E[Δ] = 0`` and symmetric, so that the odd moments vanish and the
two- and one-sided estimators are unbiased on quadratics:

* ``rademacher``: ``Δ_i = ±1`` (Spall 1992), ``E[ΔΔᵀ] = I`` and ``Δ⁻¹ = Δ``.
* ``gaussian``: ``Δ ~ N(0, I)``, Gaussian smoothing (Nesterov & Spokoiny 2017).
* ``sphere``: ``Δ`` uniform on the unit sphere, ``E[ΔΔᵀ] = I/P`` (Flaxman et al. 2005;
  used by ZO-signSGD, Liu et al. 2019, and ZO-AdaMM, Chen et al. 2019); estimators scale
  by ``P`` to compensate, see :func:`second_moment_scale`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np

Distribution = Literal["rademacher", "gaussian", "sphere"]
DISTRIBUTIONS: tuple[str, ...] = ("rademacher", "gaussian", "sphere")

_CHUNK_ELEMENTS = 1 << 20


def direction_chunks(
    seed: int, count: int, dim: int, distribution: Distribution
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, block)`` with ``block`` the directions ``start .. start+len(block)``.

    The same ``(seed, count, dim, distribution)`` always yields the same directions, in
    blocks of at most about 2^20 numbers.
    """
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_ELEMENTS // max(dim, 1))
    for start in range(0, count, rows):
        n = min(rows, count - start)
        if distribution == "rademacher":
            block = rng.integers(0, 2, size=(n, dim), dtype=np.int8).astype(float) * 2.0 - 1.0
        else:
            block = rng.standard_normal((n, dim))
            if distribution == "sphere":
                block /= np.linalg.norm(block, axis=1, keepdims=True)
        yield start, block


def directions(seed: int, count: int, dim: int, distribution: Distribution) -> np.ndarray:
    """All ``count`` directions as one ``(count, dim)`` array (for methods that keep a
    ``dim × dim`` matrix anyway, such as 2-SPSA)."""
    return np.concatenate([block for _, block in direction_chunks(seed, count, dim, distribution)])


def second_moment_scale(distribution: Distribution, dim: int) -> float:
    """The factor ``s`` with ``s · E[ΔΔᵀ] = I``: ``P`` for the sphere, 1 otherwise."""
    return float(dim) if distribution == "sphere" else 1.0
