"""How many synthetic images to add: the target choice and the live per-class table it fills.

The table is worked out here with ``synthetic_targets`` (plain arithmetic, no model), so it follows
every change at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QDoubleSpinBox, QGridLayout, QHeaderView, QLabel,
                               QRadioButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from superqt.utils import signals_blocked

from studio.core.augment.targets import MAX_IMAGES, Target, synthetic_targets
from studio.gui.naming import named

COLUMNS = ("Class", "Real (training)", "Synthetic to add", "Total")
VISIBLE_ROWS = 12
NO_CLASSES_NOTE = ("This model was trained without classes, so it cannot top up a chosen class; it adds a number of "
                   "synthetic images instead.")
SORTED_NOTE = " A classifier trained on the real images sorts them into the class folders."


class TargetControls(QWidget):
    """Emits ``changed`` whenever the target (and so the table) changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[str, int] = {}
        self._conditional = True
        self.balance = named(QRadioButton("Top up every class to the largest class"), "augmentTargetBalance",
                             "Top up every class to the largest class",
                             "Add synthetic images to every smaller class until it has as many as the largest.")
        self.per_class = named(QRadioButton("Up to"), "augmentTargetPerClass", "Up to a number of images per class",
                               "Add synthetic images to every class until it has this many images.")
        self.per_class_value = named(QSpinBox(), "augmentPerClassValue", "Images per class",
                                     "Every class is topped up to this many images (real and synthetic).")
        self.per_class_value.setRange(1, MAX_IMAGES)
        self.per_class_value.setSuffix(" images per class")
        self.factor = named(QRadioButton("Grow every class by"), "augmentTargetFactor", "Grow every class by a factor",
                            "Every class grows to this multiple of its real images.")
        self.factor_value = named(QDoubleSpinBox(), "augmentFactorValue", "Growth factor",
                                  "2× doubles every class: as many synthetic images as real ones.")
        self.factor_value.setRange(1.0, 100.0)
        self.factor_value.setSingleStep(0.5)
        self.factor_value.setDecimals(1)
        self.factor_value.setValue(2.0)
        self.factor_value.setSuffix(" ×")
        self.count_label = QLabel("Add")
        self.count_value = named(QSpinBox(), "augmentCountValue", "Synthetic images to add",
                                 "How many synthetic images to add in all.")
        self.count_value.setRange(1, MAX_IMAGES)
        self.count_value.setValue(1000)
        self.count_value.setSuffix(" synthetic images")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setProperty("role", "hint")
        self.table = named(QTableWidget(0, len(COLUMNS)), "augmentClassTable", "Images per class",
                           "Per class: real training images, synthetic images the target adds, and the total.")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.modes = QButtonGroup(self)
        for button in (self.balance, self.per_class, self.factor):
            self.modes.addButton(button)
        self.balance.setChecked(True)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.balance, 0, 0, 1, 2)
        left = Qt.AlignmentFlag.AlignLeft
        grid.addWidget(self.per_class, 1, 0, left)
        grid.addWidget(self.per_class_value, 1, 1)
        grid.addWidget(self.factor, 2, 0, left)
        grid.addWidget(self.factor_value, 2, 1)
        grid.addWidget(self.count_label, 3, 0, left)
        grid.addWidget(self.count_value, 3, 1)
        grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.note)
        layout.addWidget(self.table)

        self.modes.buttonToggled.connect(lambda *_: self._update())
        for spin in (self.per_class_value, self.factor_value, self.count_value):
            spin.valueChanged.connect(self._update)
        self.set_classes({}, conditional=True, labelled=True)

    def set_classes(self, real_counts: dict[str, int], conditional: bool, labelled: bool) -> None:
        """The run's training images per class; a model without classes gets a count instead of per-class targets."""
        self._counts, self._conditional = dict(real_counts), conditional
        largest, total = max(real_counts.values(), default=0), sum(real_counts.values())
        with signals_blocked(self.per_class_value), signals_blocked(self.count_value):
            self.per_class_value.setValue(2 * largest if largest else 1000)
            self.count_value.setValue(max(1, min(total, MAX_IMAGES)) if total else 1000)
        for widget in (self.balance, self.per_class, self.per_class_value, self.factor, self.factor_value):
            widget.setVisible(conditional)
        for widget in (self.count_label, self.count_value):
            widget.setVisible(not conditional)
        self.note.setText("" if conditional else NO_CLASSES_NOTE + (SORTED_NOTE if labelled else ""))
        self.note.setVisible(not conditional)
        self._update()

    def target(self) -> Target:
        if not self._conditional:
            return Target("count", self.count_value.value())
        if self.per_class.isChecked():
            return Target("per_class", self.per_class_value.value())
        if self.factor.isChecked():
            return Target("factor", round(self.factor_value.value(), 1))
        return Target("balance")

    def added(self) -> dict[str, int]:
        """Synthetic images per class the target adds ('' holds the total for a model without classes)."""
        return synthetic_targets(self._counts, self.target())

    def _update(self) -> None:
        self.per_class_value.setEnabled(self.per_class.isChecked())
        self.factor_value.setEnabled(self.factor.isChecked())
        added = self.added()
        rows = [(name, count, added.get(name)) for name, count in self._counts.items()]
        real_total = sum(self._counts.values())
        added_total = sum(added.values())
        self.table.setRowCount(len(rows) + 1 if rows else 0)
        for row, (name, real, extra) in enumerate(rows):
            self._set_row(row, name, real, extra, bold=False)
        if rows:
            self._set_row(len(rows), "All classes", real_total, added_total, bold=True)
        self._fit_height()
        self.changed.emit()

    def _fit_height(self) -> None:
        """As tall as its rows, up to ``VISIBLE_ROWS`` (then it scrolls)."""
        shown = min(max(self.table.rowCount(), 1), VISIBLE_ROWS)
        rows = self.table.verticalHeader().defaultSectionSize() * shown
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + rows + 2 * self.table.frameWidth())

    def _set_row(self, row: int, name: str, real: int, extra: int | None, bold: bool) -> None:
        values = (name, f"{real:,}", "—" if extra is None else f"+{extra:,}",
                  "—" if extra is None else f"{real + extra:,}")
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if bold:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(row, column, item)

    def cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""
