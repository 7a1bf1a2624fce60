"""The banner that says, when the window opens, which runs failed while it was closed
(scheduled runs, or runs from the command line), with a way to see them in History."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.core.history import Run
from app.core.history.lifecycle import RunStatus
from app.core.i18n import _, ngettext
from app.ui.errors import window_words
from app.ui.kit import formatting as fmt
from app.ui.kit.widgets import MessageBar


class FailedRunsNotice(MessageBar):
    show_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("warning", parent)
        self.setObjectName("failedRunsNotice")

    def offer(self, runs: Sequence[Run]) -> None:
        """Name the newest of ``runs`` (newest first); the others are counted."""
        if not runs:
            return
        run = runs[0]
        if run.status is RunStatus.INTERRUPTED:
            text = _(
                "While the window was closed, run {id} of '{export}' (started {when}) was "
                "interrupted."
            )
        else:
            text = _("While the window was closed, run {id} of '{export}' (started {when}) failed.")
        text = text.format(id=run.run_id, export=run.export, when=fmt.when(run.started_at))
        if run.error:
            text += " " + window_words(run.error)
        others = len(runs) - 1
        if others:
            text += " " + ngettext(
                "One more run failed; see History.", "{n} more runs failed; see History.", others
            ).format(n=others)
        self.show_message(text, [(_("Show in History"), lambda: self._on_show(run.run_id))])

    def _on_show(self, run_id: int) -> None:
        self.dismiss()
        self.show_requested.emit(run_id)
