"""The Schedule dialog of an export: off, every day at, or every week on a day at; the next
run, the scheduler that runs it and, for cron, what that means for the API key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _
from app.core.schedule import Schedule, ScheduleInfo
from app.ui.kit import a11y
from app.ui.kit import formatting as fmt
from app.ui.kit.layout import tab_chain
from app.ui.kit.widgets import hint, label


@dataclass(frozen=True)
class ScheduleChoice:
    """What the user chose; ``schedule`` None: no schedule."""

    schedule: Schedule | None


class ScheduleDialog(QDialog):
    def __init__(
        self,
        export: str,
        info: ScheduleInfo,
        now: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Schedule '{name}'").format(name=export))
        self._now = now
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(
            label(
                _(
                    "Run this export by itself at a set time. Each run imports its profile file "
                    "again first, sends only what changed, and is kept in History."
                )
            )
        )
        layout.addLayout(self._build_choices())
        # Tab row by row: each time after its option (in the window, so after the layout).
        tab_chain(self.off, self.daily, self.daily_time, self.weekly, self.day, self.weekly_time)
        self.next_run = label()
        self.next_run.setObjectName("nextRun")
        layout.addWidget(self.next_run)
        scheduler = _("This computer's {scheduler} starts the run.").format(
            scheduler=info.scheduler
        )
        self.scheduler = hint(scheduler)
        layout.addWidget(self.scheduler)
        self.keyring_note = hint(self._keyring_note(info))
        self.keyring_note.setVisible(bool(self.keyring_note.text()))
        layout.addWidget(self.keyring_note)
        self.problem = label(info.problem or "")
        self.problem.setObjectName("warn")
        self.problem.setVisible(bool(info.problem))
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_schedule(info.schedule)
        self.setMinimumWidth(460)

    def _keyring_note(self, info: ScheduleInfo) -> str:
        if info.scheduler != "crontab":
            return ""
        return _(
            "cron starts runs outside your desktop session, where the login keyring is usually "
            "locked, so a run that cannot read the API key fails and says so in History."
        )

    def _build_choices(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.off = QRadioButton(_("&Off: run it only when I click Run now"))
        self.daily = QRadioButton(_("Every &day at"))
        self.weekly = QRadioButton(_("Every &week on"))
        self.group = QButtonGroup(self)
        for button in (self.off, self.daily, self.weekly):
            self.group.addButton(button)
            button.toggled.connect(self._on_changed)
        self.daily_time = self._time_edit()
        self.day = QComboBox()
        for name in (
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ):
            self.day.addItem(name)
        self.day.currentIndexChanged.connect(self._on_changed)
        self.weekly_time = self._time_edit()
        at = QLabel(_("&at"))
        # The option before each is its visible label; a screen reader gets one of its own.
        for widget, text in (
            (self.daily_time, _("Time of the daily run")),
            (self.day, _("Day of the weekly run")),
            (self.weekly_time, _("Time of the weekly run")),
        ):
            grid.addWidget(a11y.hidden_label(widget, text), 3, 0)
        at.setBuddy(self.weekly_time)
        grid.addWidget(self.off, 0, 0, 1, 4)
        grid.addWidget(self.daily, 1, 0)
        grid.addWidget(self.daily_time, 1, 1)
        grid.addWidget(self.weekly, 2, 0)
        grid.addWidget(self.day, 2, 1)
        grid.addWidget(at, 2, 2)
        grid.addWidget(self.weekly_time, 2, 3)
        grid.setColumnStretch(4, 1)
        return grid

    def _time_edit(self) -> QTimeEdit:
        edit = QTimeEdit(QTime(7, 0))
        edit.setDisplayFormat("HH:mm")
        edit.timeChanged.connect(self._on_changed)
        return edit

    def set_schedule(self, schedule: Schedule | None) -> None:
        if schedule is None:
            self.off.setChecked(True)
        elif schedule.weekday is None:
            self.daily.setChecked(True)
            self.daily_time.setTime(QTime(schedule.hour, schedule.minute))
        else:
            self.weekly.setChecked(True)
            self.day.setCurrentIndex(schedule.weekday)
            self.weekly_time.setTime(QTime(schedule.hour, schedule.minute))
        self._on_changed()

    def choice(self) -> ScheduleChoice:
        if self.daily.isChecked():
            time = self.daily_time.time()
            return ScheduleChoice(Schedule(time.hour(), time.minute()))
        if self.weekly.isChecked():
            time = self.weekly_time.time()
            return ScheduleChoice(Schedule(time.hour(), time.minute(), self.day.currentIndex()))
        return ScheduleChoice(None)

    def _on_changed(self, *args: object) -> None:
        self.daily_time.setEnabled(self.daily.isChecked())
        self.day.setEnabled(self.weekly.isChecked())
        self.weekly_time.setEnabled(self.weekly.isChecked())
        schedule = self.choice().schedule
        if schedule is None:
            self.next_run.setText(_("It does not run by itself."))
            return
        now = self._now or datetime.now().astimezone()
        self.next_run.setText(_("Next run: {when}.").format(when=fmt.when(schedule.next_run(now))))
