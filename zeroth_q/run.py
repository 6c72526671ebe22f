"""``python -m zeroth_q.run``: the command line lives in :mod:`zeroth_q.cli.main`.

Its imports take seconds on a busy machine; a Ctrl-C meanwhile, before the tool handles
signals, says so in one line instead of a traceback (``import zeroth_q`` itself is lazy).
"""

import os
import sys

if __name__ == "__main__":
    try:
        from zeroth_q.cli.main import main
        from zeroth_q.runs.interrupts import ignore_interrupts
    except KeyboardInterrupt:
        print("interrupted before the run started; nothing was written.", file=sys.stderr, flush=True)
        # os._exit: an interrupt inside some extension modules' imports marks the
        # interpreter as killed by SIGINT, which sys.exit would turn into exit status -2.
        os._exit(130)
    code = main()
    ignore_interrupts()
    sys.exit(code)
