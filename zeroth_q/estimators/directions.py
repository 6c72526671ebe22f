"""Random perturbation directions, regenerated from a seed instead of stored.

SPSA with ``T`` directions in ``P`` dimensions needs the directions twice: to build the
``2T`` perturbed points, and again to form ``ĝ = Σ_t w_t Δ_t``. Keeping them would cost
``T × P`` floats beside the batch itself (for the MLP, ``T=100`` and ``P=10^5`` is 80 MB);
instead the estimator keeps one integer seed and regenerates the same directions in
chunks of bounded size, so its own memory does not grow with ``T × P``.

One stream, blocks of fixed size: direction ``t`` is made from words
``[t·m, (t+1)·m)`` of one PCG64 stream of 64-bit words (``m`` depends only on ``P`` and
the distribution), so the directions do not depend on how a consumer groups them into
chunks, and an objective that fills its own buffers (:class:`~zeroth_q.objective.Perturbations`)
gets exactly the vectors the generic path materializes.

Distributions, all with ``E[Δ] = 0`` and symmetric, so that the odd moments vanish and the
two- and one-sided estimators are unbiased on quadratics:

* ``rademacher``: ``Δ_i = ±1`` (Spall 1992), ``E[ΔΔᵀ] = I`` and ``Δ⁻¹ = Δ``; one random
  *bit* per coordinate (``m = ⌈P/64⌉``), ``Δ_i = 1 - 2·bit_i``, so drawing them costs a
  64th of a word per coordinate and they are exact in every float type.
* ``gaussian``: ``Δ ~ N(0, I)``, Gaussian smoothing (Nesterov & Spokoiny 2017), by the
  Box-Muller transform (Box & Muller 1958) of ``2m`` uniforms ``u = μ·2⁻²⁴`` of 24 bits, ``μ``
  the top 24 bits of each 32-bit half of a word (``m = ⌈P/2⌉`` words): with
  ``r_i = sqrt(-2 ln(1 - u_i))``, ``Δ_i = r_i cos 2πu_{m+i}`` and ``Δ_{m+i} = r_i sin 2πu_{m+i}``
  (the last one dropped when ``P`` is odd). These are exactly NumPy's
  ``Generator.random(dtype=float32)`` uniforms on the same words, made from the raw words by
  whole-array shifts (26 % less time for them than the generator's per-value loop, where
  drawing them was 57 % of a Gaussian direction). ``u`` is exact in every precision, so float32
  directions equal the float64 ones to float32 precision; ``|Δ_i| ≤ sqrt(48 ln 2) = 5.77`` (a
  normal exceeds it with probability 8·10⁻⁹), harmless for smoothing.
* ``sphere``: ``Δ`` uniform on the unit sphere (the Gaussian direction normalized),
  ``E[ΔΔᵀ] = I/P`` (Flaxman et al. 2005; used by ZO-signSGD, Liu et al. 2019, and ZO-AdaMM,
  Chen et al. 2019); estimators scale by ``P`` to compensate, see :func:`second_moment_scale`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Literal

import numpy as np

from zeroth_q.errors import ConfigError

Distribution = Literal["rademacher", "gaussian", "sphere"]
DISTRIBUTIONS: tuple[str, ...] = ("rademacher", "gaussian", "sphere")

_CHUNK_ELEMENTS = 1 << 20


class Workspace:
    """Buffers reused from step to step (one flat array per name and dtype, grown when too small)."""

    def __init__(self) -> None:
        self._flat: dict[tuple[str, np.dtype], np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
        size, dtype = math.prod(shape), np.dtype(dtype)
        flat = self._flat.get((name, dtype))
        if flat is None or flat.size < size:
            flat = self._flat[(name, dtype)] = np.empty(size, dtype=dtype)
        return flat[:size].reshape(shape)


class DirectionStream:
    """The directions ``Δ_0, Δ_1, ...`` of one seed, drawn in order in blocks of any size.

    ``fill(parts)`` writes the next ``k`` directions, where ``parts`` are arrays of leading
    dimension ``k`` whose trailing sizes add up to ``dim``, in parameter order: a consumer
    with its own memory layout (the MLP keeps the first layer's directions as
    ``(fan_in, k, fan_out)`` for one GEMM) receives the values there with no extra copy.
    ``dtype`` is the precision of the values written; ``workspace`` (the caller's, reused from
    step to step) holds the Gaussian draw's temporaries.
    """

    def __init__(
        self,
        seed: int,
        dim: int,
        distribution: Distribution,
        dtype: np.dtype | type = np.float64,
        workspace: Workspace | None = None,
    ):
        if distribution not in DISTRIBUTIONS:
            choices = ", ".join(DISTRIBUTIONS)
            raise ConfigError(f"distribution must be one of {choices}, got {distribution!r}.")
        self.dim = dim
        self.distribution = distribution
        self.dtype = np.dtype(dtype)
        self.words = -(-dim // 64) if distribution == "rademacher" else -(-dim // 2)
        self._bits = np.random.PCG64(seed)
        self._workspace = Workspace() if workspace is None else workspace

    def fill(self, parts: Sequence[np.ndarray]) -> None:
        """Write the next ``k = parts[0].shape[0]`` directions into ``parts``."""
        count = parts[0].shape[0]
        if self.distribution == "rademacher":
            raw = self._bits.random_raw(count * self.words).reshape(count, self.words)
            signs = np.unpackbits(raw.view(np.uint8), axis=1, bitorder="little")
            signs += signs  # 0 or 2, and as int8 1 - 2·bit = ±1: two passes over bytes, one cast
            np.subtract(np.uint8(1), signs, out=signs)
            for part, block in _split(signs.view(np.int8), parts):
                np.copyto(part, block, casting="unsafe")
            return
        mantissas = self._bits.random_raw(count * self.words).view(np.uint32).reshape(count, 2 * self.words)
        np.right_shift(mantissas, 8, out=mantissas)  # μ, the top 24 bits of each half-word
        # The Box-Muller passes run in buffers kept from call to call: a fresh (k, P) array per
        # step is a fresh mapping whose pages fault on first touch, which took two thirds of a
        # sphere draw at T = 50, P = 7,850 (2.9 ms, 0.9 ms in reused buffers; issue 29).
        uniforms = self._workspace.get("directions.uniforms", mantissas.shape, self.dtype)
        # μ < 2²⁴ as int32 (the same bits): NumPy converts int32 to floats with SIMD, uint32 not
        # (36 µs vs 100 µs for 392,500 values with the scaling below). Both scalings are exact
        # or round once as u·2π did: u = μ·2⁻²⁴ exactly, and μ·(2π·2⁻²⁴) is u·2π scaled by a power
        # of two, so the angles equal the former u·2π bit for bit, one pass fewer.
        np.copyto(uniforms, mantissas.view(np.int32), casting="unsafe")
        uniforms[:, : self.words] *= self.dtype.type(2.0**-24)
        uniforms[:, self.words :] *= self.dtype.type(2 * np.pi) * self.dtype.type(2.0**-24)
        # One contiguous (k, dim) part and an even dim: the values are computed in place.
        direct = len(parts) == 1 and parts[0].shape == mantissas.shape and parts[0].flags.c_contiguous
        values = parts[0] if direct else self._workspace.get("directions.values", mantissas.shape, self.dtype)
        squared_radii = _box_muller(uniforms, values)
        inverse_norms = np.ones(count, dtype=self.dtype)
        if self.distribution == "sphere":
            # |Δ|² = Σ_i r_i² (cos² + sin²) = Σ_i r_i², less the sine dropped when P is odd: a sum
            # over the P/2 radii already computed, not a pass over the P values (that pass was a
            # fifth of a sphere draw at T = 50, P = 7,850; issue 29).
            if self.dim % 2:
                squared_radii -= values[:, -1].astype(np.float64) ** 2
            inverse_norms = (1 / np.sqrt(squared_radii)).astype(self.dtype)
        if direct:
            if self.distribution == "sphere":
                values *= inverse_norms[:, None]
            return
        for part, block in _split(values, parts):
            np.multiply(block, inverse_norms.reshape(-1, *[1] * (part.ndim - 1)), out=part)

    def block(self, count: int) -> np.ndarray:
        """The next ``count`` directions as one ``(count, dim)`` array."""
        out = np.empty((count, self.dim), dtype=self.dtype)
        self.fill([out])
        return out


def _split(values: np.ndarray, parts: Sequence[np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pair each part with its columns of ``values: (k, ≥ dim)``, reshaped to the part's shape."""
    start = 0
    for part in parts:
        width = math.prod(part.shape[1:])
        yield part, values[:, start : start + width].reshape(part.shape)
        start += width


