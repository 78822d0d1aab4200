"""The Dataset dock: where the images come from, how they are sized, and what was found.

Shows loading progress (with Cancel), the validation report (image count, classes with their
counts, duplicates, sizes and shapes, every skipped file with its reason) and thumbnails of real
images, filtered by class. Loading itself runs as a background task; this panel only asks for
it (``load_requested``, ``cancel_requested``) and shows the outcome.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QProgressBar, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)
from superqt.utils import qdebounced, signals_blocked

from studio.core.config import DEMO_SOURCE, DataConfig
from studio.core.imaging import make_grid
from studio.gui.widgets.config_form import ConfigForm
from studio.gui.widgets.form_scroll import FormScrollArea
from studio.gui.naming import named
from studio.gui.widgets.image_view import ImageView
from studio.core.data.jobs import DatasetSummary
from studio.core.data.validation import hidden_line

DEMO_LABEL = "Built-in demo"
CHOOSE_LABEL = "Choose folder…"
CHOOSE_FILE_LABEL = "Choose file…"
CHOOSE_FILE = "file"  # item data of the "Choose file…" entry (the folder entry's is None)
FILE_FILTER = ("Datasets (*.zip *.npz *.npy *.tar.gz *.tgz *idx3-ubyte *idx3-ubyte.gz);;All files (*)")
ALL_CLASSES = "All classes"
RELOAD_DELAY_MS = 400


class DatasetPanel(QWidget):
    """Picks the source and options; emits ``load_requested(DataConfig)`` when they change."""

    load_requested = Signal(object)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetPanel")
        self.source_combo = named(QComboBox(), "datasetSource", "Dataset source",
                                  "The built-in demo shapes, a folder of your images (sub-folders are classes), a zip, "
                                  "CIFAR, MNIST or NumPy file. You can also drop one onto the window.")
        self.source_combo.addItem(DEMO_LABEL, DEMO_SOURCE)
        self.source_combo.addItem(CHOOSE_LABEL, None)
        self.source_combo.addItem(CHOOSE_FILE_LABEL, CHOOSE_FILE)
        self._current_source = DEMO_SOURCE
        self._lock_reason = ""
        self.source_combo.activated.connect(self._on_source_activated)

        self.options_form = ConfigForm(DataConfig, "data", exclude=("source",))
        self.options_form.changed.connect(self._on_options_changed)
        self.options_form.editor("classes").setPlaceholderText("all classes")

        self.progress_bar = named(QProgressBar(), "datasetProgress", "Dataset loading progress")
        self.progress_bar.setFormat("Loading %v / %m")
        self.cancel_button = named(QPushButton("Cancel"), "datasetCancel", "Cancel loading the dataset")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress_bar, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.hide()
        self.message_label = named(QLabel(), "datasetMessage", "Dataset problem")
        self.message_label.setWordWrap(True)
        self.message_label.setProperty("role", "error")
        self.message_label.hide()
        self.summary_label = named(QLabel("No images loaded yet."), "datasetSummary", "Dataset summary")
        self.summary_label.setWordWrap(True)

        self.details_label = named(QLabel(), "datasetDetails", "Duplicates, image sizes and shapes")
        self.details_label.setWordWrap(True)
        self.details_label.setProperty("role", "hint")
        self.class_filter = named(QComboBox(), "datasetClassFilter", "Show thumbnails of",
                                  "Show thumbnails of every class, or of one class only.")
        self.class_filter.currentIndexChanged.connect(self._show_thumbnails)
        self.preview = named(ImageView("The preview appears once the images are loaded."),
                             "datasetPreview", "Preview of real images")
        self.preview.setMinimumSize(120, 96)
        self._summary: DatasetSummary | None = None
        self.classes = named(QTreeWidget(), "datasetClasses", "Classes and image counts")
        self.classes.setHeaderLabels(["Class", "Images", "For testing"])
        self.classes.headerItem().setToolTip(2, "Real images a new run keeps out of training (the held-out test share), "
                                                "so the usefulness check tests on images no model has seen.")
        self.classes.setRootIsDecorated(False)
        self.classes.setMaximumHeight(130)
        self.classes.setMinimumHeight(48)
        self.skipped_box = QGroupBox("Skipped files")
        self.skipped_list = named(QListWidget(), "datasetSkipped", "Skipped files and reasons")
        self.skipped_list.setMaximumHeight(110)
        QVBoxLayout(self.skipped_box).addWidget(self.skipped_list)
        self.skipped_box.hide()

        source_row = QFormLayout()
        source_row.setContentsMargins(0, 0, 0, 0)
        source_label = QLabel("Source")
        source_label.setBuddy(self.source_combo)
        source_row.addRow(source_label, self.source_combo)
        content = QWidget()
        # the dock may be shorter than all the options: scroll, never squeeze the window
        scroll = named(FormScrollArea(content), "datasetScroll", "Dataset options and report")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(source_row)
        layout.addWidget(self.options_form)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.details_label)
        layout.addWidget(self.class_filter)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.classes)
        layout.addWidget(self.skipped_box)

        self._request_load = qdebounced(self._emit_load, timeout=RELOAD_DELAY_MS)

    def data_config(self) -> DataConfig | None:
        """The chosen source and options, or None while an option is invalid."""
        self.options_form.set_hidden("source", self._current_source)
        return self.options_form.value()

    def problems(self) -> dict[str, str]:
        return self.options_form.problems()

    def set_config(self, config: DataConfig) -> None:
        """Show a config (from settings or a reopened run) without asking for a load."""
        self._select_source(config.source)
        with signals_blocked(self.options_form):
            self.options_form.set_values(config)

    def add_folders(self, folders: list[str]) -> None:
        """Offer datasets (folders or files) used before in the source list (the current choice stays selected)."""
        for folder in folders:
            if self.source_combo.findData(folder) < 0:
                index = self.source_combo.findData(None)
                self.source_combo.insertItem(index, Path(folder).name or folder, folder)
                self.source_combo.setItemData(index, folder, Qt.ItemDataRole.ToolTipRole)

    def recent_folders(self) -> list[str]:
        """The datasets in the source list, most recently chosen first."""
        return [self.source_combo.itemData(i) for i in range(1, self.source_combo.findData(None))]

    def use_source(self, source: str) -> None:
        """Make ``source`` (a dropped or chosen path) the dataset and load it."""
        self._select_source(source)
        self._emit_load()

    def set_locked(self, reason: str) -> None:
        """While training the data cannot change; ``reason`` says why, "" unlocks."""
        self.source_combo.setEnabled(not reason)
        self.source_combo.setToolTip(reason or self.source_combo.accessibleDescription())
        self._lock_reason = reason
        self._refresh_enabled()

    def _refresh_enabled(self) -> None:
        if self._lock_reason:
            self.options_form.set_locked(self._lock_reason)
        elif self._current_source != DEMO_SOURCE:
            editable = tuple(name for name in self.options_form.field_names() if name != "demo_images")
            self.options_form.set_locked("Only the built-in demo uses this setting.", editable=editable)
        else:
            self.options_form.set_locked("")

    def show_loading(self, done: int, total: int) -> None:
        self.message_label.hide()
        self.progress_row.show()
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)

    def show_error(self, sentence: str) -> None:
        self.progress_row.hide()
        self.message_label.setText(sentence)
        self.message_label.show()

    def show_summary(self, summary: DatasetSummary) -> None:
        self.progress_row.hide()
        self.message_label.hide()
        classes = len(summary.class_counts)
        self.summary_label.setText(
            f"{summary.count:,} images · {summary.resolution}×{summary.resolution} px · "
            f"{classes} {'class' if classes == 1 else 'classes'}"
            + (f" · {summary.held_out_total:,} kept apart for testing" if summary.held_out_total else "")
        )
        self.details_label.setText(report_details(summary.report))
        self.details_label.setVisible(bool(summary.report))
        self._summary = summary
        with signals_blocked(self.class_filter):
            self.class_filter.clear()
            self.class_filter.addItem(ALL_CLASSES, None)
            for name in summary.class_counts:
                self.class_filter.addItem(name, name)
        self.class_filter.setVisible(classes > 1)
        self.classes.clear()
        for name, count in summary.class_counts.items():
            item = QTreeWidgetItem([name, f"{count:,}", f"{summary.held_out.get(name, 0):,}"])
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.classes.addTopLevelItem(item)
        self.classes.resizeColumnToContents(0)
        self._show_thumbnails()
        self.skipped_list.clear()
        for skipped in summary.skipped:
            self.skipped_list.addItem(f"{skipped.path}: {skipped.reason}")
            self.skipped_list.item(self.skipped_list.count() - 1).setToolTip(f"{skipped.path}: {skipped.reason}")
        self.skipped_box.setTitle(f"Skipped files ({len(summary.skipped)})")
        self.skipped_box.setVisible(bool(summary.skipped))

    def _show_thumbnails(self) -> None:
        if self._summary is None:
            return
        chosen = self.class_filter.currentData()
        images = self._summary.previews.get(chosen, self._summary.preview) if chosen else self._summary.preview
        self.preview.set_image(make_grid(images, nrow=8) if len(images) else None)

    def _select_source(self, source: str) -> None:
        """Select ``source``; a dataset path moves to the top of the recent ones."""
        if source != DEMO_SOURCE:
            with signals_blocked(self.source_combo):
                existing = self.source_combo.findData(source)
                if existing >= 0:
                    self.source_combo.removeItem(existing)
                self.source_combo.insertItem(1, Path(source).name or source, source)
                self.source_combo.setItemData(1, source, Qt.ItemDataRole.ToolTipRole)
        self.source_combo.setCurrentIndex(self.source_combo.findData(source))
        self._current_source = source
        self._refresh_enabled()

    def _on_source_activated(self, index: int) -> None:
        source = self.source_combo.itemData(index)
        if source is None:
            source = QFileDialog.getExistingDirectory(self, "Choose a folder of images")
        elif source == CHOOSE_FILE:
            source, _ = QFileDialog.getOpenFileName(self, "Choose a dataset file", "", FILE_FILTER)
        if not source:
            self._select_source(self._current_source)
            return
        self.use_source(source)

    def _on_options_changed(self) -> None:
        if self.options_form.value() is not None:
            self._request_load()

    def _emit_load(self) -> None:
        config = self.data_config()
        if config is not None:
            self.load_requested.emit(config)


def report_details(report: dict) -> str:
    """Duplicates, sizes and shapes from the validation report, in a few short lines."""
    if not report:
        return ""
    groups = report["duplicate_groups"]
    lines = [f"{groups} exact-duplicate {'group' if groups == 1 else 'groups'}" if groups else "No exact duplicates"]
    sizes = [f"{label} {count:,}" for label, count in report["sizes"].items() if count]
    shapes = [f"{label} {count:,}" for label, count in report["aspects"].items() if count]
    if sizes:
        lines.append("Shorter side: " + " · ".join(sizes))
    if shapes:
        lines.append("Shape: " + " · ".join(shapes))
    if hidden_line(report):
        lines.append(hidden_line(report))
    return "\n".join(lines)
