"""Starting runs: a new run, a dry run, or the resume of an interrupted one.

The API key is read on the keyring's thread before the run starts and handed to the worker, so
the export never calls the keyring. A connection without a key (no keyring last time) asks for
it here, once, and keeps it like Save would.

Reading the key (and, for a resume, rebuilding the plan) takes a moment and may wait for the
keyring to be unlocked: meanwhile the launcher is *starting* (``ui.permission.begin_start``),
which turns Run, Dry run and Resume off and says what is going on, so a second click cannot ask
for a second run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.cancel import CancelToken
from app.core.export import ExportPlan
from app.core.history import Run
from app.core.i18n import _
from app.core.secrets import KeyNeededError
from app.ui.context import UiContext
from app.ui.errors import user_message
from app.ui.running.job import ProgressCallback

WorkFn = Callable[[ProgressCallback, CancelToken], Run]


class ExportLauncher(QObject):
    refused = Signal(str)  # why a run was not started (another one runs, an import, ...)
    preparing = Signal(str, str)  # (title, what happens now) before the run starts
    not_started = Signal(str)  # a run being prepared did not start, and why
    sending_to = Signal(object)  # the Destination of the run about to start (the panel's words)

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui

    def run(self, plan: ExportPlan) -> None:
        if self._refuse_if_busy():
            return
        runner = self.ui.app.runner
        title = _("Sending '{export}' to {name}").format(
            export=plan.export.name, name=plan.destination.name
        )
        self.sending_to.emit(plan.destination)

        def with_key(key: str) -> None:
            def work(on_progress: ProgressCallback, cancel: CancelToken) -> Run:
                return runner.run(plan, key, on_progress=on_progress, cancel=cancel)

            self._start(title, work)

        self._prepare(title, _("Reading the API key\u2026"))
        self._with_key(plan.connection.name, with_key)

    def dry_run(self, plan: ExportPlan) -> None:
        if self._refuse_if_busy():
            return
        runner = self.ui.app.runner
        title = _("Dry run of '{export}'").format(export=plan.export.name)
        self.sending_to.emit(plan.destination)

        def work(on_progress: ProgressCallback, cancel: CancelToken) -> Run:
            return runner.dry_run(plan, cancel=cancel)

        self._start(title, work)

    def resume(self, run_id: int) -> None:
        """Rebuild the run's plan from its snapshot (off the GUI thread), then continue it."""
        if self._refuse_if_busy():
            return
        runner = self.ui.app.runner
        self._prepare(_("Resuming run {id}").format(id=run_id), _("Preparing the run\u2026"))
        self.ui.profiles.submit(
            lambda: runner.plan_resume(run_id),
            lambda plan: self._resume_with(run_id, plan),
            lambda exc: self._fail(exc, _("The run cannot be resumed")),
        )

    def _resume_with(self, run_id: int, plan: Any) -> None:
        assert isinstance(plan, ExportPlan)
        runner = self.ui.app.runner
        title = _("Resuming run {id} of '{export}'").format(id=run_id, export=plan.export.name)
        self.sending_to.emit(plan.destination)

        def with_key(key: str) -> None:
            def work(on_progress: ProgressCallback, cancel: CancelToken) -> Run:
                return runner.run(plan, key, run_id=run_id, on_progress=on_progress, cancel=cancel)

            self._start(title, work)

        self._prepare(title, _("Reading the API key\u2026"))
        self._with_key(plan.connection.name, with_key)

    # -- helpers ----------------------------------------------------------------------------

    def _refuse_if_busy(self) -> bool:
        permission = self.ui.permission
        if permission.may_start_run():
            return False
        if permission.erasing:
            message = _("All data is being deleted; nothing can run meanwhile.")
        elif permission.importing:
            message = _("Profiles are being imported; run when the import has finished.")
        elif permission.starting:
            message = _("A run is being started; wait a moment.")
        else:
            message = _("An export is running; wait for it to finish or cancel it first.")
        self.refused.emit(message)
        self.ui.dialogs.information(_("One run at a time"), message)
        return True

    def _prepare(self, title: str, doing: str) -> None:
        self.ui.permission.begin_start()
        self.preparing.emit(title, doing)

    def _start(self, title: str, work: WorkFn) -> None:
        self.ui.permission.end_start()
        if not self._refuse_if_busy():
            self.ui.export.start(title, work)

    def _stop(self, message: str) -> None:
        """A run being prepared will not start."""
        self.ui.permission.end_start()
        self.not_started.emit(message)

    def _fail(self, exc: BaseException, title: str) -> None:
        self._stop(user_message(exc))
        self.ui.errors.report(exc, title)

    def _with_key(self, connection: str, then: Callable[[str], None]) -> None:
        def failed(exc: BaseException) -> None:
            if isinstance(exc, KeyNeededError):
                self._ask_key(connection, then)
            else:
                self._fail(exc, _("The API key could not be read"))

        self.ui.vault.read_key(connection, lambda key: then(str(key)), failed)

    def _ask_key(self, connection: str, then: Callable[[str], None]) -> None:
        key = self.ui.dialogs.ask_api_key(connection)
        if not key:
            self._stop(_("The run did not start: the API key is needed."))
            return
        self.ui.vault.keep_key(
            connection,
            key,
            lambda _: then(key),
            lambda exc: self._fail(exc, _("The API key could not be kept")),
        )
