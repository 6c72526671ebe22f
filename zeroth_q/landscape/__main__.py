"""``python -m zeroth_q.landscape``: see :mod:`zeroth_q.landscape.cli`."""

import sys

from zeroth_q.landscape.cli import main

sys.exit(main())
