"""An MLP evaluated at ``θ ± c·Δ_t`` for T described directions, near the GEMM floor.

SPSA's ``2T`` (or ``T + 1``) networks differ from ``θ`` only by ``c·Δ_t``, and the first
layer's input ``x`` is the same for all of them, so by linearity

    x (W₁ ± cΔW₁) + (b₁ ± cΔb₁) = (x W₁ + b₁) ± c (x ΔW₁ + Δb₁).

``x W₁`` is computed once, and ``x ΔW₁`` for all ``k`` directions of a chunk is ONE GEMM
``x · [ΔW₁⁽¹⁾ | … | ΔW₁⁽ᵏ⁾]`` (``N × d`` by ``d × k·h``): the directions' first-layer blocks
are drawn straight into a ``(d, k, h)`` buffer, i.e. concatenated along the output axis.
Two-sided evaluation therefore costs the first layer ``T`` products, not ``2T``. Later
layers (small in an MNIST MLP) run as stacked products over the ``2k`` perturbed networks.

The gradient combination ``Σ_t (f⁺_t - f⁻_t) Δ_t`` is formed chunk by chunk from the same
buffers while they hold the directions (a GEMV each), so the directions are drawn once per
step (Rademacher: one random bit per coordinate, :mod:`zeroth_q.estimators.directions`).

Memory does not grow with ``T × P``: directions are processed in chunks of ``k`` with
``k·P`` values within a byte budget (default 256 MB), and ``k`` is no larger than needed
for the GEMM to be wide (``k·h ≥`` :data:`TARGET_COLUMNS`). For very large ``P`` this gives
``k = 1``: each direction is regenerated from the seed, used and dropped, the MeZO scheme
(Malladi et al. 2023, "Fine-tuning language models with just forward passes"), with peak
memory the direction, the float64 combination and the activations, whatever ``T`` (the
float64 ``θ`` is never copied: ``x W₁`` is computed from it directly). Unlike MeZO, ``θ`` is
not perturbed in place and restored: the perturbation enters through ``x ΔW₁`` and, for
later layers, through scratch copies, so ``θ`` is bit-for-bit unchanged.
"""

from __future__ import annotations

import numpy as np

from classical.losses import Loss
from classical.mlp import MLP
from zeroth_q.estimators.directions import DirectionStream
from zeroth_q.objective import Perturbations

TARGET_COLUMNS = 2048  # first-layer GEMM width k·h beyond which larger chunks buy no speed
DEFAULT_MEMORY_BYTES = 256 * 2**20


