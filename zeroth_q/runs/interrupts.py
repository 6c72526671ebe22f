"""Ctrl-C and SIGTERM for the command-line tools: one stop, cleanly, however often pressed.

SIGTERM (sent by ``timeout``, SLURM and ``docker stop``) stops a run as Ctrl-C does: the
loop ends with status ``interrupted`` and the run directory is written. Only the first
signal interrupts; later ones, while the tool writes its files, are acknowledged and
ignored, so an impatient second Ctrl-C never turns a clean stop into a traceback (the
files are written atomically; ``kill -9`` still stops at once, and ``--resume`` finishes
what it left).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupt_once() -> Iterator[None]:
    """Within the block the first SIGINT/SIGTERM raises KeyboardInterrupt, later ones are
    ignored; the previous handlers are restored after it (only in the main thread, the one
    Python delivers signals to)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def handle(signum: int, frame: Any) -> None:
        nonlocal stopping
        if stopping:
            print("already stopping: writing the files (kill -9 to abort at once).", file=sys.stderr)
            return
        stopping = True
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handle) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def ignore_interrupts() -> None:
    """For a tool's last moments, after its files and exit code are settled: a late signal
    would only replace the exit code with a traceback."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
