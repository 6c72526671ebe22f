"""Atomic file writes: write a temporary file beside the target, fsync, then rename.

``os.replace`` is atomic on POSIX and Windows, so a run killed at any moment leaves either
the old file or the new one, never a truncated one. A kill between ``mkstemp`` and the
rename leaves the temporary (``.NAME.*.tmp``) behind: :func:`remove_temporaries` clears
them once no writer can be active (a run directory does it under its lock).

``mkstemp`` creates files readable by their owner only; the result is given the mode an
ordinary ``open`` would (``0o666`` less the umask), so output files follow the user's umask.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from zeroth_q.errors import ConfigError

TEMPORARY_SUFFIX = ".tmp"
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# The command-line tools' exit code when the disk fills: sysexits' EX_TEMPFAIL, "a temporary
# failure; the user is invited to retry" (once space is freed).
EXIT_DISK_FULL = 75


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (``/proc``)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def naming_the_file(path: str | os.PathLike) -> Iterator[None]:
    """Within the block, a full disk's OSError names ``path`` (a failed ``write`` or ``fsync``
    names no file), so that the user learns which file could not be written."""
    try:
        yield
    except OSError as exc:
        if exc.errno in DISK_FULL and not exc.filename:
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file for writing; on success it replaces ``path``."""
    path = Path(path)
    with naming_the_file(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
        try:
            os.fchmod(fd, 0o666 & ~current_umask())
            with os.fdopen(fd, mode) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(text)


def append_durably(path: str | os.PathLike, text: str) -> None:
    """Append ``text`` to ``path`` and fsync. Not atomic: a kill or a full disk may leave a
    last line cut short, which readers of such append-only files drop."""
    with naming_the_file(path), open(path, "a", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def disk_full(exc: BaseException) -> str | None:
    """What to tell the user when ``exc`` is a full disk or quota (None otherwise): the files
    are written atomically, so what is on disk stays consistent and can be continued."""
    if not (isinstance(exc, OSError) and exc.errno in DISK_FULL):
        return None
    where = f" for {exc.filename}" if exc.filename else ""
    return f"the disk is full: no space left{where} ({exc.strerror})"


def remove_temporaries(directory: str | os.PathLike) -> list[Path]:
    """Delete the temporaries that killed writers left in ``directory``; returns them.
    Call it only when no writer can be active there."""
    removed = []
    for tmp in Path(directory).glob(f".*{TEMPORARY_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def require_valid_names(path: str | os.PathLike, what: str) -> Path:
    """``path``, refused with a ConfigError naming ``what`` if one of its components is longer
    than its file system allows (``NAME_MAX``, 255 bytes on most), which would otherwise end
    in ``OSError: [Errno 36]`` at the first file touched."""
    path = Path(path)
    existing = next((p for p in path.parents if os.path.isdir(p)), Path("."))  # isdir: no Errno 36
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    for part in path.parts:
        if len(os.fsencode(part)) > limit:
            raise ConfigError(
                f"{what} {str(path)[:60]}...: the name {part[:20]}... is {len(os.fsencode(part))} bytes, too "
                f"long for the file system (at most {limit}); choose a shorter name."
            )
    return path


def writable_directory(path: str | os.PathLike, what: str) -> Path:
    """``path`` as a directory this process can write into, created if missing; a
    ConfigError naming ``what`` (e.g. ``--out``) if it is a file or cannot be written."""
    path = require_valid_names(path, what)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(f"{what} {path} is a file, not a directory; choose another path.") from None
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be created ({exc.strerror}); choose another path.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{what} {path} is not writable; choose another path.")
    return path
