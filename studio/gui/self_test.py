"""``gan-studio --self-test``: a short check that this installation works, through the real window.

It opens the main window offscreen, loads the demo set, trains a tiny model for a few steps, renders
a sample, exports one image and the run's report, decodes a small folder of images in worker
processes, and prints one line per step. Everything it writes
(runs, settings, exports) goes to a temporary folder that is removed afterwards. It exits 0 when all
steps pass, or 1 with the failing step in one sentence; a time limit ends it even if something hangs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

TIME_LIMIT_ENV = "GAN_STUDIO_SELF_TEST_SECONDS"
DEFAULT_TIME_LIMIT_S = 180.0
STEP_LIMIT_S = 90.0
TRAIN_STEPS = 20


class StepFailed(Exception):
    """A step did not do what it should; the message is one sentence."""


def tiny_config():
    """A run that trains in a second or two on a laptop CPU: 16 px, 128 demo images, an 8-channel DCGAN."""
    from studio.core.config import DataConfig, ModelConfig, RunConfig, TrainConfig

    return RunConfig(
        data=DataConfig(resolution=16, demo_images=128),
        model=ModelConfig(latent_dim=16, g_width=8, d_width=8),
        train=TrainConfig(steps=TRAIN_STEPS, batch_size=16, log_every=5, sample_every=10, checkpoint_every=10,
                          device="cpu"),
    )


def _wait(app, done: Callable[[], bool], failed: Callable[[], str] = lambda: "", seconds: float = STEP_LIMIT_S,
          doing: str = "") -> None:
    """Run the event loop until ``done()``; raise with ``failed()``'s sentence, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not done():
        problem = failed()
        if problem:
            raise StepFailed(problem)
        if time.monotonic() > deadline:
            raise StepFailed(f"{doing} did not finish within {seconds:.0f} s.")
        app.processEvents()
        time.sleep(0.01)


class SelfTest:
    def __init__(self, folder: Path, out: TextIO) -> None:
        self.folder, self.out = folder, out
        self.app = self.window = None
        self.exported_images: list[Path] = []
        self.report_files: list[Path] = []

    # Each step returns a few words on what it found.
    def open_window(self) -> str:
        from studio import __version__
        from studio.gui.application import create_application
        from studio.gui.settings import StudioSettings

        self.app = create_application([sys.argv[0] if sys.argv else "gan-studio"])
        settings = StudioSettings()  # the temporary home's settings: the window starts on the tiny run
        settings.set_run_config(tiny_config())
        settings.sync()
        from studio.gui.main_window import MainWindow

        self.window = MainWindow()
        self.window.show()
        _wait(self.app, self.window.isVisible, seconds=30, doing="Showing the window")
        return f"GAN Studio {__version__}, Qt platform '{self.app.platformName()}'"

    def load_demo(self) -> str:
        window = self.window
        window.start()
        _wait(self.app, lambda: window.session.dataset is not None, lambda: window.session.dataset_error,
              doing="Loading the demo set")
        dataset = window.session.dataset
        return f"{len(dataset):,} images in {len(dataset.class_names)} classes"

    def train(self) -> str:
        window, ended = self.window, []
        window.training_ended.connect(lambda: ended.append(True))
        _wait(self.app, lambda: not window.session.device_problem and window.training_panel.train_button.isEnabled(),
              lambda: window.session.device_problem, seconds=30, doing="Enabling the Train button")
        began = time.perf_counter()
        window.training_panel.train_button.click()
        _wait(self.app, lambda: bool(ended), doing="Training")
        step = window.session.run_step
        if step != TRAIN_STEPS or not window.session.run_has_checkpoint:
            raise StepFailed(f"Training stopped at step {step} without its checkpoint: "
                             f"{window.training_panel.message_label.text() or 'no reason given'}")
        return f"{step} steps in {time.perf_counter() - began:.1f} s on {window.device_label.text().removeprefix('Device: ')}"

    def render(self) -> str:
        panel, shown = self.window.samples_panel, []
        panel.samples_shown.connect(lambda: shown.append(True))
        panel.new_noise_button.click()
        _wait(self.app, lambda: bool(shown), seconds=60, doing="Rendering a sample")
        grid = panel.view.image_array()
        if grid is None or grid.std() == 0:
            raise StepFailed("The rendered sample grid is empty.")
        return f"a {grid.shape[1]}×{grid.shape[0]} px grid"

    def export_image(self) -> str:
        panel, finished, failed, folder = self.window.samples_panel, [], [], self.folder / "images"
        panel.export_finished.connect(finished.append)
        panel.export_failed.connect(failed.append)
        panel.export_to(folder, 1, seed=0)
        _wait(self.app, lambda: bool(finished), lambda: failed[0] if failed else "", seconds=60,
              doing="Exporting an image")
        self.exported_images = [Path(p) for p in finished[0] if Path(p).is_file()]
        if len(self.exported_images) != 1:
            raise StepFailed(f"The export wrote {len(self.exported_images)} images instead of 1.")
        return self.exported_images[0].name

    def report(self) -> str:
        panel, drafted, exported, failed = self.window.report_panel, [], [], []
        folder = self.folder / "report"
        panel.drafted.connect(lambda: drafted.append(True))
        panel.exported.connect(exported.append)
        panel.failed.connect(failed.append)
        _wait(self.app, panel.draft_button.isEnabled, seconds=10, doing="Enabling Draft report")
        panel.draft_button.click()
        _wait(self.app, lambda: bool(drafted), lambda: failed[0] if failed else "", doing="Drafting the report")
        panel.set_formats(["html"])
        panel.export_to(folder)
        _wait(self.app, lambda: bool(exported), lambda: failed[0] if failed else "", doing="Exporting the report")
        self.report_files = [Path(p) for p in exported[0]]
        html = folder / "report.html"
        if not html.is_file() or "<html" not in html.read_text(encoding="utf-8", errors="replace").lower():
            raise StepFailed(f"The report export did not write {html.name}.")
        return f"{len(self.report_files)} files, report.html {html.stat().st_size:,} bytes"

    def load_folder(self) -> str:
        """Decode a small folder of images: the path that starts worker processes (in the bundled app, copies
        of its own executable)."""
        from PIL import Image

        source = self.folder / "folder-data"
        for label, colour in (("red", (220, 60, 60)), ("blue", (60, 90, 220))):
            (source / label).mkdir(parents=True)
            for index in range(6):
                Image.new("RGB", (24 + index, 20), colour).save(source / label / f"{index}.png")
        window = self.window
        window.new_run_action.trigger()  # the trained run fixed the dataset; a new run frees it, as a user would
        window.dataset_panel.use_source(str(source))
        config = lambda: window.session.dataset_config  # noqa: E731
        _wait(self.app, lambda: window.session.dataset is not None and config() is not None
              and config().source == str(source), lambda: window.session.dataset_error, doing="Decoding the folder")
        dataset = window.session.dataset
        return f"{len(dataset)} images in {len(dataset.class_names)} classes"

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            _wait(self.app, lambda: not self.window.isVisible(), seconds=30, doing="Closing the window")


