"""``python -m analysis``: see :mod:`analysis.cli`."""

import os
import sys

from analysis.cli import main

try:
    sys.exit(main())
except BrokenPipeError:
    # The reader (e.g. `| head`) closed the pipe: stop quietly.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
