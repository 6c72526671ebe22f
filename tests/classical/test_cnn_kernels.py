"""The im2col and max-pool kernels against direct definitions, for any size, stride and padding."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classical.conv import (
    max_pool,
    max_pool_transpose,
    max_pool_with_switches,
    output_size,
    patches,
    patches_transpose,
)

geometry = st.tuples(
    st.integers(1, 4),  # kernel
    st.integers(1, 3),  # stride
    st.integers(0, 2),  # padding
    st.integers(1, 3),  # channels
    st.integers(0, 6),  # extra image size beyond the kernel
)


def direct_convolution(a: np.ndarray, kernel: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """``z[n, h, w, o] = Σ_{i,j,c} a[n, s·h + i - p, s·w + j - p, c] · K[i, j, c, o]``, by loops."""
    padded = np.pad(a, [(0, 0), (padding, padding), (padding, padding), (0, 0)])
    size = kernel.shape[0]
    rows = output_size(a.shape[1], size, stride, padding)
    columns = output_size(a.shape[2], size, stride, padding)
    z = np.zeros((a.shape[0], rows, columns, kernel.shape[-1]))
    for h in range(rows):
        for w in range(columns):
            window = padded[:, h * stride : h * stride + size, w * stride : w * stride + size, :]
            z[:, h, w] = np.einsum("nijc,ijco->no", window, kernel)
    return z


@settings(max_examples=40, deadline=None)
@given(geometry, st.integers(0, 2**32 - 1))
def test_patches_times_kernel_is_the_direct_convolution(shape, seed):
    size, stride, padding, channels, extra = shape
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((2, size + extra, size + extra + 1, channels))
    kernel = rng.standard_normal((size, size, channels, 3))
    cols = patches(a, size, stride, padding)
    z = (cols @ kernel.reshape(-1, 3)).reshape(2, *direct_convolution(a, kernel, stride, padding).shape[1:])
    np.testing.assert_allclose(z, direct_convolution(a, kernel, stride, padding), rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(geometry, st.integers(0, 2**32 - 1))
def test_col2im_is_the_adjoint_of_im2col(shape, seed):
    """``<patches(a), g> = <a, patches_transpose(g)>`` for all ``a``, ``g``: what backprop needs."""
    size, stride, padding, channels, extra = shape
    rng = np.random.default_rng(seed)
    image = (size + extra, size + extra + 1, channels)
    a = rng.standard_normal((3, *image))
    g = rng.standard_normal(patches(a, size, stride, padding).shape)
    lhs = np.vdot(patches(a, size, stride, padding), g)
    rhs = np.vdot(a, patches_transpose(g, image, size, stride, padding))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_max_pool_switches_and_their_transpose(height, width, seed):
    """The pooled maxima of every 2×2 window (odd edges dropped), one switch per window pointing at
    the maximum, and the transpose routing each window's gradient to that one position."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((2, height, width, 3))
    pooled, switches = max_pool_with_switches(a)
    rows, columns = height // 2, width // 2
    expected = a[:, : 2 * rows, : 2 * columns].reshape(2, rows, 2, columns, 2, 3).max(axis=(2, 4))
    np.testing.assert_array_equal(pooled, expected)
    np.testing.assert_array_equal(max_pool(a), expected)
    gradient = rng.standard_normal(pooled.shape)
    routed = max_pool_transpose(gradient, switches, a.shape)
    # the linearisation of max-pool at a: pooled(a + t·d) ≈ pooled + t·(d at the switches)
    direction = rng.standard_normal(a.shape)
    step = 1e-7
    moved = max_pool(a + step * direction)
    np.testing.assert_allclose(
        np.vdot(gradient, (moved - pooled) / step), np.vdot(routed, direction), rtol=1e-5
    )
    assert np.count_nonzero(routed) == pooled.size


def test_ties_send_the_gradient_to_one_position():
    a = np.zeros((1, 2, 2, 1))
    _, switches = max_pool_with_switches(a)
    assert max_pool_transpose(np.ones((1, 1, 1, 1)), switches, a.shape).sum() == 1.0
