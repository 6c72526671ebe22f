"""Labelled examples and the affine map that turns stored inputs into network features.

MNIST is kept as the ``uint8`` pixels it is stored in (47 MB instead of 188 MB as
float32) and standardised per mini-batch: ``x = (pixels - shift) / scale``. The shift and
scale are computed on the *training* split only, so that no statistic of the test (or
validation) examples leaks into training.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

Index = slice | np.ndarray


@dataclass(frozen=True)
class Examples:
    """``inputs`` of shape ``(N, d)`` in their stored dtype, integer ``labels`` of shape ``(N,)``.

    ``features(index, dtype)`` returns ``(inputs[index] - shift) / scale`` in ``dtype``.
    """

    inputs: np.ndarray
    labels: np.ndarray
    shift: float = 0.0
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.inputs.ndim != 2 or self.labels.shape != (self.inputs.shape[0],):
            raise ValueError(
                f"inputs must be (N, d) and labels (N,), got {self.inputs.shape} and {self.labels.shape}."
            )

    def __len__(self) -> int:
        return self.inputs.shape[0]

    @property
    def input_size(self) -> int:
        return self.inputs.shape[1]

    def features(self, index: Index, dtype: np.dtype, out: np.ndarray | None = None) -> np.ndarray:
        """``(inputs[index] - shift) / scale`` in ``dtype``, written into ``out`` when given (a
        buffer of the right shape, reused across calls: a full-set pass converted in chunks into
        one cache-sized buffer reads the 1-byte pixels once and allocates nothing)."""
        if out is None:
            x = self.inputs[index].astype(dtype)
        else:
            x = out
            np.copyto(x, self.inputs[index], casting="unsafe")
        x -= dtype.type(self.shift)
        x *= dtype.type(1.0 / self.scale)
        return x

    def chunks(self, size: int) -> Iterator[slice]:
        """Consecutive slices of at most ``size`` examples covering the whole set, to
        bound the memory of full-set passes (metrics)."""
        return (slice(start, min(start + size, len(self))) for start in range(0, len(self), size))

    def subset(self, index: Index) -> Examples:
        return replace(self, inputs=self.inputs[index], labels=self.labels[index])

    def standardized_like(self, reference: Examples) -> Examples:
        """These examples with ``reference``'s shift and scale (e.g. test with train's)."""
        return replace(self, shift=reference.shift, scale=reference.scale)


def standardized(examples: Examples) -> Examples:
    """``examples`` with shift and scale set to the mean and standard deviation of all
    their input values (one scalar each, as in the usual MNIST recipe of mean 0.1307 and
    std 0.3081 on [0, 1] pixels).

    Integer inputs are summed exactly in ``uint64`` (sum and sum of squares), which is
    ten times faster than a histogram and needs no float copy of the data.
    """
    values = examples.inputs
    if np.issubdtype(values.dtype, np.integer):
        count = values.size
        mean = int(values.sum(dtype=np.uint64)) / count
        var = int(np.einsum("ij,ij->", values, values, dtype=np.uint64)) / count - mean**2
    else:
        mean, var = float(values.mean()), float(values.var())
    return replace(examples, shift=mean, scale=float(np.sqrt(var)) or 1.0)


def split_off_last(examples: Examples, size: int) -> tuple[Examples, Examples]:
    """``(first N - size, last size)`` examples: the conventional MNIST validation split
    (the last 10,000 training images, as in the ``mnist.pkl.gz`` of the Theano tutorials)."""
    if not 0 < size < len(examples):
        raise ValueError(f"validation size must be in 1..{len(examples) - 1}, got {size}.")
    cut = len(examples) - size
    return examples.subset(slice(None, cut)), examples.subset(slice(cut, None))
