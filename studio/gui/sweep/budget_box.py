"""The sweep's budget and measurement: trials, a time limit, steps per trial, how often FD is
measured and in which feature space, and the device; beside them, which dataset the sweep trains on."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from studio.core.sweep.spec import MAX_TRIALS, SweepSpec
from studio.gui.naming import named

DEVICES = (("auto", "Automatic (GPU when there is one)"), ("cpu", "CPU"), ("cuda", "CUDA GPU"), ("mps", "Apple GPU"))
FEATURES = (("auto", "Automatic (classifier for labelled data)"), ("classifier", "Classifier"),
            ("random", "Random network"))


class BudgetBox(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Budget", parent)
        named(self, "sweepBudgetBox", "Sweep budget")
        self.dataset_label = named(QLabel("No dataset loaded."), "sweepDatasetLabel", "The dataset the sweep trains on")
        self.dataset_label.setWordWrap(True)
        self.dataset_label.setTextFormat(Qt.TextFormat.PlainText)
        self.trials = named(QSpinBox(), "sweepTrials", "Trials", "How many trials; a larger number continues a sweep.")
        self.trials.setRange(1, MAX_TRIALS)
        self.trials.setValue(20)
        self.minutes = named(QDoubleSpinBox(), "sweepMinutes", "Time limit in minutes",
                             "Start no trial after this much training time; 0 for no limit.")
        self.minutes.setRange(0, 60 * 24 * 7)
        self.minutes.setDecimals(1)
        self.minutes.setSpecialValueText("no limit")
        self.steps = named(QSpinBox(), "sweepSteps", "Steps per trial")
        self.steps.setRange(1, 1_000_000)
        self.steps.setValue(2000)
        self.eval_every = named(QSpinBox(), "sweepEvalEvery", "Steps between FD measurements",
                                "A trial worse than earlier ones at two measurements in a row is pruned.")
        self.eval_every.setRange(1, 1_000_000)
        self.eval_every.setValue(250)
        self.eval_samples = named(QSpinBox(), "sweepEvalSamples", "Images per FD measurement",
                                  "More images measure FD more exactly, and take longer.")
        self.eval_samples.setRange(16, 50_000)
        self.eval_samples.setValue(256)
        self.features = named(QComboBox(), "sweepFeatures", "FD feature space")
        for value, text in FEATURES:
            self.features.addItem(text, value)
        self.device = named(QComboBox(), "sweepDevice", "Sweep device")
        for value, text in DEVICES:
            self.device.addItem(text, value)
        form = QFormLayout(self)
        form.addRow("Dataset", self.dataset_label)
        form.addRow("Trials", self.trials)
        form.addRow("Time limit (min)", self.minutes)
        form.addRow("Steps per trial", self.steps)
        form.addRow("Measure FD every", self.eval_every)
        form.addRow("Images per FD", self.eval_samples)
        form.addRow("FD features", self.features)
        form.addRow("Device", self.device)
        for signal in (self.trials.valueChanged, self.minutes.valueChanged, self.steps.valueChanged,
                       self.eval_every.valueChanged, self.eval_samples.valueChanged, self.features.currentIndexChanged, self.device.currentIndexChanged):
            signal.connect(self.changed)

    def settings(self) -> dict:
        """The :class:`SweepSpec` fields this box sets."""
        return {"trials": self.trials.value(), "timeout_min": self.minutes.value(), "steps": self.steps.value(),
                "eval_every": self.eval_every.value(), "eval_samples": self.eval_samples.value(), "features": self.features.currentData(),
                "device": self.device.currentData()}

    def show_spec(self, spec: SweepSpec) -> None:
        """An opened sweep's budget; only the trials and the time limit can change once it ran."""
        self.trials.setValue(max(1, spec.trials))
        self.minutes.setValue(spec.timeout_min)
        self.steps.setValue(spec.steps)
        self.eval_every.setValue(spec.eval_every)
        self.eval_samples.setValue(spec.eval_samples)
        self.features.setCurrentIndex(max(0, self.features.findData(spec.features)))
        self.device.setCurrentIndex(max(0, self.device.findData(spec.device)))

    def set_fixed(self, fixed: bool) -> None:
        """An opened sweep fixes how its trials are measured (and the space); new sweeps choose."""
        tip = "Fixed by the open sweep; choose New sweep… to change it." if fixed else ""
        for widget in (self.steps, self.eval_every, self.eval_samples, self.features):
            widget.setEnabled(not fixed)
            widget.setToolTip(tip or widget.accessibleDescription())

    def show_dataset(self, text: str) -> None:
        self.dataset_label.setText(text)
