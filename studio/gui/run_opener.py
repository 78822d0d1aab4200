"""Reopening a run folder: read off the GUI thread, and ask the analyst before a run (or a sweep) from
someone else reads a dataset outside its folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from studio.core.paths import runs_dir
from studio.core.run_snapshot import RunSnapshot, open_snapshot
from studio.gui.naming import named
from studio.gui.tasks import ThreadHost


class RunOpener(QObject):
    """``opened(RunSnapshot)`` once a run is read (and its dataset approved); ``failed(str)`` otherwise."""

    opened = Signal(object)
    failed = Signal(str)

    def __init__(self, threads: ThreadHost, window: QWidget) -> None:
        super().__init__(window)
        self.threads, self.window = threads, window

    def ask_folder(self) -> Path | None:
        """The run folder the analyst picks (the studio's runs folder first), or None."""
        folder = QFileDialog.getExistingDirectory(self.window, "Open a run folder", str(runs_dir()))
        return Path(folder) if folder else None

    def open(self, path: Path, data: str | None = None) -> None:
        """Read the run at ``path``; ``data`` is a dataset the analyst approved for it."""
        self.threads.run(open_snapshot, Path(path), data, doing="Opening the run", on_result=self._on_snapshot,
                         on_error=self.failed.emit)

    def _on_snapshot(self, snapshot: RunSnapshot) -> None:
        if not snapshot.foreign_source:
            self.opened.emit(snapshot)
            return
        data = self.ask_for_data(snapshot)
        if data:
            self.open(snapshot.path, data)
        else:
            self.failed.emit(f"'{snapshot.path.name}' was not opened: its dataset was not approved.")

    def ask_for_data(self, snapshot: RunSnapshot) -> str | None:
        """The dataset the analyst lets a run from elsewhere read: its own, another one, or None to not open it."""
        return ask_for_foreign_data(self.window, "run", snapshot.path.name, snapshot.foreign_source)


def ask_for_foreign_data(parent: QWidget, kind: str, name: str, source: str) -> str | None:
    """Ask the analyst before a ``kind`` ("run" or "sweep") folder from elsewhere reads its dataset outside
    the folder: the recorded ``source``, another dataset they choose, or None (not opened)."""
    box = QMessageBox(QMessageBox.Icon.Question, f"Dataset outside the {kind}",
                      f"The {kind} '{name}' was not created by this studio and reads its dataset from "
                      f"'{source}', outside the {kind} folder. Read that dataset, or choose another?", parent=parent)
    box.setObjectName("foreignDataQuestion")
    use = box.addButton("Use this dataset", QMessageBox.ButtonRole.AcceptRole)
    choose = box.addButton("Choose another…", QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    for button, object_name in ((use, "useRecordedDataButton"), (choose, "chooseOtherDataButton"),
                                (cancel, "cancelOpenRunButton")):
        named(button, object_name, button.text().rstrip("…"))
    box.exec()
    if box.clickedButton() is use:
        return source
    if box.clickedButton() is choose:
        return QFileDialog.getExistingDirectory(parent, f"Choose the dataset for this {kind}", str(Path.home())) or None
    return None


def approve_sweep_data(parent: QWidget, folder: Path, spec) -> str:
    """Ask, as for a run, before a sweep from elsewhere reads a dataset outside its ``folder``; the answer
    is recorded in ``spec`` (sealed as chosen here). Returns "" when approved, else the sentence why not."""
    from studio.core.data_source import DataSourceNotApproved

    try:
        spec.data_config(folder)
        return ""
    except DataSourceNotApproved as refusal:
        source = ask_for_foreign_data(parent, "sweep", folder.name, refusal.source)
    if not source:
        return f"The sweep '{folder.name}' was not continued: its dataset was not approved."
    spec.use_data_source(source)
    return ""
