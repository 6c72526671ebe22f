"""``python -m zeroth_q.run``: the command line lives in :mod:`zeroth_q.cli.main`."""

import sys

from zeroth_q.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
