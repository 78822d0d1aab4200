"""Where the main window's parts go the first time it opens, and again on View → Reset layout.

The window takes about 85% of the screen's available area, centred. Each side dock is as wide as its
panel asks (labels whole, fields without a horizontal scroll bar) and the bottom dock takes about a
quarter of the height; the central tabs get the rest. A tab page wider than that room (the Sweep tab on
a small screen) scrolls inside the central area instead of squeezing the docks, and the central area
asks only for the room of the page on show, so one wide page never widens the window.

After the first launch the window comes back as it was closed (``StudioSettings.restore_layout``).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, QRect, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QMenu, QScrollArea, QSizePolicy, QTabWidget

from studio.gui.naming import named

AREA_SHARE = 0.85  # of the screen's available area; each side is scaled by its square root
BOTTOM_DOCK_SHARE = 0.28  # of the window's height, for a dock along the bottom (the curves)
SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def first_launch_geometry(available: QRect, minimum: QSize) -> QRect:
    """About ``AREA_SHARE`` of ``available`` with its proportions, centred; never below ``minimum`` nor
    beyond ``available``."""
    scale = math.sqrt(AREA_SHARE)
    width = min(available.width(), max(minimum.width(), round(available.width() * scale)))
    height = min(available.height(), max(minimum.height(), round(available.height() * scale)))
    left = available.left() + (available.width() - width) // 2
    top = available.top() + (available.height() - height) // 2
    return QRect(left, top, width, height)


class CurrentPageSizing(QObject):
    """Makes a tab widget ask for the room of the page on show only (hidden pages are ignored in its
    size hints), so the window is not held as wide as its widest tab."""

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._policies = {tabs.widget(index): tabs.widget(index).sizePolicy() for index in range(tabs.count())}
        tabs.currentChanged.connect(self._apply)
        self._apply()

    def _apply(self, *_: int) -> None:
        ignored = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        current = self._tabs.currentWidget()
        for page, policy in self._policies.items():
            page.setSizePolicy(policy if page is current else ignored)


class WindowLayout(QObject):
    """Owns the main window's first-launch layout and the View → Reset layout action.

    Build it after the docks, the central tabs and the View menu exist, and before the saved layout is
    restored: the docks' places as built are what Reset layout returns to.
    """

    def __init__(self, window: QMainWindow, tabs: QTabWidget, view_menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self._built_state = window.saveState()
        self._docks = [dock for dock in window.findChildren(QDockWidget) if dock.parentWidget() is window]
        CurrentPageSizing(tabs)
        central = window.takeCentralWidget()
        self.central_scroll = named(QScrollArea(), "centralScroll", "Main views")
        self.central_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.central_scroll.setWidgetResizable(True)
        self.central_scroll.setWidget(central)
        window.setCentralWidget(self.central_scroll)
        self.reset_action = QAction("Reset layout", window, objectName="resetLayoutAction")
        self.reset_action.setToolTip("Put the window and its docks back as they were on the first start.")
        self.reset_action.triggered.connect(self.reset)
        view_menu.addSeparator()
        view_menu.addAction(self.reset_action)

    def reset(self) -> None:
        """Every dock back in its place and shown, the window fitted to the screen it is on."""
        self._window.restoreState(self._built_state)
        self.fit_to_screen()

    def fit_to_screen(self, available: QRect | None = None) -> None:
        """The first-launch layout on ``available`` (by default the available area of the window's screen)."""
        window = self._window
        available = available if available is not None else window.screen().availableGeometry()
        if window.isMaximized() or window.isFullScreen():
            window.showNormal()
        window.setGeometry(first_launch_geometry(available, window.minimumSizeHint()))
        window.layout().activate()
        self.size_docks()

    def size_docks(self) -> None:
        """Side docks as wide as their panels ask; a bottom dock a share of the window's height."""
        window = self._window
        sides = [dock for dock in self._docks if window.dockWidgetArea(dock) in SIDES and not dock.isFloating()]
        bottoms = [dock for dock in self._docks if window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
                   and not dock.isFloating()]
        window.resizeDocks(sides, [dock.sizeHint().width() for dock in sides], Qt.Orientation.Horizontal)
        height = round(window.height() * BOTTOM_DOCK_SHARE)
        window.resizeDocks(bottoms, [max(height, dock.minimumSizeHint().height()) for dock in bottoms],
                           Qt.Orientation.Vertical)
