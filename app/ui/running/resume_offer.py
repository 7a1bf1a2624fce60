"""The banner that offers, at start, to resume a run that was interrupted (crash, power loss)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.core.history import Run
from app.core.i18n import _, ngettext
from app.ui.kit import formatting as fmt
from app.ui.kit.widgets import MessageBar


class ResumeOffer(MessageBar):
    resume_requested = Signal(int)
    show_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("info", parent)

    def offer(self, runs: Sequence[Run]) -> None:
        """Offer the newest interrupted run; the others are in History."""
        if not runs:
            return
        run = runs[0]
        text = _(
            "Run {id} of '{export}' was interrupted after {done} of {planned} contacts. Resume "
            "it to send the rest; nothing Autopilot already confirmed is sent twice."
        ).format(
            id=run.run_id,
            export=run.export,
            done=fmt.number(run.sent + run.rejected),
            planned=fmt.number(run.planned - run.invalid - run.duplicates),
        )
        if len(runs) > 1:
            text += " " + ngettext(
                "One more interrupted run is in History.",
                "{n} more interrupted runs are in History.",
                len(runs) - 1,
            ).format(n=len(runs) - 1)
        self.show_message(
            text,
            [
                (_("&Resume now"), lambda: self._on_resume(run.run_id)),
                (_("Show in History"), lambda: self.show_requested.emit(run.run_id)),
            ],
        )

    def _on_resume(self, run_id: int) -> None:
        self.dismiss()
        self.resume_requested.emit(run_id)
