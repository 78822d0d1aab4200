"""The Sweep tab's controls: Start, Pause and Stop, the running sweep's status, why Start waits, and
what to do with the results (continue the best trial, write the report)."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from studio.gui.augment.messages import say
from studio.gui.naming import named

WAIT, ERROR, QUIET = "wait", "error", "quiet"


class Notice(NamedTuple):
    """A sentence for the problem line and how it shows: ``WAIT`` plain (it clears by itself), ``ERROR``
    styled as an error (the analyst must change something), ``QUIET`` only in Start's tooltip."""

    text: str
    kind: str = WAIT


READY = Notice("", QUIET)


class SweepControls(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_button = named(QPushButton("Start"), "startSweepButton", "Start sweep")
        self.pause_button = named(QPushButton("Pause"), "pauseSweepButton", "Pause sweep")
        self.stop_button = named(QPushButton("Stop"), "stopSweepButton", "Stop sweep",
                                 "Stop after the current step; Start continues the sweep later.")
        self.extra_steps = named(QSpinBox(), "continueBestSteps", "Extra steps for the best trial")
        self.extra_steps.setRange(1, 1_000_000)
        self.extra_steps.setValue(2000)
        self.extra_steps.setSingleStep(500)
        self.continue_button = named(QPushButton("Continue best trial"), "continueBestButton", "Continue best trial",
                                     "Open the best trial's run and train it further, like any run.")
        self.report_button = named(QPushButton("Sweep report…"), "sweepReportButton", "Sweep report",
                                   "Write the sweep's report as HTML, PDF or Markdown.")
        self.status_label = named(QLabel(""), "sweepStatus", "Sweep status")
        self.problem_label = named(QLabel(""), "sweepProblem", "Why the sweep cannot start now")
        self.problem_label.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Extra steps"))
        buttons.addWidget(self.extra_steps)
        buttons.addWidget(self.continue_button)
        buttons.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.problem_label)

    def show_notice(self, notice: Notice) -> None:
        say(self.problem_label, "" if notice.kind == QUIET else notice.text, error=notice.kind == ERROR)

    def set_start(self, blocker: Notice, text: str, tooltip: str) -> None:
        self.start_button.setEnabled(not blocker.text)
        self.start_button.setText(text)
        self.start_button.setToolTip(blocker.text or tooltip)

    def set_running(self, running: bool, paused: bool) -> None:
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)

    def set_continue(self, why_not: str, tooltip: str) -> None:
        for widget in (self.continue_button, self.extra_steps):
            widget.setEnabled(not why_not)
        self.continue_button.setToolTip(why_not or tooltip)

    def set_report(self, why_not: str) -> None:
        self.report_button.setEnabled(not why_not)
        self.report_button.setToolTip(why_not or "Write the sweep's report as HTML, PDF or Markdown.")
