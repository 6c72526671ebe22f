"""Read IDX files (the MNIST container format) and verify them by checksum.

IDX (LeCun et al., http://yann.lecun.com/exdb/mnist/) is a big-endian header followed by
raw values: two zero bytes, a type code, the number of dimensions ``d``, ``d`` sizes as
uint32, then ``prod(sizes)`` values. The files are usually gzip-compressed.

The SHA-256 of the *decompressed* bytes is checked before the header is parsed, so a
missing, truncated or corrupted file is reported as a :class:`DataError` that names the
file and the checksum it should have, never as a reshape error deep inside NumPy. The
decompressed bytes are what is checked because they identify the data independently of
how it was compressed (the original mirrors' ``.gz`` files and a ``gzip -9 -n``
recompression hold the same bytes).
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from zeroth_q.errors import ZerothQError

# IDX type code -> NumPy dtype (big-endian where it matters).
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DataError(ZerothQError, OSError):
    """A data file is missing, unreadable, or does not hold the expected bytes."""


def read_idx(path: Path, sha256: str) -> np.ndarray:
    """The array stored in IDX file ``path`` (gzip-compressed if it ends in ``.gz``).

    ``sha256`` is the expected hex digest of the decompressed bytes. The returned array
    is read-only: it may be shared between objectives through a cache.
    """
    fix = f"Replace it with an intact copy of the original file (SHA-256 of the decompressed bytes {sha256})."
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read data file {path}: {exc.strerror or exc}. {fix}") from None
    try:
        raw = gzip.decompress(data) if path.suffix == ".gz" else data
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} is truncated or corrupted (gzip: {exc}). {fix}") from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != sha256:
        raise DataError(
            f"{path} is corrupted or is not the expected file: the SHA-256 of its decompressed bytes is "
            f"{actual}. {fix}"
        )
    return _parse_idx(raw, path)


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number {raw[:4].hex()}).")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(f"{path} holds {len(raw)} bytes but its IDX header {shape} implies {expected}.")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
