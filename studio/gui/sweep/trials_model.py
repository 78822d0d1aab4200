"""The live trials table: a small model over the sweep's trial rows, updated as trials run."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from studio.core.sweep.results import TRIAL_COLUMNS, TrialRow, trial_cells

COLUMNS = TRIAL_COLUMNS


class TrialsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[TrialRow] = []
        self.live = False  # the sweep runs: a RUNNING trial is training now, not interrupted

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.message or (str(row.run_path) if row.run_path else None)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def cell(self, row: TrialRow, column: int) -> str:
        return trial_cells(row, self.live)[column]

    def set_live(self, live: bool) -> None:
        self.live = live
        if self.rows:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self.rows) - 1, 1))

    def set_rows(self, rows: list[TrialRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def update_trial(self, number: int, **changes: Any) -> None:
        """Change one trial's row (added when it is new), e.g. the running trial's steps and FD."""
        for position, row in enumerate(self.rows):
            if row.number == number:
                self.rows[position] = replace(row, **changes)
                self.dataChanged.emit(self.index(position, 0), self.index(position, len(COLUMNS) - 1))
                return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(TrialRow(number=number, params=changes.pop("params", {}), state=changes.pop("state", "RUNNING"),
                                  value=changes.pop("value", None), steps=changes.pop("steps", 0),
                                  seconds=changes.pop("seconds", 0.0), run_path=changes.pop("run_path", None), **changes))
        self.endInsertRows()

    def trial(self, position: int) -> TrialRow | None:
        return self.rows[position] if 0 <= position < len(self.rows) else None
