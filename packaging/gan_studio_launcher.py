"""The bundled app's entry point: ``studio.gui.app:main``, made safe for a frozen executable.

``freeze_support()`` comes first: a worker process the studio starts runs this same executable, and
must become that worker instead of opening a second window. ``main`` checks the system libraries Qt
needs before Qt loads (one sentence naming the packages instead of Qt's abort) and handles
``--self-test``.
"""

import multiprocessing
import sys


def run() -> int:
    multiprocessing.freeze_support()
    from studio.gui.app import main

    return main(sys.argv)


if __name__ == "__main__":
    sys.exit(run())
