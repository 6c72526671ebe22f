"""Directions are fixed blocks of one random stream: the same vectors however they are chunked,
in any layout, with the moments their estimators assume (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zeroth_q.errors import ConfigError
from zeroth_q.estimators.directions import DISTRIBUTIONS, DirectionStream, direction_chunks


@settings(max_examples=30, deadline=None)
@given(
    distribution=st.sampled_from(DISTRIBUTIONS),
    dim=st.integers(1, 300),
    chunks=st.lists(st.integers(1, 5), min_size=1, max_size=5),
    seed=st.integers(0, 2**63 - 1),
)
def test_directions_do_not_depend_on_chunking(distribution, dim, chunks, seed):
    whole = DirectionStream(seed, dim, distribution).block(sum(chunks))
    stream = DirectionStream(seed, dim, distribution)
    pieces = np.concatenate([stream.block(k) for k in chunks])
    np.testing.assert_array_equal(pieces, whole)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_fill_into_a_split_and_transposed_layout_gives_the_same_vectors(distribution):
    """The MLP's layout: the first 6×4 coordinates as a (6, k, 4) buffer, the rest as (k, 5)."""
    k, dim = 3, 6 * 4 + 5
    expected = DirectionStream(9, dim, distribution).block(k)
    first, rest = np.empty((6, k, 4)), np.empty((k, 5))
    DirectionStream(9, dim, distribution).fill([first.transpose(1, 0, 2), rest])
    filled = np.concatenate([first.transpose(1, 0, 2).reshape(k, -1), rest], axis=1)
    np.testing.assert_array_equal(filled, expected)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_float32_directions_are_the_float64_ones_to_single_precision(distribution):
    double = DirectionStream(5, 1001, distribution).block(4)
    single = DirectionStream(5, 1001, distribution, np.float32).block(4)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, double, rtol=0, atol=4e-6 * np.abs(double).max())


@pytest.mark.parametrize("dim", [1, 2, 7, 1000])
def test_gaussian_directions_are_box_muller_of_numpys_float32_uniforms(dim):
    """The stream makes its uniforms from raw words itself (faster); they must stay exactly
    ``Generator.random(dtype=float32)``'s on the same PCG64 words, however the block is split."""
    count, words = 3, -(-dim // 2)
    uniforms = np.random.Generator(np.random.PCG64(7)).random((count, 2 * words), dtype=np.float32)
    u = uniforms.astype(np.float64)
    radius, angle = np.sqrt(-2 * np.log(1 - u[:, :words])), 2 * np.pi * u[:, words:]
    expected = np.concatenate([radius * np.cos(angle), radius * np.sin(angle)], axis=1)[:, :dim]
    stream = DirectionStream(7, dim, "gaussian")
    drawn = np.concatenate([stream.block(1), stream.block(2)])
    np.testing.assert_allclose(drawn, expected, rtol=0, atol=1e-13)


def test_moments():
    """Rademacher: exactly ±1; Gaussian: mean 0, variance 1, uncorrelated halves (cos/sin of
    one word); sphere: unit norm. Tolerances are 5 standard errors of 10^6 samples."""
    rademacher = DirectionStream(1, 1000, "rademacher").block(1000)
    assert set(np.unique(rademacher)) == {-1.0, 1.0}
    assert abs(rademacher.mean()) < 5e-3
    gaussian = DirectionStream(2, 1000, "gaussian").block(1000)
    assert abs(gaussian.mean()) < 5e-3 and abs(gaussian.var() - 1) < 7e-3
    assert abs(np.mean(gaussian[:, :500] * gaussian[:, 500:])) < 5e-3
    assert abs(np.mean(gaussian**4) - 3) < 0.05  # normal kurtosis, not just two moments
    sphere = DirectionStream(3, 1000, "sphere").block(10)
    np.testing.assert_allclose(np.linalg.norm(sphere, axis=1), 1.0, rtol=1e-12)


def test_direction_chunks_are_the_stream_in_bounded_blocks():
    blocks = list(direction_chunks(11, 300, 5000, "rademacher"))
    assert len(blocks) > 1 and all(block.size <= 2**20 for _, block in blocks)
    np.testing.assert_array_equal(
        np.concatenate([block for _, block in blocks]), DirectionStream(11, 5000, "rademacher").block(300)
    )


def test_unknown_distribution_is_refused():
    with pytest.raises(ConfigError, match="distribution must be one of"):
        DirectionStream(0, 3, "cauchy")
