"""File > Delete all data: profiles, segments, exports, connections, runs and the stored keys,
and the exports' schedules.

The deletion runs on the profiles queue (it removes DuckDB's tables), then the keys go on the
keyring's thread. Meanwhile ``ui.permission`` says it is erasing, so nothing can be run or
imported into data that is being deleted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core.erase import erase_everything
from app.core.i18n import _
from app.ui.context import UiContext

if TYPE_CHECKING:
    from app.context import AppContext

log = logging.getLogger(__name__)


def _erase(app: AppContext) -> list[str]:
    """Delete everything, then the schedules of the exports that were deleted (a scheduler
    that fails is logged: the data is gone either way). Returns the connections' names."""
    exports = [export.name for export in app.exports.all()]
    names = erase_everything(app.state, app.profiles, app.paths.reports_dir)
    _unused, warnings = app.schedules.forget(exports)
    for warning in warnings:
        log.warning("%s", warning)
    return names


class DataEraser(QObject):
    busy_changed = Signal(bool)  # True while the data is being deleted
    finished = Signal(bool)  # True: everything was deleted; False: it failed (and was reported)

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui

    def erase(self) -> None:
        """Ask, then delete everything; refused while a run, an import or a start goes on."""
        if not self.ui.permission.may_erase():
            self.ui.dialogs.warning(
                _("Delete all data"),
                _("Wait until the export or import in progress has finished."),
            )
            return
        if not self.ui.dialogs.confirm(
            _("Delete all data"),
            _(
                "This deletes every imported profile, segment, export, connection, run and the "
                "API keys this program stored. Nothing is deleted in Autopilot. This cannot be "
                "undone."
            ),
            _("Delete everything"),
        ):
            return
        app = self.ui.app
        self._set_busy(True)
        self.ui.profiles.submit(lambda: _erase(app), self._on_erased, self._on_failed)

    def _on_erased(self, names: Any) -> None:
        self.ui.vault.forget_keys(list(names), self._on_keys_forgotten, self._on_failed)

    def _on_keys_forgotten(self, _unused: object) -> None:
        self._set_busy(False)
        self.finished.emit(True)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.finished.emit(False)
        self.ui.errors.report(exc, _("Could not delete all data"))

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.ui.permission.begin_erase()
        else:
            self.ui.permission.end_erase()
        self.busy_changed.emit(busy)
