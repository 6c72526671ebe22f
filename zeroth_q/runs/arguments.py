"""The command-line tools' argument parser: argparse with one-line errors.

argparse prints the whole usage (15 lines for ``zeroth_q.run``) before a wrong-typed value's
error, which scrolls the one line that matters out of view; every other bad input of these
tools is one line (``error: ...``, exit code 2), and so is this one.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are one line naming ``--help``, exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)
