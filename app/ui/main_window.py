"""The main window: four tabs in the order of the work, and the export panel beneath them.

It is also the UI's composition root: it builds the worker queues, the key vault and the export
job, hands them to the tab controllers, and connects the controllers to each other.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.core.history import Run
from app.ui import formatting as fmt
from app.ui.connections_tab import ConnectionsTab
from app.ui.data_eraser import DataEraser
from app.ui.dialogs import Dialogs
from app.ui.errors import ErrorReporter, user_message
from app.ui.export_job import ExportJob
from app.ui.export_panel import ExportPanel
from app.ui.history_tab import HistoryTab
from app.ui.keyvault import KeyVault
from app.ui.mapping_tab import MappingTab
from app.ui.menus import build_menus
from app.ui.resume_offer import ResumeOffer
from app.ui.segments_tab import SegmentsTab
from app.ui.sources_controller import SUPPORTED_SUFFIXES
from app.ui.ui_context import UiContext
from app.ui.window_settings import WindowSettings
from app.ui.workers import TaskQueue

if TYPE_CHECKING:
    from app.bootstrap import AppContext

log = logging.getLogger(__name__)

CONNECTIONS, SEGMENTS, MAPPING, HISTORY = range(4)
# How long closing waits for the workers in all before it logs what still runs and goes on.
CLOSE_WAIT_MS = 3000


class MainWindow(QMainWindow):
    ready = Signal()  # the keyring is known and every tab shows its data

    def __init__(self, context: AppContext, dialogs: Dialogs | None = None) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Autopilot Segment Exporter"))
        self.setMinimumSize(960, 640)
        self.setAcceptDrops(True)
        self.ui = self._build_context(context, dialogs or Dialogs(self))
        self.ui.dialogs.set_parent_widget(self)
        self.eraser = DataEraser(self.ui, self)
        self.import_action: QAction | None = None
        self._closing = False
        self._is_ready = False
        self.shut_down = False
        self._build_tabs()
        self._build_layout()
        build_menus(self)
        self._connect()
        self.settings = WindowSettings(context.paths.config_dir)
        if not self.settings.restore(self, self.tabs):
            self.resize(1280, 800)
        self.statusBar().showMessage(self.tr("Opening..."))
        # Profiles and runs need no keyring: show them while the keyring is being looked up.
        # First, so that data this program cannot open stops it before any thread starts.
        self.segments.refresh()
        self.history.refresh()
        self.ui.vault.start()

    # -- building -----------------------------------------------------------------------------

    def _build_context(self, context: AppContext, dialogs: Dialogs) -> UiContext:
        errors = ErrorReporter(dialogs, self)
        report = errors.report
        return UiContext(
            app=context,
            dialogs=dialogs,
            errors=errors,
            vault=KeyVault(context, report, self),
            background=TaskQueue("background", 2, report, self),
            checks=TaskQueue("checks", 2, report, self, daemon=True),
            profiles=TaskQueue("profiles", 1, report, self),
            export=ExportJob(self),
        )

    def _build_tabs(self) -> None:
        self.connections = ConnectionsTab(self.ui)
        self.segments = SegmentsTab(self.ui)
        self.mapping = MappingTab(self.ui, self.segments.member_count)
        self.history = HistoryTab(self.ui)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        captions = (
            self.tr("&1  Connections"),
            self.tr("&2  Segments"),
            self.tr("&3  Mapping"),
            self.tr("&4  History"),
        )
        views = (self.connections.view, self.segments.view, self.mapping.view, self.history.view)
        for view, caption in zip(views, captions, strict=True):
            self.tabs.addTab(view, caption)

    def _build_layout(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.resume_bar = ResumeOffer()
        layout.addWidget(self.resume_bar)
        layout.addWidget(self.tabs, 1)
        self.panel = ExportPanel()
        layout.addWidget(self.panel)
        self.setCentralWidget(central)

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
        launcher = self.mapping.launcher
        self.segments.sources.busy_changed.connect(self._update_run_controls)
        launcher.starting_changed.connect(self._update_run_controls)
        launcher.refused.connect(self.statusBar().showMessage)
        launcher.preparing.connect(self._on_run_preparing)
        launcher.not_started.connect(self._on_run_not_started)
        ui.export.started.connect(self._on_export_started)
        ui.export.progress.connect(self._on_export_progress)
        ui.export.state_changed.connect(self.panel.set_state)
        ui.export.finished.connect(self._on_export_finished)
        ui.export.failed.connect(self._on_export_failed)
        self.eraser.busy_changed.connect(self._on_erasing)
        self.eraser.finished.connect(self._on_erased)
        self.panel.cancel_requested.connect(ui.export.cancel)
        self.panel.show_history_requested.connect(lambda: self.tabs.setCurrentIndex(HISTORY))

    # -- public -------------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._is_ready

    def is_settled(self) -> bool:
        """Ready, with no background work queued or running and no count pending.

        An export run is not counted: it may go on for hours while the window is idle.
        """
        timers = self.findChildren(QTimer, "debounce")
        queues_busy = any(queue.busy() for queue in self.ui.queues())
        return self._is_ready and not queues_busy and not any(t.isActive() for t in timers)

    def import_profiles(self) -> None:
        self.tabs.setCurrentIndex(SEGMENTS)
        self.segments.sources.ask_and_import()

    def import_sample(self) -> None:
        self.tabs.setCurrentIndex(SEGMENTS)
        self.segments.sources.import_sample()

    def erase_all_data(self) -> None:
        """File > Delete all data (after a confirmation)."""
        self.eraser.erase()

    def _on_erasing(self, busy: bool) -> None:
        self._update_run_controls()
        if busy:
            self.statusBar().showMessage(self.tr("Deleting all data\u2026"))

    def _on_erased(self, done: bool) -> None:
        self._refresh_all()
        if done:
            self.statusBar().showMessage(self.tr("All data deleted."), 10_000)

    def _refresh_all(self) -> None:
        for refresh in (
            self.connections.refresh,
            self.segments.refresh,
            self.mapping.refresh,
            self.history.refresh,
        ):
            refresh()

    def _update_run_controls(self, *args: object) -> None:
        """What may start (runs, imports) follows what is going on."""
        self.mapping.editor.update_buttons()
        self.history.update_buttons()
        self.segments.sources.update_buttons()
        if self.import_action is not None:
            self.import_action.setEnabled(not (self.ui.erasing or self.ui.export.active))

    def shutdown(self, timeout_ms: int = CLOSE_WAIT_MS, *, wait_for_checks: bool = False) -> bool:
        """Cancel the run and stop every worker, waiting at most ``timeout_ms`` in all.

        True when everything stopped; what still runs is logged and left (see
        :meth:`UiContext.shutdown`). Safe to call twice.
        """
        self.shut_down = True
        return self.ui.shutdown(timeout_ms, wait_for_checks=wait_for_checks)

    # -- starting -----------------------------------------------------------------------------

    def _on_ready(self, status: Any) -> None:
        self._refresh_all()
        self.resume_bar.offer(self.history.interrupted_runs())
        self.statusBar().showMessage(self.tr("Ready."), 5000)
        self._is_ready = True
        self.ready.emit()

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
        self._update_run_controls()

    def _on_export_progress(self, progress: Any) -> None:
        self.panel.show_progress(progress)
        self.history.show_progress(progress)

    def _on_export_finished(self, run: Any) -> None:
        assert isinstance(run, Run)
        self._update_run_controls()
        self.panel.finish(run)
        self.history.on_run_finished(run)
        self.statusBar().showMessage(
            self.tr("Run {id}: {status}.").format(
                id=run.run_id, status=fmt.status(run.status, run.dry_run)
            ),
            10_000,
        )
        if self._closing:
            self.close()

    def _on_export_failed(self, exc: Any) -> None:
        assert isinstance(exc, BaseException)
        self._update_run_controls()
        self.panel.fail(user_message(exc))
        self.history.refresh()
        self.ui.errors.report(exc, self.tr("The export stopped"))
        if self._closing:
            self.close()

    # -- closing and dropping ---------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ui.export.active:
            event.ignore()
            if self._closing:
                return
            if self.ui.dialogs.confirm(
                self.tr("An export is running"),
                self.tr(
                    "Cancel the run and quit? What Autopilot confirmed so far is kept, and "
                    "you can resume the run later."
                ),
                self.tr("Cancel run and quit"),
            ):
                self._closing = True
                self.ui.export.cancel()
                self.statusBar().showMessage(
                    self.tr("Cancelling: the window closes when the requests in flight end.")
                )
            return
        self.settings.save(self, self.tabs)
        self.shutdown()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _profile_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _profile_files(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(SEGMENTS)
            self.segments.import_files(paths)


def _profile_files(urls: Any) -> list[Path]:
    paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return [p for p in paths if p.suffix.lower() in SUPPORTED_SUFFIXES]
