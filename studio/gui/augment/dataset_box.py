"""The "Balanced dataset" group: the target and its per-class table, the quality gates, how real images
are written, ψ, and Export with progress, Cancel and what was written.

The box asks where to write (a folder dialog) and says what was chosen; the panel runs the export.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QPlainTextEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from studio.core.augment.jobs import AugmentInfo, AugmentSettings
from studio.gui.augment.messages import say
from studio.gui.augment.target_controls import TargetControls
from studio.gui.naming import named

REAL_FILES = (("copy", "Copy the original files"), ("link", "Link the original files (saves disk space)"),
              ("resized", "Write them at the run's resolution"))
NO_CONFIDENCE_GATE = "The confidence gate needs labelled data with at least two classes (sub-folders)."


class DatasetBox(QGroupBox):
    """``export_requested(folder)`` carries the folder the analyst chose; ``cancel_requested`` stops the export."""

    export_requested = Signal(object)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Balanced dataset", parent)
        self.setObjectName("augmentDatasetBox")
        self._out_dir: Path | None = None
        self._available, self._busy = False, False
        self.intro = QLabel("Real training images plus synthetic ones, in the source's class folders, with a "
                            "manifest saying where every image came from. The run's test images are left out.")
        self.intro.setWordWrap(True)
        self.targets = TargetControls()
        self.confidence_gate = named(QCheckBox("Keep only samples the classifier is sure of"), "augmentConfidenceGate",
                                     "Keep only samples the classifier is sure of",
                                     "A small classifier trained on the real images must see the asked class in a "
                                     "sample with at least this confidence; others are dropped and replaced.")
        self.confidence = named(QSpinBox(), "augmentMinConfidence", "Minimum confidence",
                                "How sure the classifier must be that a sample shows its class.")
        self.confidence.setRange(50, 99)
        self.confidence.setValue(80)
        self.confidence.setSuffix(" %")
        self.confidence.setPrefix("at least ")
        self.copy_gate = named(QCheckBox("Drop near-copies of training images"), "augmentDropCopies",
                               "Drop near-copies of training images",
                               "A sample much closer to a training image than training images are to each other is "
                               "dropped and replaced: the model may have memorised it.")
        self.real_files = named(QComboBox(), "augmentRealFiles", "Real images",
                                "How the real training images go into the new folder. Sources that are not image "
                                "files (arrays, CIFAR, MNIST, the demo) are always written as PNGs.")
        for key, label in REAL_FILES:
            self.real_files.addItem(label, key)
        self.truncation = named(QDoubleSpinBox(), "augmentTruncation", "Truncation ψ",
                                "1 samples the whole model; below 1 trades variety for more typical-looking images.")
        self.truncation.setRange(0.05, 2.0)
        self.truncation.setSingleStep(0.05)
        self.truncation.setValue(1.0)
        self.export_button = named(QPushButton("Export dataset…"), "augmentExportButton", "Export dataset",
                                   "Choose a folder and write the augmented dataset into it (into a new 'augmented' "
                                   "folder when the chosen one is not empty).")
        self.export_button.setDefault(True)
        self.progress = named(QProgressBar(), "augmentExportProgress", "Export progress")
        self.progress.setFormat("Exporting… %p%")
        self.cancel_button = named(QPushButton("Cancel"), "augmentCancelExport", "Cancel the export",
                                   "Stop; nothing half-written is kept.")
        self.message = named(QLabel(""), "augmentExportMessage", "Export status")
        self.message.setWordWrap(True)
        self.lines = named(QPlainTextEdit(), "augmentExportLines", "What was written per class")
        self.lines.setReadOnly(True)
        self.lines.setMaximumHeight(110)
        self.open_folder = named(QPushButton("Open folder"), "augmentOpenFolder", "Open the exported folder",
                                 "Show the new dataset in the file manager.")
        self._lay_out()
        self.confidence_gate.toggled.connect(self.confidence.setEnabled)
        self.export_button.clicked.connect(self._ask_folder)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.open_folder.clicked.connect(self._open_folder)
        self.confidence.setEnabled(False)
        self.set_busy(False)
        self.show_result(None)

    def _lay_out(self) -> None:
        gates = QHBoxLayout()
        gates.addWidget(self.confidence_gate)
        gates.addWidget(self.confidence)
        gates.addStretch(1)
        self.choices = QWidget()
        form = QFormLayout(self.choices)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(gates)
        form.addRow(self.copy_gate)
        form.addRow("Real images", self.real_files)
        form.addRow("Truncation ψ", self.truncation)
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.cancel_button)
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        actions.addWidget(self.open_folder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.targets)
        layout.addWidget(self.choices)
        layout.addLayout(actions)
        layout.addLayout(progress)
        layout.addWidget(self.message)
        layout.addWidget(self.lines)
        layout.addStretch(1)

    # ----------------------------------------------------------------- state
    def set_info(self, info: AugmentInfo | None) -> None:
        """The opened run's classes and counts (None: nothing to export from)."""
        if info is None:
            self.targets.set_classes({}, conditional=True, labelled=True)
            return
        self.targets.set_classes(info.real_counts, info.conditional, info.labelled)
        self.confidence_gate.setEnabled(info.labelled)
        self.confidence_gate.setToolTip(self.confidence_gate.accessibleDescription() if info.labelled
                                        else NO_CONFIDENCE_GATE)
        if not info.labelled:
            self.confidence_gate.setChecked(False)
        if info.resolution:
            size = f"{info.resolution}×{info.resolution}"
            self.real_files.setItemText(self.real_files.findData("resized"),
                                        f"Write them as {size} PNGs (the run's size)")

    def set_available(self, available: bool, reason: str = "") -> None:
        """Enable the choices and Export; ``reason`` says on Export's tooltip why not."""
        self._available = available
        self.export_button.setToolTip(self.export_button.accessibleDescription() if available else reason)
        self._sync()

    def _sync(self) -> None:
        for widget in (self.targets, self.choices):
            widget.setEnabled(self._available)
        self.export_button.setEnabled(self._available and not self._busy)

    def settings(self) -> AugmentSettings:
        gate = self.confidence_gate.isChecked()  # unchecked and disabled for data without classes
        return AugmentSettings(target=self.targets.target(),
                               min_confidence=self.confidence.value() / 100 if gate else 0.0,
                               drop_copies=self.copy_gate.isChecked(), real_files=self.real_files.currentData(),
                               truncation=round(self.truncation.value(), 2))

    def set_busy(self, busy: bool) -> None:
        """While an export runs: progress and Cancel instead of Export."""
        self._busy = busy
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self._sync()
        if busy:
            self.show_result(None)
            say(self.message, "Generating the synthetic images and writing the folder…")

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    # ---------------------------------------------------------------- answers
    def show_result(self, result) -> None:
        """What an export wrote (an ``AugmentResult``), or nothing."""
        self._out_dir = None if result is None else Path(result.out_dir)
        self.lines.setVisible(result is not None)
        self.open_folder.setVisible(result is not None)
        if result is None:
            self.lines.clear()
            return
        real = sum(result.real.values())
        synthetic = sum(tally.kept for tally in result.tallies.values())
        sentences = [f"Wrote {real:,} real and {synthetic:,} synthetic images to {result.out_dir}."]
        if result.held_out:
            sentences.append(f"The run's {result.held_out:,} held-out test images are left out: keep them for testing.")
        if result.classifier_accuracy is not None:
            sentences.append(f"The classifier behind the gate was right on {result.classifier_accuracy:.0%} of real "
                             "images it had not trained on.")
        say(self.message, " ".join(sentences))
        self.lines.setPlainText("\n".join(result.lines()))

    def show_error(self, sentence: str) -> None:
        self.show_result(None)
        say(self.message, sentence, error=True)

    def show_message(self, sentence: str) -> None:
        say(self.message, sentence)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the augmented dataset into")
        if folder:
            self.export_requested.emit(Path(folder))

    def _open_folder(self) -> None:
        if self._out_dir is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._out_dir)))
