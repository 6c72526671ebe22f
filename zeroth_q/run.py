"""``python -m zeroth_q.run``: the command line lives in :mod:`zeroth_q.cli.main`."""

import sys

from zeroth_q.cli.interrupts import ignore_interrupts
from zeroth_q.cli.main import main

if __name__ == "__main__":
    code = main()
    ignore_interrupts()
    sys.exit(code)
