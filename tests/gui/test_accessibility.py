"""Every interactive widget can be found by tests and read out by assistive technology."""

from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSlider, QAbstractSpinBox, QComboBox,
                               QLineEdit, QMenuBar, QScrollArea, QTabBar, QWidget)

INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractSlider, QAbstractScrollArea, QTabBar,
               QMenuBar)


def own_interactive_widgets(window: QWidget) -> list[QWidget]:
    """Interactive widgets, leaving out the parts of a composite (a spin box's line edit, a
    list's scroll bars, a combo box's popup) that belong to the widget containing them. What a
    scroll area shows (a form, a tab page) is no part of it: those widgets count on their own."""
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE):
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not window and not _owns(parent, widget):
            parent = parent.parentWidget()
        if parent is None or parent is window:
            found.append(widget)
    return found


def test_every_interactive_widget_has_a_stable_object_name_and_an_accessible_name(window):
    widgets = own_interactive_widgets(window)
    assert len(widgets) > 30
    unnamed = [f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}"
               for w in widgets if not w.objectName() or not w.accessibleName()]
    assert unnamed == []
    paths = [object_path(w) for w in widgets]
    assert sorted({p for p in paths if paths.count(p) > 1}) == []


def _owns(parent: QWidget, widget: QWidget) -> bool:
    """Whether ``widget`` is a part of the interactive composite ``parent``."""
    if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(widget):
        return False
    return isinstance(parent, INTERACTIVE)


def object_path(widget: QWidget) -> str:
    """Names from the window down, e.g. ``curvesDock/qt_dockwidget_closebutton``: how a test finds it."""
    names = []
    while widget is not None:
        if widget.objectName():
            names.append(widget.objectName())
        widget = widget.parentWidget()
    return "/".join(reversed(names))


def test_the_named_controls_a_user_relies_on_exist(window):
    for name in ("trainButton", "pauseButton", "stopButton", "toolbarTrainButton", "toolbarNewRunButton",
                 "toolbarOpenRunButton", "datasetSource", "dataResolution", "trainLrG", "trainBatchSize",
                 "modelGWidth", "newNoiseButton", "saveGridButton", "exportImagesButton", "samplesGridSize",
                 "smoothingSlider"):
        assert window.findChild(QWidget, name) is not None, name
