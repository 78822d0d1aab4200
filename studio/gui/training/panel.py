"""The Training dock: model and hyperparameter forms (built from the config dataclasses),
Train / Pause / Stop, and progress with speed, ETA and the device in use."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)
from superqt import QElidingLabel

from studio.core.config import ModelConfig, TrainConfig
from studio.core.training.presets import PRESETS
from studio.gui.widgets.config_form import ConfigForm
from studio.gui.widgets.form_scroll import FormScrollArea
from studio.gui.formatting import format_duration
from studio.gui.naming import named


def _action(parent: QWidget, text: str, object_name: str, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(object_name)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    return action


def _button(action: QAction, object_name: str) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return named(button, object_name, action.text(), action.toolTip())


class TrainingPanel(QWidget):
    """Owns the Train, Pause and Stop actions; the main window puts the same actions in its toolbar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.model_form = ConfigForm(ModelConfig, "model")
        self.train_form = ConfigForm(TrainConfig, "train")
        self.preset_box = named(QComboBox(), "presetCombo", "Preset",
                                "Fill the model and training settings from a named starting point.")
        self.preset_box.addItem("Choose a preset…", None)
        for name, preset in PRESETS.items():
            self.preset_box.addItem(preset.label, name)
            self.preset_box.setItemData(self.preset_box.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole)
        self.preset_box.activated.connect(self._on_preset_chosen)

        self.train_action = _action(self, "Train", "trainAction", "Start training with these settings.")
        self.pause_action = _action(self, "Pause", "pauseAction", "Pause training; Resume continues it.")
        self.stop_action = _action(self, "Stop", "stopAction", "Stop training and save a checkpoint.")
        self.train_button = _button(self.train_action, "trainButton")
        self.pause_button = _button(self.pause_action, "pauseButton")
        self.stop_button = _button(self.stop_action, "stopButton")

        self.reason_label = named(QLabel(), "trainBlockedReason", "Why training cannot start")
        self.reason_label.setWordWrap(True)
        self.reason_label.setProperty("role", "error")
        self.message_label = named(QElidingLabel(""), "trainingMessage", "Training outcome")
        self.progress_bar = named(QProgressBar(), "trainingProgress", "Training progress")
        self.progress_bar.setFormat("step %v / %m")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.speed_label = named(QElidingLabel(""), "trainingSpeed", "Training speed and time left")
        self.device_label = named(QElidingLabel("Device: detecting…"), "trainingDevice", "Compute device")
        self.outlook_label = named(QLabel(), "trainingOutlook", "Expected time to a first recognisable grid")
        self.outlook_label.setWordWrap(True)
        self.outlook_label.setProperty("role", "hint")
        self.outlook_label.setVisible(False)

        self._block_reason = ""
        self._running = False
        self._paused = False
        self._stopping = False

        model_box = QGroupBox("Model")
        QVBoxLayout(model_box).addWidget(self.model_form)
        train_box = QGroupBox("Training")
        QVBoxLayout(train_box).addWidget(self.train_form)
        forms = QWidget()
        forms_layout = QVBoxLayout(forms)
        forms_layout.setContentsMargins(0, 0, 0, 0)
        preset_row = QHBoxLayout()
        preset_label = QLabel("Preset")
        preset_label.setBuddy(self.preset_box)
        preset_row.addWidget(preset_label)
        preset_row.addWidget(self.preset_box, 1)
        forms_layout.addLayout(preset_row)
        forms_layout.addWidget(model_box)
        forms_layout.addWidget(train_box)
        forms_layout.addStretch(1)
        scroll = named(FormScrollArea(forms), "trainingFormScroll", "Model and training settings")

        buttons = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.outlook_label)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.speed_label)
        layout.addWidget(self.device_label)
        self._refresh_actions()

    def _on_preset_chosen(self, index: int) -> None:
        """Put a preset's model and training values into the forms (invalid fields take the preset's value)."""
        name = self.preset_box.itemData(index)
        if name is None:
            return
        preset = PRESETS[name]
        self.model_form.set_values(replace(self.model_form.value() or ModelConfig(), **preset.model))
        self.train_form.set_values(replace(self.train_form.value() or TrainConfig(), **preset.train))

    def set_preset_enabled(self, enabled: bool, reason: str = "") -> None:
        self.preset_box.setEnabled(enabled)
        self.preset_box.setToolTip(self.preset_box.accessibleDescription() if enabled else reason)

    def set_block_reason(self, reason: str) -> None:
        """Why Train cannot start now (one sentence), or "" when it can."""
        self._block_reason = reason
        self.reason_label.setText(reason)
        self.reason_label.setVisible(bool(reason))
        self._refresh_actions()

    def block_reason(self) -> str:
        return self._block_reason

    def set_train_text(self, text: str, tip: str) -> None:
        """"Train" for a new run, "Resume run" for a reopened or stopped one."""
        self.train_action.setText(text)
        self.train_action.setToolTip(tip)
        self.train_button.setAccessibleName(text)

    def set_state(self, running: bool, paused: bool = False, stopping: bool = False) -> None:
        self._running, self._paused, self._stopping = running, paused, stopping
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        self.train_action.setEnabled(not self._running and not self._block_reason)
        self.pause_action.setEnabled(self._running and not self._stopping)
        self.stop_action.setEnabled(self._running and not self._stopping)
        self.pause_action.setText("Resume" if self._paused else "Pause")
        self.pause_button.setAccessibleName(self.pause_action.text())

    def show_message(self, sentence: str) -> None:
        """What just happened to the training (started, stopped, failed), in one sentence."""
        self.message_label.setText(sentence)

    def show_progress(self, step: int, total: int, images_per_sec: float, eta_s: float, quality: str = "") -> None:
        """Speed and time left by the wall clock, and the latest quality measurement ('' before the first)."""
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(min(step, total))
        parts = [f"{images_per_sec:,.0f} img/s", f"ETA {format_duration(eta_s)}", *([quality] if quality else [])]
        self.speed_label.setText(" · ".join(parts))

    def show_outlook(self, sentence: str) -> None:
        """How soon the grid should be recognisable with these settings ('' hides it)."""
        self.outlook_label.setText(sentence)
        self.outlook_label.setVisible(bool(sentence))

    def set_device(self, description: str) -> None:
        self.device_label.setText(f"Device: {description}")
