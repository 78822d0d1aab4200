"""Open GAN Studio: ``python main.py``."""

from studio.gui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
