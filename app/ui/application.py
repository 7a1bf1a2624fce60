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
from app.ui.errors import install_excepthook
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


def run_gui(context: AppContext) -> int:
    """Open the window and run until it closes; returns the exit code."""
    route_qt_messages()
    app = application()
    window = build_main_window(context)
    install_excepthook(window.ui.errors)
    window.show()
    code = app.exec()
    window.shutdown()
    return int(code)
