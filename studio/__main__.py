"""``python -m studio ...``: the headless command line."""

import sys

from studio.cli import main

sys.exit(main())
