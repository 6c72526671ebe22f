import sys

from zeroth_q.landscape.tool import main

sys.exit(main())
