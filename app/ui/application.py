"""Starting the window: the QApplication, its look, error handling, and the main window."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.core.paths import APP_AUTHOR, APP_NAME
from app.resources_path import resource_path
from app.ui.main_window import MainWindow
from app.ui.qt_logging import route_qt_messages
from app.ui.style import apply_style

if TYPE_CHECKING:
    from app.bootstrap import AppContext
    from app.ui.dialogs import Dialogs

# A window that gets no paint (it opened minimised, say) is filled after this long anyway.
BUILD_WITHOUT_PAINT_MS = 500

# Rendered sizes only: Qt scales the nearest one, and the SVG would load the SVG icon engine
# before the first paint.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


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
    for size in ICON_SIZES:
        path = resource_path("icons", f"autopilot-exporter-{size}.png")
        if path.exists():
            # With its size given, Qt reads the file only when that size is drawn.
            icon.addFile(str(path), QSize(size, size))
    return icon


def build_main_window(context: AppContext, dialogs: Dialogs | None = None) -> MainWindow:
    """The main window over ``context``, built whole and not shown (tests, screenshots)."""
    application()
    return MainWindow(context, dialogs)


def main_window_frame(
    context: AppContext,
    dialogs: Dialogs | None = None,
    *,
    build_without_paint_ms: int = BUILD_WITHOUT_PAINT_MS,
) -> MainWindow:
    """The main window's frame, to show at once; it fills itself right after its first paint.

    Filling it imports the core and builds the tabs (see app/ui/main_window.py): a user sees
    the window about four times sooner than if it were built whole before showing. The error
    hooks are installed before it is filled, so a failure while filling it (data written by a
    newer version, a broken file) is shown in a message box; the window then closes and the
    event loop ends with 1.
    """
    application()
    window = MainWindow(context, dialogs, build=False)
    started = False

    def fill() -> None:
        nonlocal started
        if started or window.shut_down:
            return
        started = True
        from app.bootstrap import configure_logging
        from app.ui.dialogs import Dialogs
        from app.ui.errors import ErrorReporter, install_excepthook

        configure_logging(context.paths)  # when the context left it (build_context's open_log)
        window_dialogs = dialogs or Dialogs(window)
        reporter = ErrorReporter(window_dialogs)
        install_excepthook(reporter)
        try:
            window.build(window_dialogs)
        except Exception as exc:
            window.start_failed = True
            window_dialogs.set_parent_widget(None)  # the half-built window is no place for it
            reporter.report(exc, reporter.tr("Autopilot Segment Exporter could not start"))
            # Hidden, not closed: closing the last window would post a quit of its own, which
            # would end the next event loop that runs (run_gui's caller may start one).
            window.hide()
            QCoreApplication.exit(1)
            return
        install_excepthook(window.ui.errors)  # from now on the window's, with its status bar

    # Queued: the paint ends (and reaches the screen) before the building starts.
    window.painted.connect(lambda: QTimer.singleShot(0, window, fill))
    QTimer.singleShot(build_without_paint_ms, window, fill)
    return window


def run_gui(context: AppContext, dialogs: Dialogs | None = None) -> int:
    """Open the window and run until it closes; returns the exit code (1: it could not open)."""
    route_qt_messages()
    app = application()
    window = main_window_frame(context, dialogs)
    window.show()
    code = app.exec()
    if not window.shut_down:
        window.shutdown()
    return 1 if window.start_failed else int(code)
