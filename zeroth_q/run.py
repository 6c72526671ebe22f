"""``python -m zeroth_q.run``: the command line lives in :mod:`zeroth_q.cli.main`."""

import sys

from zeroth_q.cli.main import main
from zeroth_q.runs.interrupts import ignore_interrupts

if __name__ == "__main__":
    code = main()
    ignore_interrupts()
    sys.exit(code)
