"""Starting the window: the QApplication, its look, error handling, and the main window."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.core.paths import APP_AUTHOR, APP_NAME
from app.resources_path import resource_path
from app.ui.dialogs import Dialogs
from app.ui.errors import ErrorReporter, install_excepthook
from app.ui.main_window import MainWindow
from app.ui.qt_logging import route_qt_messages
from app.ui.style import apply_style

if TYPE_CHECKING:
    from app.bootstrap import AppContext

ICON_FILES = (
    "autopilot-exporter.svg",
    *(f"autopilot-exporter-{size}.png" for size in (16, 24, 32, 48, 64, 128, 256)),
)


def application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, created on first use and styled."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName("Autopilot Segment Exporter")
    app.setWindowIcon(app_icon())
    apply_style(app)
    return app


def app_icon() -> QIcon:
    """The program's icon in every size that is bundled (none yet is fine: Qt's default)."""
    icon = QIcon()
    for name in ICON_FILES:
        path = resource_path("icons", name)
        if path.exists():
            icon.addFile(str(path))
    return icon


def build_main_window(context: AppContext, dialogs: Dialogs | None = None) -> MainWindow:
    """The main window over ``context``, not shown (the self-test builds it offscreen)."""
    app = application()
    apply_style(app)
    return MainWindow(context, dialogs)


def open_main_window(context: AppContext, dialogs: Dialogs | None = None) -> MainWindow | None:
    """The main window, or None after telling the user why it cannot open.

    The error hooks come first, so a failure while building the window (data written by a
    newer version, a broken file) is shown in a message box instead of ending in silence.
    """
    application()
    dialogs = dialogs or Dialogs()
    reporter = ErrorReporter(dialogs)
    install_excepthook(reporter)
    try:
        window = build_main_window(context, dialogs)
    except Exception as exc:
        dialogs.set_parent_widget(None)  # the half-built window is no place for the message
        reporter.report(exc, reporter.tr("Autopilot Segment Exporter could not start"))
        return None
    install_excepthook(window.ui.errors)  # from now on the window's reporter, with its status bar
    return window


def run_gui(context: AppContext, dialogs: Dialogs | None = None) -> int:
    """Open the window and run until it closes; returns the exit code (1: it could not open)."""
    route_qt_messages()
    app = application()
    window = open_main_window(context, dialogs)
    if window is None:
        return 1
    window.show()
    code = app.exec()
    if not window.shut_down:
        window.shutdown()
    return int(code)
