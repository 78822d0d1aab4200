"""``python -m studio ...``: the headless command line."""

import sys

from studio.cli.main import main

sys.exit(main())
