"""An MLP evaluated at ``θ ± c·Δ_t`` for T described directions, near the GEMM floor.

SPSA's ``2T`` (or ``T + 1``) networks differ from ``θ`` only by ``c·Δ_t``, and the first
layer's input ``x`` is the same for all of them, so by linearity

    x (W₁ ± cΔW₁) + (b₁ ± cΔb₁) = (x W₁ + b₁) ± c (x ΔW₁ + Δb₁).

``x W₁`` is computed once and ``x ΔW₁`` once per direction: two-sided evaluation costs the
first layer ``T + 1`` products, not ``2T``. The ``k`` directions of a chunk are drawn (once
per step; Rademacher: one random bit per coordinate, :mod:`zeroth_q.estimators.directions`)
into ONE reused ``(k, P)`` buffer; ``x ΔW₁`` for all of them is one stacked matrix product
(``k`` GEMMs of ``N × d`` by ``d × h`` in one C loop), later layers (small in an MNIST MLP) are
stacked products over the ``2k`` perturbed networks, and the gradient combination
``Σ_t (f⁺_t - f⁻_t) Δ_t`` is ONE GEMV over the same buffer while it holds the directions.

Why not one GEMM with the directions concatenated along the output axis (``x · [ΔW₁⁽¹⁾ | …]``)?
That needs the buffer in ``(d, k, h)`` order, which the per-direction random stream cannot
fill contiguously: measured on an AVX2 machine (interleaved minimum of 15, one BLAS thread),
the stacked product equals the single GEMM at ``h = 128`` (2.2 ms each for ``k = 16``) and the
strided fill costs more than the GEMM saves at ``h = 10`` (``k = 50``: 0.72 ms stacked vs
0.87 ms concatenated, fill included). On an AVX-512 machine (``benchmarks/bench_first_layer_products.py``,
fill included) the concatenated GEMM is 0.9-1.16x the stacked one at batch 50 and 0.89-1.6x at
batch 256 (the best case ``h = 32``). Storing ``W₁`` out-major (``h × d``) would make the
stream's contiguous block the concatenated operand at no cost: 1.04-1.3x at batch 50,
1.0-1.64x at 256 on the products, a change of the parameter layout everywhere that this
module alone does not justify.

Memory does not grow with ``T × P``: directions are processed in chunks of ``k`` with
``k·P`` values within a byte budget (default 256 MB), and ``k·h`` at most
:data:`TARGET_COLUMNS`: a chunk is drawn, multiplied, pushed through the later layers and
combined while it is still in cache (784-128-10, batch 50, T = 100 two-sided: 18.8 ms per step
with ``k = 8``, 26.5 ms with ``k = 32``; at batch 256 the GEMMs dominate and ``k`` does not
matter, 72.4 vs 74.0 ms; alternating subprocesses, one BLAS thread). For very large ``P`` this gives
``k = 1``: each direction is regenerated from the seed, used and dropped, the MeZO
scheme (Malladi et al. 2023, "Fine-tuning language models with just forward passes"), with
peak memory one direction, the float64 combination and the activations, whatever ``T`` (the
float64 ``θ`` is never copied: ``x W₁`` is computed from its first weights converted into the
direction buffer before the directions are drawn into it). Unlike MeZO, ``θ`` is
not perturbed in place and restored: the perturbation enters through ``x ΔW₁`` and, for
later layers, through scratch copies, so ``θ`` is bit-for-bit unchanged.
"""

from __future__ import annotations

import numpy as np

from classical.blas import one_blas_thread
from classical.losses import Loss
from classical.mlp import MLP
from zeroth_q.estimators.directions import DirectionStream, Workspace
from zeroth_q.objective import Perturbations

NARROW_WIDTH = 32  # first layers up to this width multiply as (ΔW₁ᵀ xᵀ)ᵀ (first_layer_shifts)
NARROW_EXAMPLES = 64  # ... in blocks of this many examples (first_layer_shifts)
TARGET_COLUMNS = 1024  # first-layer columns k·h per chunk: 8 directions at h = 128 (measured, above)
DEFAULT_MEMORY_BYTES = 256 * 2**20


