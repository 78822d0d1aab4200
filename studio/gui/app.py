"""Start GAN Studio: the window first, the slow work (import torch, load the demo) behind it.

Qt is imported inside the functions, after the system libraries it needs have been checked, so a
machine that lacks them gets one sentence naming the packages instead of Qt's abort. The application
object itself comes from :mod:`studio.gui.application`, which the self-test uses too.
"""

from __future__ import annotations

import sys

from studio.gui.application import create_application
from studio.gui.system_libraries import report_missing

SELF_TEST_FLAG = "--self-test"  # check this installation end to end, offscreen, and exit (studio/gui/self_test.py)
QUIT_WHEN_SHOWN_FLAG = "--quit-when-shown"  # print the time the window was first shown, then quit (startup timing)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if SELF_TEST_FLAG in argv[1:]:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads
        if report_missing():
            return 1
        from studio.gui.self_test import run_self_test

        return run_self_test()
    if report_missing():
        return 1
    app = create_application([arg for arg in argv if arg != QUIT_WHEN_SHOWN_FLAG])
    from PySide6.QtCore import QTimer

    from studio.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if QUIT_WHEN_SHOWN_FLAG in argv[1:]:
        import time

        def shown() -> None:  # the first turn of the event loop: the window has been laid out and exposed
            print(f"window shown at {time.time():.3f}", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, shown)
    else:
        QTimer.singleShot(0, window.start)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
