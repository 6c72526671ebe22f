"""Results worth keeping between runs (exact references, molecular Hamiltonians), on disk.

One directory per kind under ``$ZEROTH_Q_CACHE_DIR`` (default ``$XDG_CACHE_HOME/zeroth-q``,
else ``~/.cache/zeroth-q``). An entry is one ``.npz`` of plain arrays, named by the SHA-256
of what determines it, written atomically (:mod:`zeroth_q.atomic`) and read with
``allow_pickle=False``: a run killed mid-write leaves no entry, two runs writing the same
entry write the same bytes, and an unreadable entry is treated as missing and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from zeroth_q.atomic import atomic_open

CACHE_ENVIRONMENT_VARIABLE = "ZEROTH_Q_CACHE_DIR"


def cache_directory(kind: str) -> Path:
    root = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    if not root:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zeroth-q"
    return Path(root) / kind


def digest(parts: Iterable[bytes | str]) -> str:
    """SHA-256 of the parts, each length-prefixed so that no two part lists collide."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else bytes(part)
        sha.update(len(data).to_bytes(8, "little"))
        sha.update(data)
    return sha.hexdigest()


def load(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``key``, or None if there is no readable entry."""
    path = cache_directory(kind) / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as entry:
            return {name: entry[name] for name in entry.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None


def save(kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``key``; a cache that cannot be written is skipped silently
    (a read-only home must not stop a run that would only be slower next time)."""
    try:
        with atomic_open(cache_directory(kind) / f"{key}.npz", "wb") as handle:
            np.savez(handle, **arrays)
    except OSError:
        pass
