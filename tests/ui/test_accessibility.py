"""A window everyone can use: every control named for a screen reader, Tab in reading order,
progress and the end of a run announced, colour never the only signal."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.core.export import Progress
from app.core.schedule import ScheduleInfo
from app.core.schedule.models import Schedule
from app.ui.dialogs import CustomFieldDialog, EntityDialog, ErrorDialog, TextDialog
from app.ui.kit import a11y
from app.ui.main_window import CONNECTIONS, HISTORY, MAPPING, SEGMENTS, MainWindow
from app.ui.mapping.schedule_dialog import ScheduleDialog
from tests.support.screens.demo import demo_context, seed
from tests.ui.a11y_checks import order_problems, spoken_name, unnamed
from tests.ui.conftest import WindowFactory
from tests.ui.steps import settle

TABS = {CONNECTIONS: "Connections", SEGMENTS: "Segments", MAPPING: "Mapping", HISTORY: "History"}


@pytest.fixture
def filled(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    """The demo workspace, every list with its first item chosen, the window in front."""
    context = demo_context()
    seed(context)
    window = make_window(context)
    window.resize(1280, 800)
    window.connections.view.table.selectRow(0)
    window.connections.view.advanced_toggle.setChecked(True)
    window.segments.view.segments.selectRow(1)  # the one with rules
    window.mapping.view.exports.selectRow(0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def show_tab(qtbot: QtBot, window: MainWindow, tab: int) -> QWidget:
    window.tabs.setCurrentIndex(tab)
    settle(qtbot, window)
    QApplication.processEvents()
    page = window.tabs.currentWidget()
    assert page is not None
    return page


def test_every_control_on_every_tab_has_a_name_a_screen_reader_can_say(
    qtbot: QtBot, filled: MainWindow
) -> None:
    problems = {}
    for tab, caption in TABS.items():
        if found := unnamed(show_tab(qtbot, filled, tab)):
            problems[caption] = found
    filled.panel.start("Sending 'November' to Autopilot")
    if found := unnamed(filled.panel):
        problems["export panel"] = found
    assert problems == {}


def test_tab_follows_the_layout_on_every_tab(qtbot: QtBot, filled: MainWindow) -> None:
    problems = {}
    for tab, caption in TABS.items():
        if found := order_problems(show_tab(qtbot, filled, tab)):
            problems[caption] = found
    assert problems == {}


def dialogs(window: MainWindow) -> dict[str, QDialog]:
    info = ScheduleInfo("November", "crontab", "", Schedule(7, 30, 0))
    return {
        "schedule": ScheduleDialog("November", info, datetime(2026, 1, 5), parent=window),
        "source name": TextDialog(
            "Import profiles", "Segments refer to...", caption="&Name:", parent=window
        ),
        "API key": TextDialog(
            "API key needed", "Enter the key", placeholder="Autopilot API key", parent=window
        ),
        "custom field": CustomFieldDialog([], window),
        "entity": EntityDialog("folder", [("Customers", 12), ("Orders", 5)], window),
        "error": ErrorDialog("Oops", "Something went wrong", "details", window),
    }


def test_the_dialogs_name_their_controls_and_tab_in_order(qtbot: QtBot, filled: MainWindow) -> None:
    problems = {}
    for caption, dialog in dialogs(filled).items():
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        if found := unnamed(dialog) + order_problems(dialog):
            problems[caption] = found
        dialog.reject()
        dialog.deleteLater()
    assert problems == {}


def test_progress_and_the_end_of_a_run_are_said_in_words(
    qtbot: QtBot, filled: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[tuple[QAccessible.Event, str]] = []

    def record(event: QAccessibleEvent) -> None:
        text = event.message() if event.type() == QAccessible.Event.Announcement else ""
        said.append((event.type(), text))

    monkeypatch.setattr(a11y, "send", record)
    panel = filled.panel
    panel.start("Sending 'November' to Autopilot")
    interface = QAccessible.queryAccessibleInterface(panel)
    assert interface.text(QAccessible.Text.Name) == "Export run"
    assert "starting" in interface.text(QAccessible.Text.Description)

    said.clear()
    panel.show_progress(Progress(7, "sending", "Loyal", 10_000, 4_000, 0, 40.0, 120.0))
    description = interface.text(QAccessible.Text.Description)
    assert description == (
        "Sending segment 'Loyal'. 4,000 of 10,000 contacts done, about 2 min left."
    )
    bar = QAccessible.queryAccessibleInterface(panel.bar)
    assert bar.text(QAccessible.Text.Name) == "Export progress"
    assert bar.text(QAccessible.Text.Description) == description
    assert (QAccessible.Event.DescriptionChanged, "") in said
    assert (QAccessible.Event.Announcement, description) in said

    # Within the same tenth of the run the words follow, but nothing is said aloud again.
    said.clear()
    panel.show_progress(Progress(7, "sending", "Loyal", 10_000, 4_100, 0, 40.0, 118.0))
    assert [kind for kind, _text in said] == [QAccessible.Event.DescriptionChanged] * 2

    said.clear()
    run = filled.ui.app.runs.all()[0]
    panel.finish(run)
    finished = interface.text(QAccessible.Text.Description)
    assert finished.startswith("Run finished: ")
    assert panel.counts.text() in finished
    assert (QAccessible.Event.Announcement, finished) in said


def test_the_window_names_states_in_words_or_signs_not_colour_alone(
    qtbot: QtBot, filled: MainWindow
) -> None:
    history = filled.history.model
    marks = {history.index(row, 0).data()[0] for row in range(history.rowCount())}
    assert "\u25cf" not in marks and len(marks) >= 2, "each status has its own sign"
    bar = filled.segments.view.file_notice
    bar.show_message("Customers.csv changed.")
    assert bar.sign.text() == "\u26a0" and spoken_name(bar.sign) == "Warning"
    status = filled.connections.view.status
    status.show_text("The key was rejected.", "problem")
    assert status.text.text() == "\u2716 The key was rejected."
