"""What the command-line tests share: running the studio's CLI as a user would, and a tiny model."""

import subprocess
import sys

TINY = ["--demo-images", "64", "--latent-dim", "16", "--g-width", "8", "--d-width", "8", "--batch-size", "8"]


def studio(*args, timeout=180, env=None):
    """``python -m studio ARGS`` in a subprocess; the completed process, output captured as text."""
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)
