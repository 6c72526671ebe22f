"""A multilayer perceptron evaluated for ``B`` parameter vectors at once, with backprop.

Parameters are one flat vector per network: for each layer ``l`` the weights ``W_l``
(``fan_in × fan_out``, row-major) then the biases ``b_l``. A batch ``thetas`` of shape
``(B, P)`` is viewed, without copying, as stacks ``W_l: (B, fan_in, fan_out)`` and
``b_l: (B, 1, fan_out)``, so that the forward pass of all ``B`` networks on one shared
mini-batch ``x: (N, d)`` is one stacked matrix product per layer,

    a_0 = x,   a_l = σ(a_{l-1} W_l + b_l)   (σ = identity for the last layer),

which NumPy hands to BLAS as ``B`` GEMMs in a C loop: no Python loop over ``B``.

Memory: the ``B`` networks' weights are all resident. Besides the ``(B, P)`` float64
input (``8·B·P`` bytes), a float32 run makes one float32 copy (``4·B·P``) and keeps the
activations (``4·B·N·Σ_l fan_out_l``). For ``B = 101`` (SPSA with 50 two-sided directions
plus the centre) and 784-128-10 (``P = 101,770``) at ``N = 50``: 82 MB input + 41 MB copy
+ 3 MB activations and loss temporaries; measured with ``tracemalloc``, ``evaluate`` adds a
peak of 45 MB to the 82 MB input (10 MB in float64, which needs no copy).

Backpropagation (Rumelhart, Hinton & Williams 1986) runs on the same stacks:

    δ_L = ∂L/∂z_L,   ∂L/∂W_l = a_{l-1}ᵀ δ_l,   ∂L/∂b_l = Σ_n δ_l,
    δ_{l-1} = (δ_l W_lᵀ) ⊙ σ'(z_{l-1}).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from classical.activations import Activation

LayerView = tuple[np.ndarray, np.ndarray]

# Variance of the initial weights given (fan_in, fan_out); biases start at zero.
INIT_VARIANCE = {
    "he": lambda fan_in, fan_out: 2.0 / fan_in,  # He, Zhang, Ren & Sun 2015
    "xavier": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),  # Glorot & Bengio 2010
}


LayerOffset = tuple[int, int, int, int]


def packed_layer_offsets(fan_ins_outs: Iterable[tuple[int, int]]) -> tuple[LayerOffset, ...]:
    """``(start, fan_in, fan_out, bias_start)`` of each dense layer in one flat parameter
    vector: the ``fan_in × fan_out`` weights row-major, then the ``fan_out`` biases."""
    offsets, start = [], 0
    for fan_in, fan_out in fan_ins_outs:
        offsets.append((start, fan_in, fan_out, start + fan_in * fan_out))
        start += fan_in * fan_out + fan_out
    return tuple(offsets)


def packed_size(offsets: Sequence[LayerOffset]) -> int:
    """The length of the flat vector that :func:`packed_layer_offsets` lays out."""
    start, fan_in, fan_out, _ = offsets[-1]
    return start + fan_in * fan_out + fan_out


@dataclass(frozen=True)
class MLP:
    """Fully connected layers of widths ``sizes = (d, h_1, ..., h_k, K)`` with ``activation``
    after every hidden layer and none after the last (the loss reads raw outputs)."""

    sizes: tuple[int, ...]
    activation: Activation

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            raise ValueError(f"layer sizes must be (inputs, ..., outputs), all positive; got {self.sizes}.")

    @cached_property
    def layer_offsets(self) -> tuple[LayerOffset, ...]:
        return packed_layer_offsets(zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @property
    def dim(self) -> int:
        return packed_size(self.layer_offsets)

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds per example of one forward pass (2 FLOPs each)."""
        return sum(fan_in * fan_out for _, fan_in, fan_out, _ in self.layer_offsets)

    def layers(self, thetas: np.ndarray) -> list[LayerView]:
        """Views ``(W: (B, fan_in, fan_out), b: (B, 1, fan_out))`` into ``thetas: (B, P)``."""
        batch = thetas.shape[0]
        return [
            (
                thetas[:, start:bias].reshape(batch, fan_in, fan_out),
                thetas[:, bias : bias + fan_out].reshape(batch, 1, fan_out),
            )
            for start, fan_in, fan_out, bias in self.layer_offsets
        ]

    def initial_point(self, rng: np.random.Generator, scheme: str) -> np.ndarray:
        """Weights drawn from ``N(0, v)`` with ``v = INIT_VARIANCE[scheme](fan_in, fan_out)``,
        biases zero, as one float64 vector."""
        theta = np.zeros((1, self.dim))
        for weights, _ in self.layers(theta):
            _, fan_in, fan_out = weights.shape
            weights[0] = rng.normal(0.0, np.sqrt(INIT_VARIANCE[scheme](fan_in, fan_out)), (fan_in, fan_out))
        return theta[0]

    def forward(self, thetas: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
        """Outputs of every layer, ``[a_1, ..., a_L]``, each ``(B, N, fan_out)``, for the
        ``B`` networks in ``thetas`` on inputs ``x: (N, d)`` (same dtype as ``thetas``).
        The last entry is the network output."""
        outputs, a = [], x
        layers = self.layers(thetas)
        for depth, (weights, bias) in enumerate(layers, start=1):
            z = np.matmul(a, weights)
            z += bias
            if depth < len(layers):
                self.activation.apply_(z)
            outputs.append(z)
            a = z
        return outputs

    def layer_inputs(self, x: np.ndarray, outputs: list[np.ndarray]) -> list[np.ndarray]:
        """``[a_0, ..., a_{L-1}]``, each ``(B, N, fan_in)``: what every layer multiplies."""
        return [np.broadcast_to(x, (outputs[0].shape[0], *x.shape)), *outputs[:-1]]

    def pre_activation_gradients(
        self, thetas: np.ndarray, outputs: list[np.ndarray], output_gradient: np.ndarray
    ) -> list[np.ndarray]:
        """``[δ_1, ..., δ_L]``, ``δ_l = ∂L/∂z_l`` of shape ``(B, N, fan_out)``, given the layer
        outputs from :meth:`forward` and ``δ_L = ∂L/∂a_L`` of shape ``(B, N, K)``. Per example
        when ``output_gradient`` is (K-FAC's and the Fisher's statistics)."""
        deltas = [output_gradient]
        layers = self.layers(thetas)
        for depth in range(len(layers) - 1, 0, -1):
            weights = layers[depth][0]
            deltas.append(
                np.matmul(deltas[-1], weights.transpose(0, 2, 1)) * self.activation.slope(outputs[depth - 1])
            )
        return deltas[::-1]

    def backward(
        self, thetas: np.ndarray, x: np.ndarray, outputs: list[np.ndarray], output_gradient: np.ndarray
    ) -> np.ndarray:
        """``∂L/∂θ`` of shape ``(B, P)`` (dtype of ``thetas``), given the layer outputs from
        :meth:`forward` and ``∂L/∂a_L`` of shape ``(B, N, K)``."""
        grads = np.empty_like(thetas)
        deltas = self.pre_activation_gradients(thetas, outputs, output_gradient)
        for (weight_grad, bias_grad), a, delta in zip(
            self.layers(grads), self.layer_inputs(x, outputs), deltas, strict=True
        ):
            np.matmul(a.transpose(0, 2, 1), delta, out=weight_grad)
            bias_grad[...] = delta.sum(axis=1, keepdims=True)
        return grads

    def filters(self) -> list[np.ndarray]:
        """Indices of each unit's incoming weights (column ``j`` of ``W_l``): the "filters"
        of filter-normalised landscape directions (Li et al. 2018); biases are in none."""
        return [
            start + np.arange(fan_in) * fan_out + unit
            for start, fan_in, fan_out, _ in self.layer_offsets
            for unit in range(fan_out)
        ]
