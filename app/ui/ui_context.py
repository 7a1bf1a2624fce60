"""What every tab controller is handed: the core, the worker queues and the way to talk to
the user. Built once by the main window (the UI's own small composition root)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.ui.dialogs import Dialogs
from app.ui.errors import ErrorReporter
from app.ui.export_job import ExportJob
from app.ui.keyvault import KeyVault
from app.ui.workers import TaskQueue

if TYPE_CHECKING:
    from app.bootstrap import AppContext


@dataclass
class UiContext:
    app: AppContext
    dialogs: Dialogs
    errors: ErrorReporter
    vault: KeyVault  # every keyring call
    background: TaskQueue  # key checks against Autopilot, reports written to files
    profiles: TaskQueue  # imports, member counts, previews and plans (DuckDB), one at a time
    export: ExportJob  # the one export run
    # An import holds DuckDB's only write connection, which an export's reads would collide
    # with: while one goes on, the other does not start.
    importing: bool = False

    def queues(self) -> tuple[TaskQueue, ...]:
        return (self.vault.queue, self.background, self.profiles)

    def busy(self) -> bool:
        return any(q.busy() for q in self.queues()) or self.export.active
