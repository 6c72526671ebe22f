"""``python -m zeroth_q.run``: the command line lives in :mod:`zeroth_q.cli.main`.

Its imports take seconds on a busy machine. Ctrl-C or SIGTERM meanwhile, before the tool
handles signals itself, says so in one line: the handler is installed by this module's first
statements, before any import of the tool, and exits at once (nothing has been written yet).
Raising ``KeyboardInterrupt`` there instead printed tracebacks: an interrupt inside a class
body under construction surfaces as ``RuntimeError: Error calling __set_name__`` (NumPy's
``finfo``), which no ``except KeyboardInterrupt`` catches. A signal during the interpreter's
own start-up (its ``site`` import, the first few tens of milliseconds) reaches Python's
defaults before this module runs; nothing here can change that.
"""

import os
import signal
import sys

STOPPED_BEFORE_THE_RUN = 130  # zeroth_q.cli.main.EXIT_CODES["interrupted"], not imported yet


def _stop_before_the_run(signum: int, frame: object) -> None:
    print("interrupted before the run started; nothing was written.", file=sys.stderr, flush=True)
    # os._exit: unwinding through half-done imports is what printed the tracebacks.
    os._exit(STOPPED_BEFORE_THE_RUN)


if __name__ == "__main__":
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stop_before_the_run)
    from zeroth_q.cli.main import main
    from zeroth_q.runs.interrupts import ignore_interrupts

    # main handles signals from its first statement (interrupt_once), then restores this
    # handler, which ignore_interrupts replaces as soon as main returns.
    code = main()
    ignore_interrupts()
    sys.exit(code)
