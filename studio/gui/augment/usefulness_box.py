"""The "Usefulness check" group: seeds, Run check with progress and Cancel, then the verdict, the
accuracy and per-class recall charts and the table of the five ways.

When the run keeps no test images apart, the box offers "Choose test images…" (a folder dialog);
the panel runs the check.
"""

from __future__ import annotations

from pathlib import Path

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QBoxLayout, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from studio.core.augment.jobs import AugmentInfo
from studio.gui.augment.charts import AccuracyChart, RecallChart, recall_legend_html
from studio.gui.augment.messages import say
from studio.gui.formatting import format_duration
from studio.gui.naming import named

TABLE_COLUMNS = ("Trained on", "Accuracy", "Macro-F1")
INTRO = ("Does adding synthetic images help a classifier? The same small classifier is trained five ways and tested "
         "on real images no model has seen; synthetic images pass the quality gates chosen on the left.")
NOT_RUN = "Not run yet for this run."
VERDICT_STYLE = ("QLabel { font-size: 10pt; padding: 8px; border-radius: 4px; background: #eef5fc; "
                 "border: 1px solid #b6d4f2; color: #1a1a1a; }")
SIDE_BY_SIDE_WIDTH = 820  # charts sit side by side above this width, one above the other below it


class UsefulnessBox(QGroupBox):
    """``run_requested(seeds, folder)``: folder is None to test on the run's own held-out images."""

    run_requested = Signal(int, object)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Usefulness check", parent)
        self.setObjectName("augmentUsefulnessBox")
        self._available, self._busy = False, False
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.seeds = named(QSpinBox(), "usefulnessSeeds", "Seeds",
                           "How many times each way is trained with a different seed; more seeds, steadier figures.")
        self.seeds.setRange(1, 20)
        self.seeds.setValue(3)
        self.seeds.setPrefix("seeds: ")
        self.run_button = named(QPushButton("Run check"), "usefulnessRunButton", "Run the usefulness check",
                                "Train the small classifier five ways and test it on real images it has never seen.")
        self.choose_test = named(QPushButton("Choose test images…"), "usefulnessChooseTest", "Choose test images",
                                 "Run the check on a folder of real images the run has never seen (one sub-folder "
                                 "per class, named as in the training data).")
        self.progress = named(QProgressBar(), "usefulnessProgress", "Usefulness check progress")
        self.progress.setFormat("Checking… %p%")
        self.cancel_button = named(QPushButton("Cancel"), "usefulnessCancel", "Cancel the usefulness check",
                                   "Stop the check; the last saved result stays.")
        self.message = named(QLabel(NOT_RUN), "usefulnessMessage", "Usefulness check status")
        self.message.setWordWrap(True)
        self.verdict = named(QLabel(""), "usefulnessVerdict", "Usefulness verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setStyleSheet(VERDICT_STYLE)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.accuracy_chart = named(AccuracyChart(), "usefulnessAccuracyChart", "Accuracy of the five ways")
        self.recall_chart = named(RecallChart(), "usefulnessRecallChart", "Recall per class")
        self.recall_legend = QLabel(recall_legend_html())
        self.recall_legend.setWordWrap(True)
        self.recall_legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table = named(QTableWidget(0, len(TABLE_COLUMNS)), "usefulnessTable", "Usefulness figures",
                           "Accuracy and macro-F1 of each way, mean ± spread over the seeds.")
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.caption = named(QLabel(""), "usefulnessCaption", "What the check tested on")
        self.caption.setWordWrap(True)
        self.caption.setProperty("role", "hint")
        self._lay_out()
        self.run_button.clicked.connect(lambda: self.run_requested.emit(self.seeds.value(), None))
        self.choose_test.clicked.connect(self._ask_folder)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.set_busy(False)
        self.show_result(None)
        self.offer_test_folder(False)

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(self.seeds)
        controls.addWidget(self.run_button)
        controls.addWidget(self.choose_test)
        controls.addStretch(1)
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.cancel_button)
        self.charts = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        recall = QVBoxLayout()
        recall.setSpacing(2)
        recall.addWidget(self.recall_chart)
        recall.addWidget(self.recall_legend)
        self.charts.addWidget(self.accuracy_chart, 3)
        self.charts.addLayout(recall, 2)
        self.results = QWidget()
        results = QVBoxLayout(self.results)
        results.setContentsMargins(0, 0, 4, 0)
        results.addWidget(self.verdict)
        results.addLayout(self.charts)
        results.addWidget(self.table)
        results.addWidget(self.caption)
        results.addStretch(1)
        self.scroll = named(QScrollArea(), "usefulnessResults", "Usefulness check results")
        self.scroll.setWidget(self.results)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(controls)
        layout.addLayout(progress)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll, 1)
        layout.addStretch(0)  # takes the room while there are no results, so the controls stay at the top

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.charts.direction() != direction:
            self.charts.setDirection(direction)

    # ----------------------------------------------------------------- state
    def set_info(self, info: AugmentInfo | None) -> None:
        """The opened run: its saved result, and whether it has test images of its own."""
        self.offer_test_folder(info is not None and info.ready and not info.test_images)
        self.show_result(info.usefulness if info is not None else None, info.step if info is not None else 0)
        if info is not None and info.ready and not info.test_images and info.usefulness is None:
            say(self.message, "This run keeps no real images apart for testing; choose a folder of real images it "
                                 "has never seen to test on.")

    def set_available(self, available: bool, reason: str = "") -> None:
        self._available = available
        self._sync()
        self.run_button.setToolTip(self.run_button.accessibleDescription() if available else reason)
        self.choose_test.setToolTip(self.choose_test.accessibleDescription() if available else reason)

    def offer_test_folder(self, offer: bool) -> None:
        self.choose_test.setVisible(offer)

    def _sync(self) -> None:
        for widget in (self.seeds, self.run_button, self.choose_test):
            widget.setEnabled(self._available and not self._busy)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.run_button.setVisible(not busy)
        self._sync()
        if busy:
            say(self.message, "Training the classifier five ways… this takes a few minutes on a CPU.")

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    # ---------------------------------------------------------------- answers
    def show_result(self, result, step: int = 0) -> None:
        """A ``UsefulnessResult`` (None: nothing to show); ``step`` is the run's checkpoint now."""
        self.scroll.setVisible(result is not None)
        self.accuracy_chart.clear()
        self.recall_chart.clear()
        self.table.setRowCount(0)
        if result is None:
            self.verdict.clear()
            self.caption.clear()
            say(self.message, NOT_RUN)
            return
        say(self.message, "")
        self.verdict.setText(verdict_html(result.verdict()))
        self.accuracy_chart.show_result(result)
        self.recall_chart.show_result(result)
        rows = result.table()
        self.table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        height = self.table.horizontalHeader().height() + sum(self.table.rowHeight(r) for r in range(len(rows)))
        self.table.setFixedHeight(height + 2 * self.table.frameWidth())
        self.caption.setText(_caption(result, step))

    def show_error(self, sentence: str) -> None:
        say(self.message, sentence, error=True)

    def show_message(self, sentence: str) -> None:
        say(self.message, sentence)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose real test images the run has never seen")
        if folder:
            self.run_requested.emit(self.seeds.value(), Path(folder))


def verdict_html(verdict: str) -> str:
    """The verdict with its first sentence, the answer, in bold (class names escaped: they are file names)."""
    first, _, rest = verdict.partition(". ")
    if not rest:
        return html.escape(verdict)
    return f"<b>{html.escape(first)}.</b> {html.escape(rest)}"


def _caption(result, step: int) -> str:
    tested = sum(result.test_counts)
    seeds = f"{result.seeds} seed{'s' if result.seeds != 1 else ''}"
    rare = [result.class_names[c] for c in result.rare_classes]
    parts = [f"Tested on {result.test_source} ({tested:,} images); {seeds}; took {format_duration(result.seconds)}."]
    if rare:
        parts.append(f"Rare classes (fewer than half the largest class's images): {', '.join(rare)}.")
    if result.gates:
        parts.append(result.gates)
    if result.checkpoint_step and step and result.checkpoint_step != step:
        parts.append(f"Checked at step {result.checkpoint_step:,}; the run is now at step {step:,}, so run the check "
                     "again for the current model.")
    elif result.checkpoint_step:
        parts.append(f"Checkpoint at step {result.checkpoint_step:,}.")
    return " ".join(parts)
