"""The MNIST data set (LeCun, Bottou, Bengio & Haffner 1998), from the shipped IDX files.

The four files are package data (``classical/data``, with their license in
``DATA_LICENSE``), so training runs with no network. A user's own directory of the
original files (``.gz`` as distributed by the mirrors, or already decompressed) is accepted
too; every file is verified against the SHA-256 of its decompressed bytes.

Loading decompresses 47 MB; measured at about 0.3 s on one core, so the decoded arrays are
not cached on disk. They are cached in memory per directory, so building several
objectives in one process (a sweep, the tests) reads the files once.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

from classical.examples import Examples
from classical.idx import DataError, read_idx

PACKAGE_DATA_DIR = Path(__file__).parent / "data"

# SHA-256 of the decompressed IDX bytes (identical for the original mirrors' files).
FILE_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

IMAGE_SIZE = 28 * 28
CLASSES = 10


class MnistSplits(NamedTuple):
    """The standard split: 60,000 training and 10,000 test images as ``uint8`` pixels."""

    train: Examples
    test: Examples


@functools.lru_cache(maxsize=4)
def load_mnist(data_dir: str | None = None) -> MnistSplits:
    """The MNIST training and test sets, read from ``data_dir`` (default: the shipped copy).

    Images are flattened to ``(N, 784)`` ``uint8`` arrays, labels are ``(N,)`` ``uint8``;
    both are read-only because they are shared through the cache.
    """
    directory = PACKAGE_DATA_DIR if data_dir is None else Path(data_dir).expanduser()
    if not directory.is_dir():
        raise DataError(
            f"MNIST data directory {directory} does not exist (set data_dir to a directory "
            f"holding the four IDX files, or leave it unset to use the shipped copy)."
        )

    def examples(prefix: str) -> Examples:
        images = _read(directory, f"{prefix}-images-idx3-ubyte")
        labels = _read(directory, f"{prefix}-labels-idx1-ubyte")
        return Examples(images.reshape(len(images), IMAGE_SIZE), labels)

    return MnistSplits(train=examples("train"), test=examples("t10k"))


def _read(directory: Path, name: str):
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return read_idx(candidate, FILE_SHA256[name])
    raise DataError(
        f"MNIST file {name}.gz (or {name}) is missing from {directory}; expected the original file, "
        f"whose decompressed bytes have SHA-256 {FILE_SHA256[name]}."
    )
