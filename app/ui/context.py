"""What every tab controller is handed: the core, the worker queues, what may start now and
the way to talk to the user. Built once by the main window (the UI's own small composition root)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.ui.background.keyvault import KeyVault
from app.ui.background.workers import TaskQueue
from app.ui.dialogs import Dialogs
from app.ui.errors import ErrorReporter
from app.ui.running.job import ExportJob
from app.ui.running.permission import Permission

if TYPE_CHECKING:
    from app.context import AppContext

log = logging.getLogger(__name__)


@dataclass
class UiContext:
    app: AppContext
    dialogs: Dialogs
    errors: ErrorReporter
    vault: KeyVault  # every keyring call
    background: TaskQueue  # reports written to files
    checks: TaskQueue  # key checks against Autopilot (daemon threads: quitting does not wait)
    profiles: TaskQueue  # imports, member counts, previews and plans (DuckDB), one at a time
    export: ExportJob  # the one export run (on a one-thread queue of its own)
    permission: Permission  # what may start now: runs, imports, deleting all data

    def queues(self) -> tuple[TaskQueue, ...]:
        """The queues of short work (not the export's: a run may go on for hours)."""
        return (self.vault.queue, self.background, self.checks, self.profiles)

    def shutdown(self, timeout_ms: int, *, wait_for_checks: bool = False) -> bool:
        """Cancel the run, stop every queue, wait at most ``timeout_ms`` in all; True: all done.

        What still runs after that is logged and left: a pool still busy is waited for when
        the window is destroyed; a key check (daemon threads, it sends nothing) is not waited
        for at all unless ``wait_for_checks``.
        """
        deadline = time.monotonic() + timeout_ms / 1000

        def left(queue: TaskQueue | None = None) -> int:
            if queue is not None and queue.daemon and not wait_for_checks:
                return 0
            return max(0, round((deadline - time.monotonic()) * 1000))

        self.export.cancel()
        stopped = self.export.wait(left())
        if not stopped:
            log.warning("The export was still stopping after %d ms", timeout_ms)
        for queue in self.queues():
            stopped = queue.shutdown(left(queue)) and stopped
        return stopped
