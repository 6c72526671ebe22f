"""What the command-line tools share: argparse with one-line errors, and one-line failures.

argparse prints the whole usage (15 lines for ``zeroth_q.run``) before a wrong-typed value's
error, which scrolls the one line that matters out of view; every other bad input of these
tools is one line (``error: ...``, exit code 2), and so is this one.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from zeroth_q.atomic import EXIT_DISK_FULL, disk_full
from zeroth_q.errors import ZerothQError


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are one line naming ``--help``, exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def failure_exit_code(exc: ZerothQError | OSError) -> int:
    """Print a tool's one-line error for ``exc`` and return its exit code: 2 for bad input,
    :data:`~zeroth_q.atomic.EXIT_DISK_FULL` for a full disk (the tool is re-run once space is
    freed); any other OSError is not ours to explain and is raised again."""
    if isinstance(exc, ZerothQError):
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = disk_full(exc)
    if problem is None:
        raise exc
    print(f"error: {problem}; run the same command again once space is freed.", file=sys.stderr)
    return EXIT_DISK_FULL
