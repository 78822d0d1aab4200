"""The search-space editor: one row per searchable option (on/off, its range or choices, a log scale
for ranges), read back as :class:`~studio.core.sweep.space.Parameter` objects with one sentence for
the first entry that cannot work."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget
from superqt.utils import signals_blocked

from studio.core.errors import StudioError
from studio.core.sweep.space import CHOICE, Parameter, default_space, label, parse_param, value_text
from studio.gui.augment.messages import say
from studio.gui.naming import named


class ParameterRow:
    """The widgets of one parameter in the editor's grid."""

    def __init__(self, parameter: Parameter) -> None:
        name = parameter.name
        self.default = parameter
        title = label(name)
        self.enabled = named(QCheckBox(name), f"sweepParam_{name}", f"Search {title}",
                             f"Search {title.lower()}; when off, the Training panel's value is used.")
        if parameter.kind == CHOICE:
            self.values = named(QLineEdit(), f"sweepChoices_{name}", f"{title} choices",
                                "The values to try, separated by commas.")
            self.low = self.high = None
            self.log = None
        else:
            self.values = None
            self.low = named(QLineEdit(), f"sweepLow_{name}", f"{title} lowest value")
            self.high = named(QLineEdit(), f"sweepHigh_{name}", f"{title} highest value")
            self.log = named(QCheckBox("log"), f"sweepLog_{name}", f"{title} on a log scale",
                             "Sample the range evenly in orders of magnitude.")
        self.set(parameter)

    def widgets(self) -> list[QWidget]:
        return [w for w in (self.enabled, self.values, self.low, self.high, self.log) if w is not None]

    def set(self, parameter: Parameter) -> None:
        with signals_blocked(self.enabled):
            self.enabled.setChecked(parameter.enabled)
        shown = parameter if parameter.kind == self.default.kind and (parameter.choices or parameter.low is not None) \
            else self.default
        if self.values is not None:
            self.values.setText(", ".join(value_text(choice) for choice in (shown.choices or self.default.choices)))
        else:
            self.low.setText(value_text(shown.low if shown.low is not None else self.default.low))
            self.high.setText(value_text(shown.high if shown.high is not None else self.default.high))
            self.log.setChecked(shown.log)
        self.show_enabled()

    def show_enabled(self) -> None:
        for widget in self.widgets()[1:]:
            widget.setEnabled(self.enabled.isChecked() and self.enabled.isEnabled())

    def parameter(self) -> Parameter:
        """The parameter the row describes; one sentence when its entries cannot work."""
        name = self.default.name
        if not self.enabled.isChecked():
            return replace(self.default, enabled=False, value=None)
        if self.values is not None:
            text = ",".join(part.strip() for part in self.values.text().split(",") if part.strip())
            if "," not in text:
                raise StudioError(f"{name} needs at least two choices separated by commas, e.g. "
                                  f"{self.default.describe()}; switch it off to keep one value.")
        else:
            low, high = self.low.text().strip(), self.high.text().strip()
            for end in (low, high):
                try:
                    float(end)
                except ValueError:
                    raise StudioError(f"{name} ({label(name).lower()}) needs a number at each end of its range, "
                                      f"not '{end}'.") from None
            text = f"{low}:{high}" + (":log" if self.log.isChecked() else "")
        return parse_param(f"{name}={text}")


class SpaceEditor(QGroupBox):
    """``changed`` follows every edit; :meth:`space` is the space, :attr:`problem` why it cannot be used."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Search space", parent)
        named(self, "sweepSpaceEditor", "Search space")
        self.rows = {parameter.name: ParameterRow(parameter) for parameter in default_space()}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for index, heading in enumerate(("Option", "Low", "High", "", "")):
            grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, index)
        for line, row in enumerate(self.rows.values(), start=1):
            grid.addWidget(row.enabled, line, 0)
            if row.values is not None:
                grid.addWidget(row.values, line, 1, 1, 3)
            else:
                grid.addWidget(row.low, line, 1)
                grid.addWidget(row.high, line, 2)
                grid.addWidget(row.log, line, 3)
            row.enabled.toggled.connect(row.show_enabled)
            for widget in row.widgets():
                signal = widget.toggled if isinstance(widget, QCheckBox) else widget.textChanged
                signal.connect(self._edited)
        self.problem_label = named(QLabel(""), "sweepSpaceProblem", "Why the search space cannot be used")
        self.problem_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.problem_label)
        self.problem = ""
        self._edited()

    def _edited(self) -> None:
        try:
            space = self._read()
            self.problem = "" if any(p.enabled for p in space) else "Switch on at least one option to search."
        except StudioError as error:
            self.problem = str(error)
        say(self.problem_label, self.problem, error=True)
        self.changed.emit()

    def _read(self) -> list[Parameter]:
        return [row.parameter() for row in self.rows.values()]

    def space(self) -> list[Parameter]:
        """The space the rows describe; one sentence when an entry cannot work."""
        space = self._read()
        if not any(p.enabled for p in space):
            raise StudioError("Switch on at least one option to search.")
        return space

    def set_space(self, space: list[Parameter]) -> None:
        """Show a sweep's space (an opened sweep's, fixed once it ran)."""
        by_name = {p.name: p for p in space}
        for name, row in self.rows.items():
            row.set(by_name.get(name, replace(row.default, enabled=False)))
        self._edited()

    def set_editable(self, editable: bool, reason: str = "") -> None:
        for row in self.rows.values():
            row.enabled.setEnabled(editable)
            row.enabled.setToolTip(reason or row.enabled.accessibleDescription())
            row.show_enabled()