STEPS = (("open the main window", "open_window"), ("load the demo set", "load_demo"),
         ("train a few steps", "train"), ("render a sample", "render"), ("export one image", "export_image"),
         ("draft and export the report", "report"), ("decode a folder in worker processes", "load_folder"))


def run_self_test(out: TextIO | None = None, time_limit_s: float | None = None) -> int:
    """Run every step; 0 when all pass, 1 otherwise (the failing step said in one sentence)."""
    out = out or sys.stdout
    limit = time_limit_s or float(os.environ.get(TIME_LIMIT_ENV, DEFAULT_TIME_LIMIT_S))

    def say(line: str) -> None:
        if out is not None:  # a windowed app on Windows has no console
            print(line, file=out, flush=True)

    folder = Path(tempfile.mkdtemp(prefix="gan-studio-self-test-"))

    def give_up() -> None:  # the event loop itself may be stuck: end the process from this thread
        say(f"Self-test failed: it did not finish within {limit:.0f} s.")
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    watchdog = threading.Timer(limit, give_up)
    watchdog.daemon = True
    watchdog.start()
    from studio.core.paths import HOME_ENV

    os.environ[HOME_ENV] = str(folder / "home")  # runs and settings go to the temporary folder
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    test = SelfTest(folder, out)
    began = time.perf_counter()
    status = 0
    try:
        for number, (name, method) in enumerate(STEPS, 1):
            step_began = time.perf_counter()
            try:
                found = getattr(test, method)()
            except StepFailed as error:
                say(f"Self-test failed at step {number} ({name}): {error}")
                status = 1
                break
            except Exception as error:  # noqa: BLE001 (an unexpected error is a failed step, said in one line)
                say(f"Self-test failed at step {number} ({name}): {type(error).__name__}: {error}")
                status = 1
                break
            say(f"[{number}/{len(STEPS)}] {name}: ok ({found}; {time.perf_counter() - step_began:.1f} s)")
        try:
            test.close()
        except StepFailed as error:
            say(f"Self-test failed while closing the window: {error}")
            status = 1
    finally:
        watchdog.cancel()
        shutil.rmtree(folder, ignore_errors=True)
    if status == 0:
        say(f"Self-test passed in {time.perf_counter() - began:.1f} s.")
    return status
