"""The Schedule... button of an export: read what the scheduler holds, ask, set or remove.

Every scheduler call runs off the GUI thread (systemctl, crontab and schtasks are programs
that may take a moment). A renamed export takes its schedule along; a removed one's goes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.i18n import _
from app.core.schedule import Schedule, ScheduleInfo
from app.ui.context import UiContext
from app.ui.kit import formatting as fmt
from app.ui.kit.widgets import StatusLine
from app.ui.mapping.schedule_dialog import ScheduleChoice

log = logging.getLogger(__name__)


class ExportScheduler(QObject):
    busy_changed = Signal(bool)

    def __init__(self, ui: UiContext, status: StatusLine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.status = status
        self.busy = False

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def edit(self, export: str) -> None:
        """Show the export's schedule and change it as the user says."""
        if self.busy:
            return
        schedules = self.ui.app.schedules
        self._set_busy(True)
        self.status.show_busy(_("Reading the schedule\u2026"))
        self.ui.background.submit(
            lambda: schedules.show(export),
            lambda info: self._on_read(export, info),
            self._on_failed,
        )

    def _on_read(self, export: str, info: Any) -> None:
        assert isinstance(info, ScheduleInfo)
        self.status.clear()
        choice = self.ui.dialogs.ask_schedule(export, info)
        if choice is None or (choice.schedule == info.schedule and not info.problem):
            self._set_busy(False)
            return
        self._apply(export, choice)

    def _apply(self, export: str, choice: ScheduleChoice) -> None:
        schedules, schedule = self.ui.app.schedules, choice.schedule
        self.status.show_busy(_("Changing the schedule\u2026"))
        if schedule is None:
            self.ui.background.submit(
                lambda: schedules.remove(export),
                lambda _: self._on_removed(export),
                self._on_failed,
            )
        else:
            self.ui.background.submit(
                lambda: schedules.set(export, schedule),
                lambda info: self._on_set(export, info),
                self._on_failed,
            )

    def _on_set(self, export: str, info: Any) -> None:
        assert isinstance(info, ScheduleInfo)
        self._set_busy(False)
        schedule = info.schedule
        if schedule is None:  # the scheduler took it but does not show it: say so plainly
            self.status.show_text(_("The schedule was registered but cannot be read back."), "warn")
            return
        self.status.show_text(
            _("'{name}' runs {when}; next run {next}.").format(
                name=export, when=describe(self, schedule), next=fmt.when(info.next_run)
            ),
            "ok",
        )

    def _on_removed(self, export: str) -> None:
        self._set_busy(False)
        self.status.show_text(_("'{name}' no longer runs by itself.").format(name=export), "ok")

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status.clear()
        self.ui.errors.report(exc, _("The schedule was not changed"))

    # -- following the export ------------------------------------------------------------------

    def renamed(self, old: str, new: str) -> None:
        """The export was saved under a new name: the scheduled command names it, so move it."""
        schedules = self.ui.app.schedules
        self.ui.background.submit(
            lambda: schedules.rename(old, new),
            lambda _: None,
            lambda exc: self.ui.errors.report(
                exc, _("The schedule did not follow the export's new name")
            ),
        )

    def removed(self, exports: Iterable[str]) -> None:
        """The exports were removed: so are their schedules (a failure is reported)."""
        schedules, names = self.ui.app.schedules, list(exports)
        self.ui.background.submit(lambda: schedules.forget(names), self._on_forgotten)

    def _on_forgotten(self, result: Any) -> None:
        _unused, warnings = result
        for warning in warnings:
            self.ui.dialogs.warning(_("Schedule not removed"), warning)


def describe(owner: QObject, schedule: Schedule) -> str:
    """``every day at 07:30`` or ``every Monday at 07:30``, in the window's words."""
    if schedule.weekday is None:
        return _("every day at {time}").format(time=schedule.time_text)
    days = (
        _("every Monday at {time}"),
        _("every Tuesday at {time}"),
        _("every Wednesday at {time}"),
        _("every Thursday at {time}"),
        _("every Friday at {time}"),
        _("every Saturday at {time}"),
        _("every Sunday at {time}"),
    )
    return days[schedule.weekday].format(time=schedule.time_text)
