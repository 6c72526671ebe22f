"""A convolutional network evaluated for ``B`` parameter vectors at once, with backprop.

The network (LeCun, Bottou, Bengio & Haffner 1998, the LeNet family): convolution layers
``k × k`` with stride and zero padding, each followed by an optional 2×2 max-pool and a ReLU,
then a flatten and fully connected layers (ReLU between, none after the last: the loss
reads raw outputs). Max-pooling and ReLU commute (both are monotone), so the pool comes
first and the ReLU touches a quarter of the values. Images are channels-last
``(N, H, W, C)``; MNIST's ``(N, 784)`` rows are the ``(N, 1, 28, 28)`` images, which for one
channel is the same memory.

Parameters are one flat vector per network, layer after layer, as in :mod:`classical.mlp`:
the kernel ``W_l`` (``fan_in × fan_out``, row-major; a convolution's ``fan_in = k·k·C`` in
the ``(i, j, c)`` order of :func:`classical.conv.patches`) then the biases ``b_l``. A batch
``thetas: (B, P)`` is viewed without copying as stacks ``(B, fan_in, fan_out)``.

Every layer is a matrix product of its patches (a convolution, see :mod:`classical.conv`)
or its inputs (a dense layer) with ``W_l``. The first layer's input is the shared
mini-batch, so the ``B`` networks' first products are ONE GEMM with the kernels side by side,
``x (M, K) · [W^(1) … W^(B)] (K, B·F)``; later layers are ``B`` stacked GEMMs that NumPy
hands to BLAS in a C loop: no Python loop over ``B``.

Backpropagation (Rumelhart, Hinton & Williams 1986) through the same stacks:
``∂L/∂W_l = colsᵀ δ_l``, ``∂L/∂b_l = Σ δ_l``, ``∂L/∂cols = δ_l W_lᵀ`` scattered back onto the
image (col2im), through the pooling switches and the ReLU slope ``1[a > 0]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from classical.conv import max_pool, max_pool_transpose, max_pool_with_switches, output_size, patches
from classical.conv import patches_transpose as col2im
from classical.mlp import INIT_VARIANCE, LayerOffset, packed_layer_offsets, packed_size

Shape = tuple[int, int, int]


@dataclass(frozen=True)
class Convolution:
    """``channels`` output maps of ``kernel × kernel`` filters, then an optional 2×2 max-pool."""

    channels: int
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    pool: bool = True


@dataclass(frozen=True)
class ConvLayerShape:
    """Where a convolution sits: its input image, its output before and after pooling."""

    spec: Convolution
    image: Shape
    convolved: Shape
    output: Shape


class Trace(list):
    """The outputs ``[a_1, ..., a_L]`` of every layer (``a_L`` the network output, ``(B, N, K)``),
    and ``switches``: each convolution's max-pool switches (``None`` if it does not pool)."""

    switches: list[np.ndarray | None]


