"""A form built from one config dataclass: a row per field, labels and help from field metadata.

Numbers are typed into line edits, so a wrong value can be typed, seen and fixed: the field turns
red and its sentence (from ``studio.core.config.parse_field``) becomes its tooltip. Fields with
``choices`` are combo boxes. The form never guesses a value: it reports problems and lets the
owner decide (the training panel disables Train and says why).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from studio.core.config import default_value, parse_field
from studio.core.errors import StudioError
from studio.gui.naming import named


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class ConfigForm(QWidget):
    """Edits one section (``DataConfig``, ``ModelConfig`` or ``TrainConfig``) of a ``RunConfig``."""

    changed = Signal()

    def __init__(self, section_cls: type, section_name: str, exclude: tuple[str, ...] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section_cls = section_cls
        self.section_name = section_name
        self.setObjectName(f"{section_name}Form")
        self._specs = {spec.name: spec for spec in fields(section_cls) if spec.name not in exclude}
        self._editors: dict[str, QLineEdit | QComboBox] = {}
        self._hidden = {spec.name: default_value(spec) for spec in fields(section_cls) if spec.name in exclude}
        self._problems: dict[str, str] = {}
        self._locked: dict[str, str] = {}

        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, spec in self._specs.items():
            editor = self._make_editor(name, spec)
            label = QLabel(spec.metadata["label"])
            label.setBuddy(editor)
            label.setToolTip(spec.metadata["help"])
            layout.addRow(label, editor)
            self._editors[name] = editor
        self.set_values(section_cls())

    def _make_editor(self, name: str, spec: Any) -> QLineEdit | QComboBox:
        object_name = f"{self.section_name}{_camel(name)[0].upper()}{_camel(name)[1:]}"
        if "choices" in spec.metadata:
            editor = QComboBox()
            for choice in spec.metadata["choices"]:
                editor.addItem(format_value(choice), choice)
            editor.currentIndexChanged.connect(self._on_edited)
        else:
            editor = QLineEdit()
            editor.textChanged.connect(self._on_edited)
        return named(editor, object_name, spec.metadata["label"], spec.metadata["help"])

    def field_names(self) -> tuple[str, ...]:
        return tuple(self._editors)

    def editor(self, name: str) -> QLineEdit | QComboBox:
        return self._editors[name]

    def set_values(self, section: Any) -> None:
        """Show the values of a section instance (fields not in the form are remembered as is)."""
        for name in self._hidden:
            self._hidden[name] = getattr(section, name)
        for name, editor in self._editors.items():
            value = getattr(section, name)
            editor.blockSignals(True)
            if isinstance(editor, QComboBox):
                index = editor.findData(value)
                editor.setCurrentIndex(max(index, 0))
            else:
                editor.setText(format_value(value))
            editor.blockSignals(False)
        self._on_edited()

    def set_hidden(self, name: str, value: Any) -> None:
        """Set a field this form does not show (e.g. the dataset source, chosen elsewhere)."""
        self._hidden[name] = value

    def problems(self) -> dict[str, str]:
        """``{"section.field": sentence}`` for every field whose text is not a valid value."""
        return {f"{self.section_name}.{name}": problem
                for name, problem in ((n, self._parse(n)[1]) for n in self._editors) if problem}

    def value(self) -> Any | None:
        """The section built from the form, or None while any field is invalid."""
        values = dict(self._hidden)
        for name in self._editors:
            parsed, problem = self._parse(name)
            if problem:
                return None
            values[name] = parsed
        return self.section_cls(**values)

    def mark_problems(self, problems: dict[str, str]) -> None:
        """Turn fields red with their sentence as tooltip; ``problems`` keys are ``section.field``."""
        self._problems = {name: problems.get(f"{self.section_name}.{name}", "") for name in self._editors}
        for name, editor in self._editors.items():
            editor.setProperty("invalid", bool(self._problems[name]))
            editor.style().unpolish(editor)
            editor.style().polish(editor)
        self._refresh_tooltips()

    def set_locked(self, reason: str, editable: tuple[str, ...] = ()) -> None:
        """Make fields read-only with ``reason`` as their tooltip, except ``editable`` ones;
        an empty reason unlocks everything."""
        self._locked = {name: reason for name in self._editors if reason and name not in editable}
        for name, editor in self._editors.items():
            editor.setEnabled(name not in self._locked)
        self._refresh_tooltips()

    def _refresh_tooltips(self) -> None:
        for name, editor in self._editors.items():
            text = self._problems.get(name) or self._locked.get(name) or self._specs[name].metadata["help"]
            editor.setToolTip(text)
            editor.setAccessibleDescription(text)

    def _parse(self, name: str) -> tuple[Any, str]:
        editor = self._editors[name]
        if isinstance(editor, QComboBox):
            return editor.currentData(), ""
        try:
            return parse_field(self.section_cls, name, editor.text()), ""
        except StudioError as error:
            return None, str(error)

    def _on_edited(self, *_: Any) -> None:
        self.mark_problems(self.problems())
        self.changed.emit()
