"""Starting the window: the QApplication, its look, error handling, and the main window."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.core.i18n import _
from app.core.paths import APP_AUTHOR, APP_NAME
from app.core.resources import resource_path
from app.ui.kit.style import apply_style
from app.ui.language import start_language
from app.ui.main_window import MainWindow
from app.ui.qt_logging import route_qt_messages

if TYPE_CHECKING:
    from app.context import AppContext
    from app.core.state_backups import DamagedStoreError
    from app.ui.dialogs import Dialogs
    from app.ui.errors import ErrorReporter

# A minimised window gets no paint: it is filled after this long. Any other is filled at its
# first paint, or after PAINT_TRIES times this long without one.
BUILD_WITHOUT_PAINT_MS = 500
PAINT_TRIES = 10

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
    the window about four times sooner than if it were built whole before showing. A minimised
    window gets no paint: it is filled ``build_without_paint_ms`` after it was made; any other
    at its first paint, or after ``PAINT_TRIES`` times that without one.

    The log file is opened and the error hooks are installed before the window is filled, so a
    failure while filling it (data written by a newer version, a broken file, a broken install)
    is shown in a message box; the window is then hidden, ``start_failed`` is set and
    ``could_not_open`` emitted (``run_gui`` ends its event loop with 1 on it).
    """
    application()
    window = MainWindow(context, dialogs, build=False)
    started = False

    def fill() -> None:
        nonlocal started
        if started or window.shut_down:
            return
        started = True
        try:
            from app.ui.dialogs import Dialogs
            from app.ui.errors import ErrorReporter, install_excepthook
        except Exception as exc:  # a broken install: only Qt is left to say so
            _could_not_open(window, plain_report(exc))
            return
        window_dialogs = dialogs or Dialogs(window)
        reporter = ErrorReporter(window_dialogs)
        install_excepthook(reporter)
        open_log(context, window_dialogs)
        try:
            window.build(window_dialogs)
        except Exception as error:
            from app.core.state_backups import DamagedStoreError

            window_dialogs.set_parent_widget(None)  # the half-built window is no place for it
            title = _("Autopilot Segment Exporter could not start")
            if isinstance(error, DamagedStoreError) and error.backup is not None:
                report = partial(offer_restore, error, window_dialogs, reporter)
            else:
                report = partial(reporter.report, error, title)
            _could_not_open(window, report)
            return
        install_excepthook(window.ui.errors)  # from now on the window's, with its status bar

    def fill_unless_a_paint_comes(tries_left: int) -> None:
        if started or window.shut_down:
            return
        if tries_left > 0 and not window.isMinimized():
            QTimer.singleShot(
                build_without_paint_ms, window, lambda: fill_unless_a_paint_comes(tries_left - 1)
            )
            return
        fill()

    # Queued: the paint ends (and reaches the screen) before the building starts.
    window.painted.connect(lambda: QTimer.singleShot(0, window, fill))
    QTimer.singleShot(
        build_without_paint_ms, window, lambda: fill_unless_a_paint_comes(PAINT_TRIES)
    )
    return window


def open_log(context: AppContext, dialogs: Dialogs) -> None:
    """Open the log file (``build_context`` may have left it); say so if it cannot be opened."""
    from app.core.logging_setup import configure_logging

    try:
        configure_logging(context.paths)
    except OSError as exc:
        dialogs.warning(
            _("The log file cannot be written"),
            _(
                "Autopilot Segment Exporter cannot write its log file {path} ({reason}). It "
                "works without it, but problems cannot be looked up there afterwards.",
            ).format(path=context.paths.log_file, reason=exc.strerror or exc),
        )


def offer_restore(error: DamagedStoreError, dialogs: Dialogs, reporter: ErrorReporter) -> None:
    """The state store is damaged and a good backup is kept: ask, restore, say what next."""
    from app.core.state_backups import StateBackups

    backup = error.backup
    assert backup is not None
    title = _("The program's data is damaged")
    question = _(
        "The file that holds your connections, exports and history ({path}) is damaged, so "
        "the program cannot open it. A good backup from {when} is kept. Restore it? What "
        "changed after {when} is lost; the damaged file is kept beside it.",
    ).format(path=error.path, when=backup.label)
    action = _("Restore the backup")
    if not dialogs.confirm(title, question, action):
        dialogs.warning(title, str(error))
        return
    try:
        StateBackups(error.path, backup.path.parent).restore(backup)
    except Exception as exc:
        reporter.report(exc, title)
        return
    dialogs.information(
        _("Backup restored"),
        _(
            "The backup from {when} is back in place. Open Autopilot Segment Exporter again to "
            "continue.",
        ).format(when=backup.label),
    )


def show_start_failure(message: str) -> int:
    """The window cannot open (its folders cannot be used): say why, with Qt alone; 1."""
    application()
    QMessageBox.critical(
        None,
        _("Autopilot Segment Exporter could not start"),
        message,
    )
    return 1


def plain_report(exc: BaseException) -> Callable[[], None]:
    """A message box made with Qt alone, for when the window's own error reporting is broken."""

    def report() -> None:
        QMessageBox.critical(
            None,
            _("Autopilot Segment Exporter could not start"),
            _(
                "The program is damaged: {error}. Install it again; your data is kept.",
            ).format(error=f"{type(exc).__name__}: {exc}"),
        )

    return report


def _could_not_open(window: MainWindow, report: Callable[[], None]) -> None:
    window.start_failed = True
    report()
    # Hidden, not closed: closing the last window would post a quit of its own, which would
    # end the next event loop that runs. Whoever runs the loop ends it on could_not_open.
    window.hide()
    window.could_not_open.emit()


def run_gui(context: AppContext, dialogs: Dialogs | None = None) -> int:
    """Open the window and run until it closes; returns the exit code (1: it could not open)."""
    route_qt_messages()
    app = application()
    start_language(context.paths.config_dir)  # before the first word is written
    window = main_window_frame(context, dialogs)
    window.could_not_open.connect(lambda: app.exit(1))
    window.show()
    code = app.exec()
    if not window.shut_down:
        window.shutdown()
    return 1 if window.start_failed else int(code)
