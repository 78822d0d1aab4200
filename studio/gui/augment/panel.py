"""The Augment tab: make a balanced or augmented dataset from a run, and check whether its synthetic
images help a classifier.

Opening the run, exporting and checking run as tasks on the ThreadHost (the jobs are plain functions
in :mod:`studio.core.augment.jobs`); the GUI thread only shows their answers.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from studio.core.augment import jobs
from studio.core.augment.jobs import AugmentInfo
from studio.gui.augment.dataset_box import DatasetBox
from studio.gui.augment.messages import say
from studio.gui.augment.usefulness_box import UsefulnessBox
from studio.gui.naming import named
from studio.gui.tasks import JobSlots, ThreadHost

NO_RUN = "Train a run or open one to make an augmented dataset."
NO_CLASSES_CHECK = ("The usefulness check needs a model that knows the classes; train one with Conditional 'auto' "
                    "or 'on'.")
NO_LABELS_CHECK = "The usefulness check needs labelled data with at least two classes (one sub-folder per class)."


class AugmentPanel(QWidget):
    """``opened`` follows each run opened, ``exported(result)`` each export, ``checked(result)`` each check and
    ``failed(sentence)`` each job that failed, once the panel is ready for the next job."""

    opened = Signal()
    exported = Signal(object)
    checked = Signal(object)
    failed = Signal(str)

    def __init__(self, threads: ThreadHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("augmentPanel")
        self._threads = threads
        self._run_path: Path | None = None
        self._training = False
        self._stale = False  # the run (or its checkpoints) changed since it was opened
        self._problem = ""  # why the run could not be opened
        self.info: AugmentInfo | None = None
        self._jobs = JobSlots(threads, self)

        self.header = named(QLabel(NO_RUN), "augmentHeader", "Which run the Augment tab uses")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.problem = named(QLabel(""), "augmentProblem", "Why the run cannot be augmented now")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.dataset_box = DatasetBox()
        self.usefulness_box = UsefulnessBox()

        scroll = named(QScrollArea(), "augmentDatasetScroll", "Balanced dataset settings")
        scroll.setWidget(self.dataset_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(380)
        scroll.setMaximumWidth(560)
        self.splitter = named(QSplitter(), "augmentSplitter", "Balanced dataset and usefulness check")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.usefulness_box)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.problem)
        layout.addWidget(self.splitter, 1)

        self.dataset_box.export_requested.connect(self.export_to)
        self.dataset_box.cancel_requested.connect(lambda: self._jobs.cancel("export"))
        self.usefulness_box.run_requested.connect(self.run_check)
        self.usefulness_box.cancel_requested.connect(lambda: self._jobs.cancel("check"))
        self._show_state()

    # --------------------------------------------------------------- opening
    def set_run(self, run_path: Path | None, training: bool) -> None:
        """The open run (None: none) and whether it is training; opens it when the tab is shown."""
        run_path = Path(run_path) if run_path is not None else None
        if run_path == self._run_path and training == self._training:
            return
        if run_path != self._run_path:
            self._jobs.forget("open")
            self.info, self._problem = None, ""
            self.dataset_box.show_result(None)
            self.dataset_box.show_message("")
        self._run_path, self._training = run_path, training
        self._stale = run_path is not None
        if self.isVisible():
            self._open()
        self._show_state()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._open()

    def _open(self) -> None:
        """Read the run again when it changed (a new run, or training that ended with new checkpoints)."""
        if not self._stale or self._training or self._run_path is None:
            return
        self._stale, self._problem = False, ""
        self._jobs.start("open", jobs.open_augment_run, self._run_path, doing="Opening the run",
                         on_result=self._on_opened, on_error=self._on_open_failed, on_done=lambda _: self._show_state())
        self._show_state()

    def _on_opened(self, info: AugmentInfo) -> None:
        self.info = info
        self.dataset_box.set_info(info)
        self.usefulness_box.set_info(info)
        self._show_state()
        self.opened.emit()

    def _on_open_failed(self, sentence: str) -> None:
        self.info, self._problem = None, sentence
        self._show_state()
        self.failed.emit(sentence)

    # ----------------------------------------------------------------- state
    def _show_state(self) -> None:
        """The header, the problem line and what can be pressed, from the run, the info and the jobs."""
        info, path, problem = self.info, self._run_path, self._problem
        if path is None:
            title, detail, reason = "", NO_RUN, NO_RUN
        elif self._training:
            title, detail = path.name, "training. Make an augmented dataset from it when training stops."
            reason = "Stop training first."
        elif info is None:
            title, detail = path.name, "could not be opened." if problem else "opening…"
            reason = problem or "Opening the run…"
        elif not info.has_checkpoint:
            title, detail = info.run_name, "has no checkpoint yet: train it to make an augmented dataset."
            reason = detail
        else:
            kind = "knows its classes" if info.conditional else "was trained without classes"
            title, detail = info.run_name, f"checkpoint at step {info.step:,}; the model {kind}. {info.held_out_note}"
            reason = info.data_problem
        self.header.setText(f"<b>{html.escape(title)}</b>: {html.escape(detail)}" if title else html.escape(detail))
        problem = problem or (info.data_problem if info is not None else "")
        say(self.problem, problem, error=True)
        ready = info is not None and info.ready and not self._training
        self.dataset_box.set_available(ready, reason)
        checkable = ready and info.conditional and info.labelled
        why_not = "" if not ready or checkable else NO_LABELS_CHECK if not info.labelled else NO_CLASSES_CHECK
        self.usefulness_box.set_available(checkable, why_not or reason)
        if why_not and not self._jobs.busy("check"):
            self.usefulness_box.show_message(why_not)
        if info is None:
            self.dataset_box.set_info(None)
            self.usefulness_box.set_info(None)

    # ---------------------------------------------------------------- export
    def export_to(self, folder: Path) -> None:
        """Write the augmented dataset chosen in the box into ``folder`` (a new 'augmented' folder inside
        it when it is not empty)."""
        if self.info is None or not self.info.ready or self._jobs.busy("export"):
            return
        self.dataset_box.set_busy(True)
        self._jobs.start("export", jobs.export_job, self.info.run_path, self.dataset_box.settings(), Path(folder),
                         doing="Exporting the augmented dataset", on_progress=self.dataset_box.show_progress,
                         on_result=self._on_exported, on_error=self._on_export_failed, on_done=self._on_export_done)

    def _on_export_done(self, cancelled: bool) -> None:
        self.dataset_box.set_busy(False)
        if cancelled:
            self.dataset_box.show_message("Export cancelled; nothing was written.")
        self._show_state()

    def _on_exported(self, result) -> None:
        self.dataset_box.show_result(result)
        self.exported.emit(result)

    def _on_export_failed(self, sentence: str) -> None:
        self.dataset_box.show_error(sentence)
        self.failed.emit(sentence)

    # ----------------------------------------------------------------- check
    def run_check(self, seeds: int, test_folder: Path | None = None) -> None:
        """The usefulness check on the run's held-out images, or on the real images in ``test_folder``."""
        if self.info is None or not self.info.ready or self._jobs.busy("check"):
            return
        self.usefulness_box.set_busy(True)
        self._jobs.start("check", jobs.usefulness_job, self.info.run_path, seeds, self.dataset_box.settings(),
                         test_folder, doing="The usefulness check", on_progress=self.usefulness_box.show_progress,
                         on_result=lambda result, path=self.info.run_path: self._on_checked(path, result),
                         on_error=self._on_check_failed, on_done=self._on_check_done)
        self._show_state()

    def _on_check_done(self, cancelled: bool) -> None:
        self.usefulness_box.set_busy(False)
        if cancelled:
            self.usefulness_box.show_message("Check cancelled; the last saved result stays.")
        self._show_state()

    def _on_checked(self, run_path: Path, result) -> None:
        if self.info is not None and self.info.run_path == run_path:  # else another run was opened meanwhile
            self.usefulness_box.show_result(result, self.info.step)
        self.checked.emit(result)

    def _on_check_failed(self, sentence: str) -> None:
        self.usefulness_box.show_error(sentence)
        if self.info is not None and not self.info.test_images:
            self.usefulness_box.offer_test_folder(True)
        self.failed.emit(sentence)

    # ------------------------------------------------------------------ jobs
    def busy(self) -> bool:
        return self._jobs.busy()
