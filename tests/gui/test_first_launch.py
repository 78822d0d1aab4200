"""The first start fits the screen: the window at about 85% of the available area, centred, every
dock wide enough for its labels and fields; View → Reset layout brings that layout back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QLabel, QMenu, QScrollArea, QWidget

from studio.gui.main_window import MainWindow
from studio.gui.window_layout import first_launch_geometry

SCREENS = [QRect(0, 0, 1366, 768), QRect(0, 0, 1920, 1080)]


@pytest.fixture
def first_window(qtbot, monkeypatch):
    """A window started with no saved settings on a screen whose available area is given (the
    offscreen screen is 800×800; the window asks its screen, so the screen answers what is asked)."""

    def open_(available: QRect) -> MainWindow:
        monkeypatch.setattr(QScreen, "availableGeometry", lambda screen: QRect(available))
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return open_


def settled(qtbot, condition) -> None:
    """Let the window lay itself out (docks take their new sizes on the next layout pass) until
    ``condition`` holds or a second has passed; the caller asserts the outcome."""
    try:
        qtbot.waitUntil(condition, timeout=1000)
    except qtbot.TimeoutError:
        pass


def layout_problems(window: MainWindow, available: QRect) -> list[str]:
    """What a person would see wrong in the window's layout on ``available``; empty when it fits."""
    problems = []
    geometry = window.geometry()
    share = geometry.width() * geometry.height() / (available.width() * available.height())
    if not 0.8 <= share <= 0.9 or not available.contains(geometry):
        problems.append(f"the window {geometry} covers {share:.0%} of {available}")
    if abs(geometry.center().x() - available.center().x()) > 2 or abs(geometry.center().y() - available.center().y()) > 2:
        problems.append(f"the window {geometry} is not centred on {available}")
    for dock in (window.dataset_dock, window.training_dock):
        panel = dock.widget()
        if not dock.isVisible() or dock.isFloating():
            problems.append(f"{dock.objectName()} is not docked and shown")
        if panel.width() < panel.sizeHint().width():
            problems.append(f"{dock.objectName()} is {panel.width()} px wide; its panel asks for {panel.sizeHint().width()}")
        for scroll in panel.findChildren(QScrollArea):
            if scroll.horizontalScrollBar().maximum() > 0:
                problems.append(f"{scroll.objectName()} scrolls sideways by {scroll.horizontalScrollBar().maximum()} px")
        for label in panel.findChildren(QLabel):
            if label.isVisibleTo(panel) and not label.wordWrap() and label.width() < label.sizeHint().width():
                problems.append(f"{dock.objectName()}: the label {label.text()!r} is cut")
    curves = window.curves_dock
    if curves.widget().height() < curves.widget().minimumSizeHint().height() or curves.isFloating():
        problems.append(f"the curves are {curves.widget().height()} px high")
    return problems


@pytest.mark.parametrize("available", SCREENS, ids=lambda rect: f"{rect.width()}x{rect.height()}")
def test_the_first_window_fits_the_screen_with_every_dock_wide_enough(first_window, available):
    window = first_window(available)
    assert layout_problems(window, available) == []
    assert window.dockWidgetArea(window.dataset_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert window.dockWidgetArea(window.training_dock) == Qt.DockWidgetArea.RightDockWidgetArea


def test_reset_layout_in_the_view_menu_brings_the_first_layout_back(first_window, qtbot):
    available = SCREENS[0]
    window = first_window(available)
    window.dataset_dock.hide()
    window.training_dock.setFloating(True)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.curves_dock)
    window.setGeometry(40, 30, 900, 600)
    assert layout_problems(window, available) != []

    view_menu = window.findChild(QMenu, "viewMenu")
    reset = next(action for action in view_menu.actions() if action.objectName() == "resetLayoutAction")
    view_menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitExposed(view_menu)
    qtbot.mouseClick(view_menu, Qt.MouseButton.LeftButton, pos=view_menu.actionGeometry(reset).center())
    settled(qtbot, lambda: layout_problems(window, available) == [])

    assert layout_problems(window, available) == []
    assert window.dockWidgetArea(window.curves_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.geometry() == first_launch_geometry(available, window.minimumSizeHint())


def test_a_wide_tab_scrolls_in_the_middle_instead_of_squeezing_the_docks(first_window, qtbot):
    """The Sweep tab needs more room than a small screen leaves between the docks."""
    available = SCREENS[0]
    window = first_window(available)
    window.tabs.setCurrentWidget(window.sweep_panel)
    sideways = window.window_layout.central_scroll.horizontalScrollBar()
    settled(qtbot, lambda: sideways.maximum() > 0)
    assert sideways.maximum() > 0, "the Sweep tab fits beside the docks on a small screen: choose a smaller screen"
    assert layout_problems(window, available) == []
    window.tabs.setCurrentWidget(window.samples_panel)
    settled(qtbot, lambda: sideways.maximum() == 0)
    assert sideways.maximum() == 0, "the Samples tab scrolls sideways: the hidden Sweep tab still sets the width"


def test_the_window_is_centred_on_the_screen_it_opens_on():
    second_screen = QRect(1920, 0, 1600, 1000)
    geometry = first_launch_geometry(second_screen, minimum=QWidget().minimumSizeHint())
    assert second_screen.contains(geometry) and geometry.center() == second_screen.center()
    assert first_launch_geometry(QRect(0, 0, 1366, 768), minimum=QRect(0, 0, 1400, 500).size()).width() == 1366


def test_a_dock_dragged_narrow_still_shows_its_labels_whole(first_window, qtbot):
    available = SCREENS[1]
    window = first_window(available)
    window.resizeDocks([window.dataset_dock, window.training_dock], [40, 40], Qt.Orientation.Horizontal)
    settled(qtbot, lambda: window.dataset_dock.width() < 300)
    assert window.dataset_dock.width() < 300, "the dock did not narrow at all"
    problems = [problem for problem in layout_problems(window, available) if "asks for" not in problem]
    assert problems == []
