"""The main window's chrome, built once: central tabs, docks, status line, actions, toolbar and menus
(in the manner of a Designer ``setupUi``), so the window's own module is about behaviour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QSizePolicy, QTabWidget, QToolButton, QWidget

from studio.gui.naming import named


def lay_out(window) -> None:
    """The central tabs, the three docks and the status line."""
    window.tabs = named(QTabWidget(), "centralTabs", "Main views")
    window.tabs.addTab(window.samples_panel, "Samples")
    window.tabs.addTab(window.explorer_panel, "Explorer")
    window.tabs.addTab(window.report_panel, "Report")
    window.tabs.addTab(window.augment_panel, "Augment")
    window.tabs.addTab(window.sweep_panel, "Sweep")
    window.tabs.addTab(window.translate_panel, "Translate")
    window.setCentralWidget(window.tabs)
    window.setDockNestingEnabled(True)
    area = Qt.DockWidgetArea
    window.dataset_dock = _dock(window, "Dataset", "datasetDock", window.dataset_panel, area.LeftDockWidgetArea)
    window.training_dock = _dock(window, "Training", "trainingDock", window.training_panel, area.RightDockWidgetArea)
    window.curves_dock = _dock(window, "Curves", "curvesDock", window.curves_panel, area.BottomDockWidgetArea)
    window.resizeDocks([window.dataset_dock, window.training_dock], [300, 330], Qt.Orientation.Horizontal)
    window.resizeDocks([window.curves_dock], [250], Qt.Orientation.Vertical)
    window.status_line = named(QLabel("Ready"), "statusLine", "Training status")
    window.statusBar().addPermanentWidget(window.status_line)
    window.statusBar().setObjectName("statusBar")


def _dock(window, title: str, object_name: str, panel: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(object_name)
    dock.setWidget(panel)
    window.addDockWidget(area, dock)
    return dock


def add_actions(window) -> None:
    """File, view and help menus, and the toolbar with New, Open, Train, Pause, Stop and the device."""
    window.new_run_action = QAction("New run", window, objectName="newRunAction", shortcut=QKeySequence.StandardKey.New)
    window.new_run_action.setToolTip("Start over with a fresh run (the open run stays on disk).")
    window.open_run_action = QAction("Open run…", window, objectName="openRunAction",
                                     shortcut=QKeySequence.StandardKey.Open)
    window.open_run_action.setToolTip("Reopen a run folder: its curves, samples and weights come back.")
    window.quit_action = QAction("Quit", window, objectName="quitAction", shortcut=QKeySequence.StandardKey.Quit)
    panel = window.training_panel

    toolbar = window.toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    for action in (window.new_run_action, window.open_run_action, None,
                   panel.train_action, panel.pause_action, panel.stop_action):
        if action is None:
            toolbar.addSeparator()
            continue
        toolbar.addAction(action)
        button = toolbar.widgetForAction(action)
        named(button, f"toolbar{action.objectName()[0].upper()}{action.objectName()[1:-6]}Button",
              action.text().rstrip("…"), action.toolTip())
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    window.device_label = named(QLabel("Device: detecting…"), "deviceLabel", "Compute device")
    toolbar.addWidget(window.device_label)

    named(window.menuBar(), "menuBar", "Menu bar")
    named(window.tabs.tabBar(), "centralTabBar", "Main view tabs")
    named(toolbar.findChild(QToolButton, "qt_toolbar_ext_button"), "toolbarMoreButton", "More toolbar actions")
    named(window.menuBar().findChild(QToolButton, "qt_menubar_ext_button"), "menuBarMoreButton", "More menus")
    file_menu = window.menuBar().addMenu("&File")
    file_menu.setObjectName("fileMenu")
    file_menu.addAction(window.new_run_action)
    file_menu.addAction(window.open_run_action)
    window.recent_menu = file_menu.addMenu("Recent runs")
    window.recent_menu.setObjectName("recentRunsMenu")
    window.recent_menu.aboutToShow.connect(window._fill_recent_menu)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    view_menu = window.menuBar().addMenu("&View")
    view_menu.setObjectName("viewMenu")
    for dock in (window.dataset_dock, window.training_dock, window.curves_dock):
        view_menu.addAction(dock.toggleViewAction())
    window.about_action = QAction("About GAN Studio", window, objectName="aboutAction",
                                  menuRole=QAction.MenuRole.AboutRole)
    window.about_action.setToolTip("Versions, the device in use, where runs and settings are kept; copy them for support.")
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.setObjectName("helpMenu")
    help_menu.addAction(window.about_action)
