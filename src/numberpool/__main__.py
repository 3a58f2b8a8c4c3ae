"""``python -m numberpool``: the ``numberpool`` command (see :mod:`numberpool.server.cli`)."""

import sys

from numberpool.server.cli import main

sys.exit(main())
