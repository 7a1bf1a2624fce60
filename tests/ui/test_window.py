"""The window itself: tabs in order, menus and keys, remembered place, errors never silent."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, qWarning
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.core.errors import InUseError
from app.core.logging_setup import register_secret
from app.ui.application import run_gui
from app.ui.errors import ErrorReporter, install_excepthook, user_message
from app.ui.main_window import CONNECTIONS, HISTORY, MAPPING, SEGMENTS, MainWindow
from app.ui.qt_logging import route_qt_messages
from tests.support.screens.demo import demo_context, seed
from tests.ui.conftest import ScriptedDialogs, WindowFactory
from tests.ui.steps import settle


def test_tabs_follow_the_order_of_the_work(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["&1  Connections", "&2  Segments", "&3  Mapping", "&4  History"]


def test_menus_and_shortcuts(window: MainWindow, dialogs: ScriptedDialogs) -> None:
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["&File", "&Options", "&Help"]
    file_items = [a.text() for a in menus["&File"].actions() if not a.isSeparator()]
    help_items = [a.text() for a in menus["&Help"].actions()]
    assert file_items == [
        "&Import profiles...",
        "Try it with &sample data",
        "&Rebuild profile data...",
        "&Delete all data...",
        "&Quit",
    ]
    assert help_items == ["&About", "&Privacy notice", "Open &data folder", "Open &log"]
    assert window.import_action is not None
    assert window.import_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    menus["&Help"].actions()[2].trigger()
    menus["&Help"].actions()[3].trigger()
    assert dialogs.asked("open_path") == [
        (window.ui.app.paths.data_dir,),
        (window.ui.app.paths.log_file,),
    ]


def test_every_control_has_a_place_in_the_tab_order(window: MainWindow) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    view = window.connections.view
    widgets = view.findChildren(QAbstractButton) + view.findChildren(QLineEdit)
    for widget in widgets:
        if widget.objectName().startswith("qt_"):  # Qt's own parts, e.g. a table's corner
            continue
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget


def test_size_and_last_tab_are_remembered(
    make_window: WindowFactory, context: AppContext, app_home: Path
) -> None:
    first = make_window(context)
    first.resize(1100, 700)
    first.tabs.setCurrentIndex(HISTORY)
    first.close()
    assert (app_home / "config" / "window.ini").exists()
    second = make_window(context)
    assert second.tabs.currentIndex() == HISTORY
    # Restoring keeps the window on the screen (the offscreen one is 800 pixels wide).
    screen = second.screen().availableGeometry()
    expected_width = max(second.minimumWidth(), min(1100, screen.width()))
    assert (second.width(), second.height()) == (expected_width, 700)


def test_a_user_error_is_shown_in_plain_words(window: MainWindow, dialogs: ScriptedDialogs) -> None:
    error = InUseError("Segment 'A' is used by the export 'B'; remove it from that export first.")
    window.ui.errors.report(error, "Not removed")
    assert dialogs.asked("warning") == [("Not removed", str(error))]
    assert user_message(error) == str(error)


def test_an_unexpected_error_is_logged_and_shown_with_details(
    qtbot: QtBot,
    dialogs: ScriptedDialogs,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reporter = ErrorReporter(dialogs)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook(reporter)
    secret = "apk-secret-0123456789"
    register_secret(secret)
    try:
        raise KeyError(f"lookup of {secret}")
    except KeyError as exc:
        with caplog.at_level(logging.ERROR), qtbot.waitSignal(reporter.shown, timeout=2000):
            sys.excepthook(type(exc), exc, exc.__traceback__)
    _, message, details = dialogs.asked("error_details")[0]
    assert "Copy details" in message
    assert "KeyError" in details and "test_window.py" in details
    assert secret not in details
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_qt_messages_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    route_qt_messages()
    try:
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("a test message from Qt")
    finally:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(None)
    assert [r.getMessage() for r in caplog.records if r.name == "qt"] == ["a test message from Qt"]


def test_strings_go_through_the_catalog(make_window: WindowFactory, norwegian: str) -> None:
    # Built in Norwegian, the window's words come from the catalog, not from the code.
    window = make_window(demo_context())
    assert window.tabs.tabText(0) == "&1  Tilkoblinger"
    assert [a.text() for a in window.menuBar().actions()] == ["&Fil", "&Innstillinger", "&Hjelp"]
    assert user_message(ValueError("x")).startswith("Noe uventet gikk galt.")


def written_by_a_newer_version(context: AppContext) -> None:
    with closing(sqlite3.connect(context.paths.state_db)) as db:
        db.execute("PRAGMA user_version = 99")
        db.commit()


def test_data_from_a_newer_version_is_explained_and_the_program_exits_1(
    context: AppContext, dialogs: ScriptedDialogs, fresh_hooks: None
) -> None:
    written_by_a_newer_version(context)
    assert run_gui(context, dialogs) == 1
    [(title, message)] = dialogs.asked("warning")
    assert title == "Autopilot Segment Exporter could not start"
    assert "written by a newer version" in message
    assert not dialogs.asked("error_details"), "a known problem is not shown as a bug"


def test_an_unexpected_failure_at_start_offers_the_details(
    context: AppContext,
    dialogs: ScriptedDialogs,
    fresh_hooks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("the style sheet is broken")

    monkeypatch.setattr(MainWindow, "build", broken)
    assert run_gui(context, dialogs) == 1
    [(title, message, details)] = dialogs.asked("error_details")
    assert title == "Autopilot Segment Exporter could not start"
    assert "Copy details" in message
    assert "RuntimeError: the style sheet is broken" in details
    assert sys.excepthook is not sys.__excepthook__, "the hooks were installed first"


def test_a_long_failure_reason_is_shown_whole(window: MainWindow, qtbot: QtBot) -> None:
    reason = (
        "Autopilot at api2.autopilothq.com did not answer within 60 seconds while sending "
        "contacts (8 attempts). Check the network and try again; an interrupted run can be "
        "resumed from the History tab, and nothing Autopilot confirmed is sent twice."
    )
    window.panel.fail(reason)
    phase = window.panel.phase
    qtbot.waitUntil(lambda: phase.isVisible() and phase.width() > 0)
    qtbot.waitUntil(lambda: phase.height() >= phase.heightForWidth(phase.width()))
    assert phase.text() == reason
    assert phase.wordWrap()
    needed = phase.fontMetrics().boundingRect(
        phase.contentsRect(), int(Qt.TextFlag.TextWordWrap), reason
    )
    assert needed.height() <= phase.contentsRect().height(), "the reason is cut off"
    assert needed.width() <= phase.contentsRect().width()


def _mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def visible_mnemonics(window: MainWindow) -> dict[str, list[str]]:
    """Every Alt+letter on the screen as it is now: menus, tabs, buttons, labelled fields."""
    texts = [action.text() for action in window.menuBar().actions()]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            texts.append(button.text())
    for caption in window.findChildren(QLabel):
        if caption.isVisible() and caption.buddy() is not None:
            texts.append(caption.text())
    for group in window.findChildren(QGroupBox):
        if group.isVisible():
            texts.append(group.title())
    found: dict[str, list[str]] = {}
    for text in texts:
        key = _mnemonic(text)
        if key is not None:
            found.setdefault(key, []).append(text)
    return found


def test_every_alt_key_is_unique_on_every_screen_even_during_a_run(
    qtbot: QtBot, make_window: WindowFactory, app_home: Path
) -> None:
    context = demo_context()  # nothing leaves the machine
    seed(context)  # a connection, profiles, segments, exports and runs, as in the screenshots
    window = make_window(context)
    window.panel.start("Sending 'Newsletter Norway, November' to Autopilot")
    window.connections.view.table.selectRow(0)
    window.connections.view.advanced_toggle.setChecked(True)
    window.segments.view.segments.selectRow(0)
    window.mapping.view.exports.selectRow(0)
    for tab in (CONNECTIONS, SEGMENTS, MAPPING, HISTORY):
        window.tabs.setCurrentIndex(tab)
        settle(qtbot, window)
        found = visible_mnemonics(window)
        assert "e" in found, "the panel's Cancel run has its key on every tab"
        clashes = {key: texts for key, texts in found.items() if len(texts) > 1}
        assert not clashes, (window.tabs.tabText(tab), clashes)