def _box_muller(uniforms: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Standard normals from ``(k, 2m)`` uniforms in ``[0, 1)`` (overwritten): the first ``m``
    give the radii, the last ``m`` the angles (already times 2π); cosines fill columns
    ``0..m-1`` of ``out``, sines ``m..2m-1`` (contiguous halves, so the transcendental functions
    run vectorized). Returns each row's ``Σ_i r_i²`` (float64), its squared norm."""
    words = uniforms.shape[1] // 2
    dtype = uniforms.dtype
    radius, angle = uniforms[:, :words], uniforms[:, words:]
    np.subtract(dtype.type(1), radius, out=radius)  # in (0, 1]: the log is finite
    np.log(radius, out=radius)
    radius *= dtype.type(-2)
    squared_radii = radius.sum(axis=1, dtype=np.float64)
    np.sqrt(radius, out=radius)
    np.cos(angle, out=out[:, :words])
    np.sin(angle, out=out[:, words:])
    out[:, :words] *= radius
    out[:, words:] *= radius
    return squared_radii


def direction_chunks(
    seed: int, count: int, dim: int, distribution: Distribution, dtype: np.dtype | type = np.float64
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, block)`` with ``block`` the directions ``start .. start+len(block)``.

    The same ``(seed, count, dim, distribution)`` always yields the same directions, in
    blocks of at most about 2^20 numbers.
    """
    stream = DirectionStream(seed, dim, distribution, dtype)
    rows = max(1, _CHUNK_ELEMENTS // max(dim, 1))
    for start in range(0, count, rows):
        yield start, stream.block(min(rows, count - start))


def directions(seed: int, count: int, dim: int, distribution: Distribution) -> np.ndarray:
    """All ``count`` directions as one ``(count, dim)`` array (for methods that keep a
    ``dim × dim`` matrix anyway, such as 2-SPSA)."""
    return np.concatenate([block for _, block in direction_chunks(seed, count, dim, distribution)])


def second_moment_scale(distribution: Distribution, dim: int) -> float:
    """The factor ``s`` with ``s · E[ΔΔᵀ] = I``: ``P`` for the sphere, 1 otherwise."""
    return float(dim) if distribution == "sphere" else 1.0