def chunk_size(network: MLP, perturbations: Perturbations, dtype: np.dtype, memory_bytes: int) -> int:
    """Directions per chunk: all ``T`` if they fit ``memory_bytes`` and the first layer's
    ``k·h`` columns would not exceed :data:`TARGET_COLUMNS`, else fewer, never less than one.
    Gaussian and sphere directions need about 3 more values per coordinate while drawn."""
    per_direction = network.dim * dtype.itemsize * (1 if perturbations.distribution == "rademacher" else 4)
    width = network.sizes[1]
    by_memory = max(1, memory_bytes // per_direction)
    by_width = max(1, TARGET_COLUMNS // width)
    return int(min(perturbations.count, by_memory, by_width))


def _later_layers(
    network: MLP,
    a: np.ndarray,
    tail: np.ndarray,
    directions: np.ndarray,
    side_scales: tuple[float, ...],
    workspace: Workspace,
) -> np.ndarray:
    """Layers 2..L of ``a.shape[0]`` networks on their first-layer pre-activations ``a``.

    ``tail`` holds ``θ`` after the first layer's weights (``b₁, W₂, b₂, …``). Rows
    ``s·k … (s+1)·k - 1`` use ``tail + side_scales[s]·directions`` (``directions: (k, len(tail))``),
    so ``side_scales = (+c, -c)`` gives the two-sided batch; the rows after them (the centre)
    use ``tail`` itself.
    """
    head = network.layer_offsets[0][3]
    rows, k = a.shape[0], directions.shape[0]
    for start, fan_in, fan_out, bias in network.layer_offsets[1:]:
        network.activation.apply_(a)
        w_at, b_at = slice(start - head, bias - head), slice(bias - head, bias - head + fan_out)
        weights = workspace.get(f"weights{start}", (rows, fan_in, fan_out), a.dtype)
        biases = workspace.get(f"biases{start}", (rows, 1, fan_out), a.dtype)
        weights[...] = tail[w_at].reshape(fan_in, fan_out)
        biases[...] = tail[b_at]
        for side, scale in enumerate(side_scales):
            rows_of_side = slice(side * k, (side + 1) * k)
            weights[rows_of_side] += scale * directions[:, w_at].reshape(k, fan_in, fan_out)
            biases[rows_of_side, 0] += scale * directions[:, b_at]
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
    combination ``Σ_t (f⁺_t - f⁻_t) Δ_t`` (float64), computed in ``x.dtype``.

    BLAS runs one thread here (:func:`classical.blas.one_blas_thread`, 2-3 µs): the products
    are many small ones, and on the 2-core machine two threads made a T = 100 step on
    784-128-10 11x slower (820 ms vs 75 ms, ``benchmarks/results/bench_mlp_spsa_step_default_threads.md``
    before this).
    """
    with one_blas_thread():
        return _perturbed_losses(network, loss, x, labels, theta, perturbations, workspace, memory_bytes)


def _perturbed_losses(
    network: MLP,
    loss: Loss,
    x: np.ndarray,
    labels: np.ndarray,
    theta: np.ndarray,
    perturbations: Perturbations,
    workspace: Workspace,
    memory_bytes: int,
) -> tuple[np.ndarray, np.ndarray]:
    dtype = x.dtype
    seed, count, distribution, c, two_sided, center = perturbations
    _, fan_in, width, head = network.layer_offsets[0]
    narrow = width <= NARROW_WIDTH
    # Narrow first layers keep their pre-activations units-first, (h, N) per network, the layout
    # first_layer_shifts returns the products in: every pass below then reads memory in order.
    tail = theta[head:].astype(dtype)
    k = chunk_size(network, perturbations, dtype, memory_bytes)
    directions = workspace.get("directions", (min(k, count), network.dim), dtype)
    base = x @ _first_weights(theta[:head], directions[0, :head]).reshape(fan_in, width)
    base = base.astype(dtype, order="F" if narrow else "C", copy=False)
    base += tail[:width]
    values = np.empty(perturbations.rows)
    combination = np.zeros(network.dim)
    stream = DirectionStream(seed, network.dim, distribution, dtype, workspace)
    # c·x, so that the products below are c·x ΔW₁ with no extra pass; a narrow layer multiplies
    # c·xᵀ, written contiguous by the same pass (order="C").
    scaled_x_t = np.multiply(x.T, dtype.type(c), order="C") if narrow else None
    scaled_x = x * dtype.type(c) if scaled_x_t is None else scaled_x_t.T
    side_scales = (c, -c) if two_sided else (c,)
    for start in range(0, count, k):
        kk = min(k, count - start)
        with_centre = center and start == 0  # θ itself: the first chunk's last network
        rows = len(side_scales) * kk + with_centre
        directions = workspace.get("directions", (kk, network.dim), dtype)
        stream.fill([directions])  # over the first weights of the centre, used above
        rest = directions[:, head:]
        shifts = first_layer_shifts(scaled_x, scaled_x_t, directions[:, :head].reshape(kk, fan_in, width))
        bias_shifts = (rest[:, :width] * dtype.type(c))[:, None, :]  # c·Δb₁
        if narrow:
            pre = workspace.get("pre", (rows, width, len(x)), dtype).transpose(0, 2, 1)
        else:
            pre = workspace.get("pre", (rows, len(x), width), dtype)
        for side, plus_or_minus in enumerate((np.add, np.subtract)[: len(side_scales)]):
            block = pre[side * kk : (side + 1) * kk]
            plus_or_minus(base, shifts, out=block)  # base ± c·x ΔW₁
            plus_or_minus(block, bias_shifts, out=block)  # ± c·Δb₁
        if with_centre:
            pre[-1] = base
        chunk_values = loss.value(_later_layers(network, pre, tail, rest, side_scales, workspace), labels)
        values[start : start + kk] = chunk_values[:kk]
        if two_sided:
            values[count + start : count + start + kk] = chunk_values[kk : 2 * kk]
        if with_centre:
            values[-1] = chunk_values[-1]
        differences = chunk_values[:kk] - (chunk_values[kk : 2 * kk] if two_sided else values[-1])
        accumulate(combination, directions, differences.astype(dtype))
    return values, combination


def _first_weights(weights: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """``W₁`` of ``θ`` in the compute dtype, for the centre's product ``x W₁``: converted into
    ``scratch`` (the direction buffer, not yet filled), so that the product runs at the compute
    dtype's GEMM rate (float32: twice float64's, and the float64 copy of ``x`` it needed cost
    as much again; linear, batch 256: 0.44 ms of a 3.4 ms step) with no memory beyond the buffer.
    In float64 ``θ``'s own weights are used, as before."""
    if weights.dtype == scratch.dtype:
        return weights
    np.copyto(scratch, weights, casting="same_kind")
    return scratch


def first_layer_shifts(x: np.ndarray, x_t: np.ndarray | None, first: np.ndarray) -> np.ndarray:
    """``x ΔW₁`` for the ``k`` directions' first-layer weights ``first: (k, d, h)``, as ``(k, N, h)``.

    With ``x_t`` (``xᵀ`` contiguous, given for layers of at most :data:`NARROW_WIDTH` units)
    it is computed as ``(ΔW₁ᵀ xᵀ)ᵀ``: the same products with BLAS's output ``h × N`` instead of
    ``N × h``, which its kernels run faster when ``h`` is small (measured one thread, k = 50,
    N = 50, h = 10: 0.46 ms vs 0.57 ms; at h = 128 it is slower, 5.1 ms vs 4.5 ms for k = 32),
    in blocks of at most :data:`NARROW_EXAMPLES` examples: from 128 examples on, OpenBLAS's
    sgemm leaves its small-matrix kernel for these shapes and drops from 91 to 53 GFLOP/s
    (h = 10, k = 50, one thread; N = 256 in blocks of 64: 92). The result is then a transposed
    view, which the caller adds into pre-activations stored in the same units-first layout, so
    that pass reads and writes memory in order."""
    if x_t is None:
        return np.matmul(x, first)
    first_t, examples = first.transpose(0, 2, 1), x_t.shape[1]
    if examples <= NARROW_EXAMPLES:
        return np.matmul(first_t, x_t).transpose(0, 2, 1)
    products = np.empty((first.shape[0], first.shape[2], examples), dtype=x_t.dtype)
    for start in range(0, examples, NARROW_EXAMPLES):
        block = slice(start, start + NARROW_EXAMPLES)
        np.matmul(first_t, x_t[:, block], out=products[:, :, block])
    return products.transpose(0, 2, 1)


def accumulate(combination: np.ndarray, directions: np.ndarray, weights: np.ndarray) -> None:
    """``combination += Σ_t weights_t Δ_t``: one GEMV over the chunk's buffer. With one
    direction the buffer is scaled in place (it is refilled next chunk), so no ``P``-sized
    temporary is made (the MeZO regime)."""
    if weights.size == 1:
        directions *= weights[0]
        combination += directions[0]
    else:
        combination += weights @ directions