class Workspace:
    """Buffers reused from step to step (one flat array per name, grown when too small)."""

    def __init__(self) -> None:
        self._flat: dict[tuple[str, np.dtype], np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        size = int(np.prod(shape))
        flat = self._flat.get((name, dtype))
        if flat is None or flat.size < size:
            flat = self._flat[(name, dtype)] = np.empty(size, dtype=dtype)
        return flat[:size].reshape(shape)


def chunk_size(network: MLP, perturbations: Perturbations, dtype: np.dtype, memory_bytes: int) -> int:
    """Directions per chunk: all ``T`` if they fit ``memory_bytes`` and the first-layer GEMM
    would not be wider than :data:`TARGET_COLUMNS`, else fewer, never less than one.
    Gaussian and sphere directions need about 3 more values per coordinate while drawn."""
    per_direction = network.dim * dtype.itemsize * (1 if perturbations.distribution == "rademacher" else 4)
    width = network.sizes[1]
    by_memory = max(1, memory_bytes // per_direction)
    by_width = max(1, -(-TARGET_COLUMNS // width))
    return int(min(perturbations.count, by_memory, by_width))


def _later_layers(
    network: MLP,
    a: np.ndarray,
    tail: np.ndarray,
    directions: np.ndarray | None,
    scale: np.ndarray,
    workspace: Workspace,
) -> np.ndarray:
    """Layers 2..L of ``a.shape[0]`` networks on their first-layer pre-activations ``a``.

    ``tail`` holds ``θ`` after the first layer's weights (``b₁, W₂, b₂, …``); network ``i``
    uses ``tail + scale[i]·directions[i % k]`` (``directions: (k, len(tail))``, or ``None``
    for ``θ`` itself), so ``scale = [+c]*k + [-c]*k`` gives the two-sided batch.
    """
    head = network.layer_offsets[0][3]
    rows = a.shape[0]
    for start, fan_in, fan_out, bias in network.layer_offsets[1:]:
        network.activation.apply_(a)
        w_at, b_at = slice(start - head, bias - head), slice(bias - head, bias - head + fan_out)
        weights = workspace.get(f"weights{start}", (rows, fan_in, fan_out), a.dtype)
        biases = workspace.get(f"biases{start}", (rows, 1, fan_out), a.dtype)
        weights[...] = tail[w_at].reshape(fan_in, fan_out)
        biases[...] = tail[b_at]
        if directions is not None:
            k = directions.shape[0]
            for side in range(rows // k):
                rows_of_side = slice(side * k, (side + 1) * k)
                weights[rows_of_side] += scale[side * k] * directions[:, w_at].reshape(k, fan_in, fan_out)
                biases[rows_of_side, 0] += scale[side * k] * directions[:, b_at]
        a = np.matmul(a, weights)
        a += biases
    return a


def perturbed_losses(
    network: MLP,
    loss: Loss,
    x: np.ndarray,
    labels: np.ndarray,
    theta: np.ndarray,
    perturbations: Perturbations,
    workspace: Workspace,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> tuple[np.ndarray, np.ndarray]:
    """The values (row order of :class:`~zeroth_q.objective.Perturbations`) and the
    combination ``Σ_t (f⁺_t - f⁻_t) Δ_t`` (float64), computed in ``x.dtype``."""
    dtype = x.dtype
    seed, count, distribution, c, two_sided, center = perturbations
    _, fan_in, width, head = network.layer_offsets[0]
    sides = 2 if two_sided else 1
    tail = theta[head:].astype(dtype)
    base = (x.astype(np.float64) @ theta[:head].reshape(fan_in, width)).astype(dtype)
    base += tail[:width]
    values = np.empty(perturbations.rows)
    combination = np.zeros(network.dim)
    if center:
        centre = _later_layers(network, base[None].copy(), tail, None, np.zeros(1, dtype), workspace)
        values[-1] = loss.value(centre, labels)[0]
    stream = DirectionStream(seed, network.dim, distribution, dtype)
    k = chunk_size(network, perturbations, dtype, memory_bytes)
    for start in range(0, count, k):
        kk = min(k, count - start)
        first = workspace.get("first", (fan_in, kk, width), dtype)
        rest = workspace.get("rest", (kk, tail.size), dtype)
        stream.fill([first.transpose(1, 0, 2), rest])
        shifts = (x @ first.reshape(fan_in, kk * width)).reshape(len(x), kk, width).transpose(1, 0, 2)
        shifts = shifts + rest[:, None, :width]  # x ΔW₁ + Δb₁ of each direction, (kk, N, h)
        scale = np.repeat(np.array([c, -c][:sides], dtype=dtype), kk)
        pre = workspace.get("pre", (sides * kk, len(x), width), dtype)
        for side in range(sides):
            np.multiply(shifts, scale[side * kk], out=pre[side * kk : (side + 1) * kk])
        pre += base
        outputs = _later_layers(network, pre, tail, rest, scale, workspace)
        chunk_values = loss.value(outputs, labels)
        values[start : start + kk] = chunk_values[:kk]
        if two_sided:
            values[count + start : count + start + kk] = chunk_values[kk:]
        differences = chunk_values[:kk] - (chunk_values[kk:] if two_sided else values[-1])
        _accumulate(combination, head, first, rest, differences.astype(dtype))
    return values, combination


def _accumulate(
    combination: np.ndarray, head: int, first: np.ndarray, rest: np.ndarray, weights: np.ndarray
) -> None:
    """``combination += Σ_t weights_t Δ_t`` from the chunk's buffers: one GEMV per buffer.
    With one direction the buffers are scaled in place (they are refilled next chunk), so no
    ``P``-sized temporary is made (the MeZO regime)."""
    if weights.size == 1:
        first *= weights[0]
        rest *= weights[0]
        combination[:head] += first.reshape(-1)
        combination[head:] += rest[0]
        return
    combination[:head] += np.matmul(weights, first).reshape(-1)
    combination[head:] += weights @ rest
