"""The Schedule... dialog on an export, and the notice of runs that failed while the window was
closed. Schedules go to the file crontab of tests/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot

from app.core.history.lifecycle import RunStatus
from app.core.history.store import NewRun
from app.core.schedule import Schedule, ScheduleInfo
from app.ui.main_window import HISTORY, MAPPING
from app.ui.mapping.schedule_dialog import ScheduleChoice, ScheduleDialog
from app.ui.window_settings import WindowSettings
from tests.support.screens.demo import EXPORT, demo_context, seed
from tests.ui.conftest import ScriptedDialogs, WindowFactory
from tests.ui.steps import click, settle

CRON_NOTE = "cron starts runs outside your desktop session"


def info(schedule: Schedule | None = None, scheduler: str = "crontab") -> ScheduleInfo:
    return ScheduleInfo("Weekly", scheduler, "a note", schedule)


def test_the_dialog_shows_the_schedule_the_next_run_and_the_cron_caveat(qtbot: QtBot) -> None:
    saturday = datetime(2026, 12, 5, 12, 0).astimezone()
    dialog = ScheduleDialog("Weekly", info(Schedule(7, 30, 0)), now=saturday)
    qtbot.addWidget(dialog)
    assert dialog.weekly.isChecked() and dialog.day.currentIndex() == 0
    assert dialog.choice() == ScheduleChoice(Schedule(7, 30, 0))
    assert dialog.next_run.text() == "Next run: 2026-12-07 07:30."
    assert "crontab" in dialog.scheduler.text()
    assert CRON_NOTE in dialog.keyring_note.text() and not dialog.keyring_note.isHidden()

    dialog.daily.setChecked(True)
    dialog.daily_time.setTime(QTime(18, 5))
    assert not dialog.day.isEnabled() and dialog.daily_time.isEnabled()
    assert dialog.choice() == ScheduleChoice(Schedule(18, 5))
    assert dialog.next_run.text() == "Next run: 2026-12-05 18:05."
    dialog.off.setChecked(True)
    assert dialog.choice() == ScheduleChoice(None)
    assert dialog.next_run.text() == "It does not run by itself."

    systemd = ScheduleDialog("Weekly", info(scheduler="systemd user timer"), now=saturday)
    qtbot.addWidget(systemd)
    assert systemd.off.isChecked() and systemd.keyring_note.isHidden()


def test_schedule_change_and_remove_through_the_window(
    qtbot: QtBot, make_window: WindowFactory, dialogs: ScriptedDialogs, tmp_path: Path
) -> None:
    context = demo_context()
    seed(context)
    window = make_window(context)
    window.tabs.setCurrentIndex(MAPPING)
    view = window.mapping.view
    assert not view.schedule_button.isEnabled(), "a new export is not saved yet"
    row = window.mapping.model.find(lambda e: e.name == EXPORT)
    view.exports.selectRow(row)
    table = tmp_path / "crontab"

    dialogs.answers["ask_schedule"] = lambda export, shown: ScheduleChoice(Schedule(7, 30, 0))
    click(qtbot, view.schedule_button)
    qtbot.waitUntil(lambda: "runs every Monday at 07:30" in view.status.text.text())
    export, shown = dialogs.asked("ask_schedule")[0]
    assert export == EXPORT and shown.schedule is None and shown.scheduler == "crontab"
    assert f"'{EXPORT}' --refresh" in table.read_text()
    assert context.schedules.show(EXPORT).schedule == Schedule(7, 30, 0)

    dialogs.answers["ask_schedule"] = lambda export, shown: ScheduleChoice(None)
    click(qtbot, view.schedule_button)
    qtbot.waitUntil(lambda: "no longer runs by itself" in view.status.text.text())
    assert dialogs.asked("ask_schedule")[1][1].schedule == Schedule(7, 30, 0)
    assert "autopilot-exporter:" not in table.read_text()

    dialogs.answers["ask_schedule"] = lambda export, shown: ScheduleChoice(Schedule(6, 0))
    click(qtbot, view.schedule_button)
    qtbot.waitUntil(lambda: "runs every day at 06:00" in view.status.text.text())
    click(qtbot, view.remove_button)
    qtbot.waitUntil(lambda: "autopilot-exporter:" not in table.read_text(), timeout=10_000)
    settle(qtbot, window)
    assert context.schedules.show(EXPORT).schedule is None


def failed_run(context: object, error: str) -> int:
    runs = context.runs  # type: ignore[attr-defined]
    lease = runs.create(NewRun(EXPORT, None, False, {}, 10, 0, 0, 10), [])
    runs.finish(lease, RunStatus.FAILED, active_seconds=0.5, error=error)
    return int(lease.run_id)


def test_runs_that_failed_while_the_window_was_closed_are_shown_once_it_opens(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    context = demo_context()
    seed(context)
    settings = WindowSettings(context.paths.config_dir)
    settings.save_closed(datetime.now(UTC) - timedelta(hours=1))
    older = failed_run(context, "An older failure.")
    run_id = failed_run(context, "The API key could not be read: the keyring is locked.")
    window = make_window(context)
    notice = window.failed_notice
    assert notice.isVisible()
    text = notice.text.text()
    assert f"run {run_id} of '{EXPORT}'" in text and "failed." in text
    assert "the keyring is locked" in text and "One more run failed; see History." in text
    assert f"run {older} " not in text and "An older failure" not in text
    button = next(b for b in notice._actions if b.text() == "Show in History")
    click(qtbot, button)
    assert window.tabs.currentIndex() == HISTORY and not notice.isVisible()

    before = datetime.now(UTC)
    window.close()
    closed = settings.closed_at()
    assert closed is not None and closed >= before - timedelta(seconds=1)


def test_no_notice_for_runs_from_before_the_window_closed_or_on_the_first_start(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    context = demo_context()
    seed(context)
    failed_run(context, "Seen already.")
    first = make_window(context)
    assert not first.failed_notice.isVisible(), "the first start has no 'since'"
    first.close()
    second = make_window(context)
    assert not second.failed_notice.isVisible()