@dataclass(frozen=True)
class CNN:
    """Convolutions on ``image = (H, W, C)``, then dense layers of widths ``dense`` and ``outputs``."""

    image: Shape
    convolutions: tuple[Convolution, ...]
    dense: tuple[int, ...]
    outputs: int

    def __post_init__(self) -> None:
        widths = [c.channels for c in self.convolutions] + [*self.dense, self.outputs]
        if min(widths) < 1 or any(c.kernel < 1 or c.stride < 1 or c.padding < 0 for c in self.convolutions):
            raise ValueError(f"channels, widths, kernels and strides must be positive; got {self}.")
        for layer in self.conv_layers:
            if min(layer.output[:2]) < 1:
                raise ValueError(
                    f"the image shrinks to nothing at {layer.spec} (input {layer.image[:2]}): use "
                    f"fewer layers, padding, a smaller kernel or no pooling."
                )

    @cached_property
    def conv_layers(self) -> tuple[ConvLayerShape, ...]:
        layers, image = [], self.image
        for spec in self.convolutions:
            height, width = (output_size(size, spec.kernel, spec.stride, spec.padding) for size in image[:2])
            convolved = (height, width, spec.channels)
            output = (height // 2, width // 2, spec.channels) if spec.pool else convolved
            layers.append(ConvLayerShape(spec, image, convolved, output))
            image = output
        return tuple(layers)

    @cached_property
    def fan_ins_outs(self) -> tuple[tuple[int, int], ...]:
        """``(fan_in, fan_out)`` of every layer, convolutions first."""
        convs = [(layer.image[2] * layer.spec.kernel**2, layer.spec.channels) for layer in self.conv_layers]
        flat = int(np.prod(self.conv_layers[-1].output)) if self.conv_layers else int(np.prod(self.image))
        widths = (flat, *self.dense, self.outputs)
        return (*convs, *zip(widths[:-1], widths[1:], strict=True))

    @cached_property
    def layer_offsets(self) -> tuple[LayerOffset, ...]:
        """Each layer's place in the flat vector (a conv layer's kernel is its weight matrix)."""
        return packed_layer_offsets(self.fan_ins_outs)

    @property
    def dim(self) -> int:
        return packed_size(self.layer_offsets)

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds per example of one forward pass (2 FLOPs each)."""
        pixels = [layer.convolved[0] * layer.convolved[1] for layer in self.conv_layers]
        pixels += [1] * (len(self.fan_ins_outs) - len(pixels))
        return sum(
            p * fan_in * fan_out for p, (fan_in, fan_out) in zip(pixels, self.fan_ins_outs, strict=True)
        )

    def transient_bytes(self, itemsize: int) -> int:
        """Peak bytes per (network, example) of a forward pass that keeps no trace: the
        largest layer's patches, products and output, with its input."""
        sizes = [
            layer.convolved[0] * layer.convolved[1] * (fan_in + 2 * fan_out) + int(np.prod(layer.image))
            for layer, (fan_in, fan_out) in zip(self.conv_layers, self.fan_ins_outs, strict=False)
        ]
        sizes += [fan_in + fan_out for fan_in, fan_out in self.fan_ins_outs[len(self.conv_layers) :]]
        return itemsize * max(sizes)

    def layers(self, thetas: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
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
        """Weights from ``N(0, INIT_VARIANCE[scheme](fan_in, fan_out))`` (a filter's fan-in is
        ``k·k·C``, He et al. 2015), biases zero, as one float64 vector."""
        theta = np.zeros((1, self.dim))
        for weights, _ in self.layers(theta):
            _, fan_in, fan_out = weights.shape
            weights[0] = rng.normal(0.0, np.sqrt(INIT_VARIANCE[scheme](fan_in, fan_out)), (fan_in, fan_out))
        return theta[0]

    def forward(self, thetas: np.ndarray, x: np.ndarray, keep: bool = True) -> Trace:
        """The :class:`Trace` of the ``B`` networks in ``thetas`` on the shared inputs
        ``x: (N, H·W·C)`` (same dtype as ``thetas``). With ``keep=False`` it holds only the
        network output and no switches, so earlier layers' arrays are freed as it goes."""
        batch, examples = thetas.shape[0], x.shape[0]
        trace, a = Trace(), x.reshape(examples, *self.image)
        trace.switches = []
        layers = self.layers(thetas)
        for layer, (weights, bias) in zip(self.conv_layers, layers, strict=False):
            spec = layer.spec
            z = _product(_im2col(a, spec), weights, bias).reshape(batch, examples, *layer.convolved)
            switches = None
            if spec.pool and keep:
                z, switches = max_pool_with_switches(z)
            elif spec.pool:
                z = max_pool(z)
            a = np.maximum(z, 0, out=z)
            if keep:
                trace.append(a)
                trace.switches.append(switches)
        a = a.reshape(batch, examples, -1) if self.conv_layers else x
        dense = layers[len(self.conv_layers) :]
        for depth, (weights, bias) in enumerate(dense, start=1):
            a = _product(a, weights, bias)
            if depth < len(dense):
                np.maximum(a, 0, out=a)
            if keep or depth == len(dense):
                trace.append(a)
        return trace

    def logits(self, thetas: np.ndarray, x: np.ndarray, memory_budget: int) -> np.ndarray:
        """The network outputs ``(B, N, K)``, computed in chunks of networks (and of examples
        when one network's pass is too large) so that no pass holds more than about
        ``memory_budget`` bytes of activations: what ``evaluate`` and metrics need."""
        batch, examples = thetas.shape[0], x.shape[0]
        per_example = self.transient_bytes(thetas.dtype.itemsize)
        rows = int(np.clip(memory_budget // (per_example * examples), 1, batch))
        step = examples if per_example * examples <= memory_budget else max(1, memory_budget // per_example)
        out = np.empty((batch, examples, self.outputs), thetas.dtype)
        for row in range(0, batch, rows):
            for start in range(0, examples, step):
                part = self.forward(thetas[row : row + rows], x[start : start + step], keep=False)[-1]
                out[row : row + rows, start : start + step] = part
        return out

    def backward(
        self, thetas: np.ndarray, x: np.ndarray, trace: Trace, output_gradient: np.ndarray
    ) -> np.ndarray:
        """``∂L/∂θ`` of shape ``(B, P)`` (dtype of ``thetas``) given the :class:`Trace` of
        :meth:`forward` and ``δ_L = ∂L/∂a_L`` of shape ``(B, N, K)``."""
        batch, examples = thetas.shape[0], x.shape[0]
        grads = np.empty_like(thetas)
        layers, gradients = self.layers(thetas), self.layers(grads)
        convs = len(self.conv_layers)
        conv_inputs = [x.reshape(examples, *self.image), *trace[: convs - 1]] if convs else []
        flat = trace[convs - 1].reshape(batch, examples, -1) if convs else x
        inputs = [*conv_inputs, flat, *trace[convs:-1]]
        delta = output_gradient
        for index in range(len(layers) - 1, -1, -1):
            if index < len(layers) - 1:
                delta = delta.reshape(trace[index].shape) * (trace[index] > 0)
            if index < convs:
                layer = self.conv_layers[index]
                if layer.spec.pool:
                    delta = max_pool_transpose(
                        delta, trace.switches[index], (batch, examples, *layer.convolved)
                    )
                cols = _im2col(inputs[index], layer.spec)
                delta = delta.reshape(batch, -1, layer.spec.channels)
            else:
                cols = inputs[index]
            weight_gradient, bias_gradient = gradients[index]
            np.matmul(np.swapaxes(cols, -1, -2), delta, out=weight_gradient)
            bias_gradient[...] = delta.sum(axis=1, keepdims=True)
            if index == 0:
                break
            delta = np.matmul(delta, layers[index][0].transpose(0, 2, 1))
            if index < convs:
                layer = self.conv_layers[index]
                delta = col2im(
                    delta.reshape(batch, examples, -1, delta.shape[-1]),
                    layer.image,
                    layer.spec.kernel,
                    layer.spec.stride,
                    layer.spec.padding,
                )
        return grads

    def filters(self) -> list[np.ndarray]:
        """Indices of each unit's incoming weights (column ``j`` of ``W_l``; for a convolution,
        one output map's ``k·k·C`` kernel): the "filters" of filter-normalised landscape
        directions (Li et al. 2018); biases are in none."""
        return [
            start + np.arange(fan_in) * fan_out + unit
            for start, fan_in, fan_out, _ in self.layer_offsets
            for unit in range(fan_out)
        ]

    def first_layer_filters(self, theta: np.ndarray) -> np.ndarray:
        """The first convolution's filters of one parameter vector as images ``(C_out, C, k, k)``
        (what the filter pictures and the t-SNE of the minima show)."""
        if not self.conv_layers:
            raise ValueError("this network has no convolution layer, so no filters to show.")
        weights = self.layers(np.asarray(theta)[None, :])[0][0][0]
        spec, channels = self.convolutions[0], self.image[2]
        return weights.reshape(spec.kernel, spec.kernel, channels, spec.channels).transpose(3, 2, 0, 1)


def _im2col(a: np.ndarray, spec: Convolution) -> np.ndarray:
    """The patches of images ``a`` as a matrix: ``(N·Ho·Wo, k·k·C)`` for the shared mini-batch
    ``(N, H, W, C)``, ``(B, N·Ho·Wo, k·k·C)`` for the ``B`` networks' maps ``(B, N, H, W, C)``."""
    cols = patches(a, spec.kernel, spec.stride, spec.padding)
    return cols.reshape(-1, cols.shape[-1]) if a.ndim == 4 else cols.reshape(a.shape[0], -1, cols.shape[-1])


def _product(a: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``a W + b`` for the ``B`` networks: ``(B, M, F)`` from ``a: (M, K)`` shared by all (one GEMM
    with the kernels side by side along the output axis) or ``a: (B, M, K)`` (stacked GEMMs)."""
    if a.ndim == 2:
        batch, fan_in, fan_out = weights.shape
        side_by_side = weights.transpose(1, 0, 2).reshape(fan_in, batch * fan_out)
        z = (a @ side_by_side).reshape(a.shape[0], batch, fan_out).transpose(1, 0, 2)
    else:
        z = np.matmul(a, weights)
    z += bias
    return z
