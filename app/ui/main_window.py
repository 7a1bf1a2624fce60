"""The main window: four tabs in the order of the work, and the export panel beneath them.

It is also the UI's composition root: it builds the worker queues, the key vault and the export
job, hands them to the tab controllers, and connects the controllers to each other.

It is built in two steps, so that a double-click shows the window at once. The constructor
builds the frame: title, menu bar, the four tab captions over empty pages, the status bar
("Opening...") and the saved size and place; it needs nothing but Qt. :meth:`MainWindow.build`
then fills it: it imports the tabs and, through them, the core (DuckDB, requests, keyring,
email validation, together about three quarters of the start-up time) and builds every worker.
``application.main_window_frame`` calls it right after the frame's first paint;
``application.build_main_window`` (tests, screenshots) builds both steps at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.core import advice
from app.core.i18n import _
from app.ui.window_settings import WindowSettings

if TYPE_CHECKING:
    # Types of annotations only: PySide6 builds each type on first use, which the frame's first
    # paint need not wait for.
    from PySide6.QtGui import (
        QAction,
        QActionGroup,
        QCloseEvent,
        QDragEnterEvent,
        QDropEvent,
        QPaintEvent,
    )
    from PySide6.QtWidgets import QMenu

    from app.context import AppContext
    from app.ui.connections.tab import ConnectionsTab
    from app.ui.context import UiContext
    from app.ui.data_eraser import DataEraser
    from app.ui.dialogs import Dialogs
    from app.ui.history.tab import HistoryTab
    from app.ui.mapping.tab import MappingTab
    from app.ui.running.failed_notice import FailedRunsNotice
    from app.ui.running.panel import ExportPanel
    from app.ui.running.resume_offer import ResumeOffer
    from app.ui.segments.tab import SegmentsTab

log = logging.getLogger(__name__)

CONNECTIONS, SEGMENTS, MAPPING, HISTORY = range(4)
# How long closing waits for the workers in all before it logs what still runs and goes on.
CLOSE_WAIT_MS = 3000


class MainWindow(QMainWindow):
    painted = Signal()  # the frame's first paint: the window is on the screen
    built = Signal()  # the tabs, the panel and the workers exist (see the module's text)
    ready = Signal()  # the keyring is known and every tab shows its data
    could_not_open = Signal()  # filling it failed; the user was told, the window is hidden

    # Made by build().
    ui: UiContext
    connections: ConnectionsTab
    segments: SegmentsTab
    mapping: MappingTab
    history: HistoryTab
    eraser: DataEraser
    resume_bar: ResumeOffer
    failed_notice: FailedRunsNotice
    panel: ExportPanel

    def __init__(
        self, context: AppContext, dialogs: Dialogs | None = None, *, build: bool = True
    ) -> None:
        super().__init__()
        # From here on the core's advice names the window's buttons, not command-line options.
        advice.speak_to(advice.WINDOW)
        self.setWindowTitle(_("Autopilot Segment Exporter"))
        self.setMinimumSize(960, 640)
        self.setAcceptDrops(True)
        self.context = context
        self._dialogs = dialogs
        self.import_action: QAction | None = None
        self.language_actions: QActionGroup | None = None
        self._closing = False
        self._painted = False
        self._is_built = False
        self._is_ready = False
        self.shut_down = False
        self.start_failed = False  # build() raised: the window could not open
        self._build_frame()
        self.settings = WindowSettings(context.paths.config_dir)
        if not self.settings.restore(self, self.tabs):
            self.resize(1280, 800)
        self.statusBar().showMessage(_("Opening..."))
        if build:
            self.build()

    # -- building -----------------------------------------------------------------------------

    def _build_frame(self) -> None:
        """Title, menus and tab captions over empty pages: what the first paint shows."""
        self.file_menu: QMenu = self.menuBar().addMenu(_("&File"))
        self.settings_menu: QMenu = self.menuBar().addMenu(_("&Options"))
        self.help_menu: QMenu = self.menuBar().addMenu(_("&Help"))
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._pages: list[QVBoxLayout] = []
        for caption in (
            _("&1  Connections"),
            _("&2  Segments"),
            _("&3  Mapping"),
            _("&4  History"),
        ):
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            self._pages.append(layout)
            self.tabs.addTab(page, caption)
        central = QWidget()
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(0)
        self._column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def build(self, dialogs: Dialogs | None = None) -> None:
        """Fill the frame: the tabs, the export panel and every worker; then look up the keyring.

        Raises what building raises (data written by a newer version, a broken file); the
        caller tells the user. Does nothing when built already or after the window was closed.
        """
        if self._is_built or self.shut_down:
            return
        # The tabs import the core: what the frame's first paint must not wait for.
        from app.ui.connections.tab import ConnectionsTab
        from app.ui.data_eraser import DataEraser
        from app.ui.dialogs import Dialogs
        from app.ui.history.tab import HistoryTab
        from app.ui.mapping.tab import MappingTab
        from app.ui.menus import fill_menus
        from app.ui.running.failed_notice import FailedRunsNotice
        from app.ui.running.panel import ExportPanel
        from app.ui.running.resume_offer import ResumeOffer
        from app.ui.segments.tab import SegmentsTab

        self.ui = self._build_context(self.context, dialogs or self._dialogs or Dialogs(self))
        self.ui.dialogs.set_parent_widget(self)
        self.eraser = DataEraser(self.ui, self)
        self.connections = ConnectionsTab(self.ui)
        self.segments = SegmentsTab(self.ui)
        self.mapping = MappingTab(self.ui, self.segments.member_count)
        self.history = HistoryTab(self.ui)
        views = (self.connections.view, self.segments.view, self.mapping.view, self.history.view)
        for page, view in zip(self._pages, views, strict=True):
            page.addWidget(view)
        self.resume_bar = ResumeOffer()
        self._column.insertWidget(0, self.resume_bar)
        self.failed_notice = FailedRunsNotice()
        self._column.insertWidget(0, self.failed_notice)
        self.panel = ExportPanel()
        self._column.addWidget(self.panel)
        fill_menus(self)
        self._connect()
        self._is_built = True
        self.built.emit()
        # Profiles and runs need no keyring: show them while the keyring is being looked up.
        # First, so that data this program cannot open stops it before any thread starts.
        self.segments.refresh()
        self.history.refresh()
        self.ui.vault.start()

    def _build_context(self, context: AppContext, dialogs: Dialogs) -> UiContext:
        from app.ui.background.keyvault import KeyVault
        from app.ui.background.workers import TaskQueue
        from app.ui.context import UiContext
        from app.ui.errors import ErrorReporter
        from app.ui.running.job import ExportJob
        from app.ui.running.permission import Permission

        errors = ErrorReporter(dialogs, self)
        report = errors.report
        export = ExportJob(self)
        return UiContext(
            app=context,
            dialogs=dialogs,
            errors=errors,
            vault=KeyVault(context, report, self),
            background=TaskQueue("background", 2, report, self),
            checks=TaskQueue("checks", 2, report, self, daemon=True),
            profiles=TaskQueue("profiles", 1, report, self),
            export=export,
            permission=Permission(export, self),
        )

    def _connect(self) -> None:
        ui = self.ui
        ui.vault.ready.connect(self._on_ready)
        ui.errors.shown.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.connections.changed.connect(self.mapping.refresh)
        self.segments.changed.connect(self.mapping.refresh)
        self.mapping.changed.connect(self.history.refresh)
        for tab in (self.mapping, self.history):
            tab.go_to_tab.connect(self.tabs.setCurrentIndex)
        self.history.resume_requested.connect(self.mapping.launcher.resume)
        self.resume_bar.resume_requested.connect(self.mapping.launcher.resume)
        self.resume_bar.show_requested.connect(self._show_run)
        self.failed_notice.show_requested.connect(self._show_run)
        launcher = self.mapping.launcher
        ui.permission.changed.connect(self._update_run_controls)
        launcher.refused.connect(self.statusBar().showMessage)
        launcher.preparing.connect(self._on_run_preparing)
        launcher.not_started.connect(self._on_run_not_started)
        launcher.sending_to.connect(self.panel.set_destination)
        ui.export.started.connect(self._on_export_started)
        ui.export.progress.connect(self._on_export_progress)
        ui.export.state_changed.connect(self.panel.set_state)
        ui.export.finished.connect(self._on_export_finished)
        ui.export.failed.connect(self._on_export_failed)
        self.eraser.busy_changed.connect(self._on_erasing)
        self.eraser.finished.connect(self._on_erased)
        self.panel.cancel_requested.connect(ui.export.cancel)
        self.panel.show_history_requested.connect(lambda: self.tabs.setCurrentIndex(HISTORY))
        self.mapping.notice.refresh_requested.connect(self.segments.sources.refresh_source)
        self.tabs.currentChanged.connect(self._check_files)

    # -- public -------------------------------------------------------------------------------

    @property
    def is_built(self) -> bool:
        return self._is_built

    @property
    def is_ready(self) -> bool:
        return self._is_ready

    def is_settled(self) -> bool:
        """Ready, with no background work queued or running and no count pending.

        An export run is not counted: it may go on for hours while the window is idle.
        """
        if not self._is_ready:
            return False
        timers = self.findChildren(QTimer, "debounce")
        queues_busy = any(queue.busy() for queue in self.ui.queues())
        return not queues_busy and not any(t.isActive() for t in timers)

    def import_profiles(self) -> None:
        self.tabs.setCurrentIndex(SEGMENTS)
        self.segments.sources.ask_and_import()

    def import_sample(self) -> None:
        self.tabs.setCurrentIndex(SEGMENTS)
        self.segments.sources.import_sample()

    def rebuild_profiles(self) -> None:
        """File > Rebuild profile data (after a confirmation)."""
        self.tabs.setCurrentIndex(SEGMENTS)
        self.segments.sources.rebuild_all()

    def erase_all_data(self) -> None:
        """File > Delete all data (after a confirmation)."""
        self.eraser.erase()

    def _on_erasing(self, busy: bool) -> None:
        if busy:
            self.statusBar().showMessage(_("Deleting all data\u2026"))

    def _on_erased(self, done: bool) -> None:
        self._refresh_all()
        if done:
            self.statusBar().showMessage(_("All data deleted."), 10_000)

    def _check_files(self, *args: object) -> None:
        """Whether the files of the sources changed on disk: when their tab comes into view or
        the window is activated (one stat per source)."""
        if not self._is_built or self.shut_down:
            return
        current = self.tabs.currentIndex()
        if current == SEGMENTS:
            self.segments.notice.check()
        elif current == MAPPING and self.ui.vault.is_ready:
            self.mapping.notice.check()

    def _refresh_all(self) -> None:
        for refresh in (
            self.connections.refresh,
            self.segments.refresh,
            self.mapping.refresh,
            self.history.refresh,
        ):
            refresh()

    def _update_run_controls(self) -> None:
        """What may start (runs, imports, deleting) follows what is going on: the one place
        where the buttons hear of ``ui.permission`` changing."""
        self.mapping.editor.update_buttons()
        self.history.update_buttons()
        self.segments.sources.update_buttons()
        if self.import_action is not None:
            self.import_action.setEnabled(self.ui.permission.may_import())

    def shutdown(self, timeout_ms: int = CLOSE_WAIT_MS, *, wait_for_checks: bool = False) -> bool:
        """Cancel the run and stop every worker, waiting at most ``timeout_ms`` in all.

        True when everything stopped; what still runs is logged and left (see
        :meth:`UiContext.shutdown`). Safe to call twice.
        """
        self.shut_down = True
        if not self._is_built:
            return True  # a frame has no workers
        return self.ui.shutdown(timeout_ms, wait_for_checks=wait_for_checks)

    # -- starting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.painted.emit()

    def _on_ready(self, status: Any) -> None:
        self._refresh_all()
        self.resume_bar.offer(self.history.interrupted_runs())
        self._offer_failed_runs()
        self.statusBar().showMessage(_("Ready."), 5000)
        self._is_ready = True
        self.ready.emit()

    def _offer_failed_runs(self) -> None:
        """Runs that failed while the window was closed (read once, when it opens)."""
        from app.core.schedule.notices import failed_while_closed

        closed_at = self.settings.closed_at()
        if closed_at is not None:
            self.failed_notice.offer(failed_while_closed(self.context.runs.all(), closed_at))

    def _show_run(self, run_id: int) -> None:
        self.tabs.setCurrentIndex(HISTORY)
        self.history.select_run(run_id)

    # -- the export run -------------------------------------------------------------------------

    def _on_run_preparing(self, title: str, doing: str) -> None:
        self.panel.show_starting(title, doing)
        self.statusBar().showMessage(doing)

    def _on_run_not_started(self, message: str) -> None:
        self.panel.fail(message)
        self.statusBar().showMessage(message, 10_000)

    def _on_export_started(self, title: str) -> None:
        self.panel.start(title)
        self.statusBar().showMessage(title + "\u2026")

    def _on_export_progress(self, progress: Any) -> None:
        self.panel.show_progress(progress)
        self.history.show_progress(progress)

    def _on_export_finished(self, run: Any) -> None:
        from app.core.history import Run
        from app.ui.kit import formatting as fmt
        from app.ui.running.panel import finished_words

        assert isinstance(run, Run)
        self.panel.finish(run)
        self.history.on_run_finished(run)
        message = _("Run {id}: {status}.").format(
            id=run.run_id, status=fmt.status(run.status, run.dry_run)
        )
        if run.status.finished and not run.dry_run:
            message += " " + finished_words(self, run)
        self.statusBar().showMessage(message, 10_000)
        if self._closing:
            self.close()

    def _on_export_failed(self, exc: Any) -> None:
        from app.ui.errors import user_message

        assert isinstance(exc, BaseException)
        self.panel.fail(user_message(exc))
        self.history.refresh()
        self.ui.errors.report(exc, _("The export stopped"))
        if self._closing:
            self.close()

    # -- closing and dropping ---------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._check_files()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._is_built and self.ui.export.active:
            event.ignore()
            if self._closing:
                return
            if self.ui.dialogs.confirm(
                _("An export is running"),
                _(
                    "Cancel the run and quit? What Autopilot confirmed so far is kept, and "
                    "you can resume the run later."
                ),
                _("Cancel run and quit"),
            ):
                self._closing = True
                self.ui.export.cancel()
                self.statusBar().showMessage(
                    _("Cancelling: the window closes when the requests in flight end.")
                )
            return
        self.settings.save(self, self.tabs)
        if self._is_ready:  # a window that never showed its data has not shown these either
            self.settings.save_closed()
        self.shutdown()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._is_built and _profile_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _profile_files(event.mimeData().urls()) if self._is_built else []
        if paths:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(SEGMENTS)
            self.segments.import_files(paths)


def _profile_files(urls: Any) -> list[Path]:
    from app.ui.segments.sources import is_importable

    paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return [p for p in paths if is_importable(p)]
