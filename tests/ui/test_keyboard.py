"""The whole flow by keyboard alone: connect, import, define a segment, map, run, cancel,
resume and save the rejected rows, with key presses on whatever has the focus.

Only the file dialogs are answered by the scripted dialogs (they are the system's own); every
other step is a key: Tab and Shift+Tab, Alt+letter, Ctrl+O, Space, arrows and typing.
"""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.core.history import RunStatus
from app.ui.main_window import CONNECTIONS, HISTORY, MAPPING, SEGMENTS, MainWindow
from tests.support.autopilot_sim import AutopilotSimulator
from tests.ui.conftest import SIM_KEY, ScriptedDialogs
from tests.ui.steps import SETTLE_MS, settle

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ROWS = 1200
INVALID = ("not-an-email", "someone@", "@example.com")


def customers(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email", "FirstName", "Country"])
        for i in range(ROWS):
            writer.writerow([f"customer{i:05d}@example.com", f"Name{i}", "Norway"])
        for email in INVALID:
            writer.writerow([email, "Broken", "Norway"])
        writer.writerow(["elsewhere@example.com", "Sven", "Sweden"])
    return path


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(focused(), key, modifier)


def alt(qtbot: QtBot, letter: str) -> None:
    """An Alt key: the label's field takes the focus, or the button is pressed."""
    press(qtbot, getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)


def type_in(qtbot: QtBot, text: str, *, replace: bool = False) -> None:
    if replace:
        press(qtbot, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(focused(), text)


def tab_to(qtbot: QtBot, target: QWidget, most: int = 40) -> None:
    """Tab until ``target`` has the focus (it must be on the way)."""
    for _ in range(most):
        if focused() is target:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target!r}")


def test_the_whole_flow_by_keyboard_alone(
    qtbot: QtBot,
    window: MainWindow,
    sim: AutopilotSimulator,
    dialogs: ScriptedDialogs,
    tmp_path: Path,
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.tabs.setFocus()

    # Connections: a new connection to the test server, checked and saved.
    alt(qtbot, "1")
    assert window.tabs.currentIndex() == CONNECTIONS
    view = window.connections.view
    alt(qtbot, "n")  # New connection: the name takes the focus
    qtbot.waitUntil(lambda: focused() is view.name)
    type_in(qtbot, "Marketing")
    alt(qtbot, "y")  # API key
    assert focused() is view.key
    type_in(qtbot, SIM_KEY)
    alt(qtbot, "a")  # Advanced settings
    qtbot.waitUntil(view.advanced.isVisible)
    alt(qtbot, "u")  # Base URL
    assert focused() is view.base_url
    type_in(qtbot, sim.base_url, replace=True)
    alt(qtbot, "l")  # Rate limit: slow enough to cancel while it sends
    type_in(qtbot, "10", replace=True)
    assert view.rate_limit.value() == 10
    alt(qtbot, "i")  # I agree
    qtbot.waitUntil(view.agree.isChecked)
    alt(qtbot, "c")  # Connect
    qtbot.waitUntil(lambda: "accepted" in view.status.text.text(), timeout=SETTLE_MS)
    with qtbot.waitSignal(window.connections.changed, timeout=SETTLE_MS):
        alt(qtbot, "s")  # Save connection
    settle(qtbot, window)

    # Segments: import a file (Ctrl+O; the file dialog is the system's), then a segment.
    source = customers(tmp_path / "customers.csv")
    dialogs.answers["open_profile_files"] = [source]
    with qtbot.waitSignal(window.segments.sources.changed, timeout=60_000):
        press(qtbot, Qt.Key.Key_O, CTRL)
    settle(qtbot, window)
    assert window.tabs.currentIndex() == SEGMENTS
    segments = window.segments.view
    alt(qtbot, "n")  # New segment
    qtbot.waitUntil(lambda: focused() is segments.name)
    type_in(qtbot, "Norway")
    alt(qtbot, "r")  # Add rule: its field takes the focus
    qtbot.waitUntil(lambda: bool(segments.rules.rows) and focused() is segments.rules.rows[0].field)
    type_in(qtbot, "Country")  # a combo box finds the item typed
    press(qtbot, Qt.Key.Key_Tab)  # the condition: equals
    press(qtbot, Qt.Key.Key_Tab)  # the value
    type_in(qtbot, "Norway")
    settle(qtbot, window)
    assert segments.rules.rules()[0].field == "Country"
    with qtbot.waitSignal(window.segments.changed, timeout=SETTLE_MS):
        alt(qtbot, "s")  # Save segment
    settle(qtbot, window)

    # Mapping: a new export of the segment, Email mapped (required).
    alt(qtbot, "3")
    assert window.tabs.currentIndex() == MAPPING
    mapping = window.mapping.view
    alt(qtbot, "n")  # New
    qtbot.waitUntil(lambda: focused() is mapping.name)
    type_in(qtbot, "Weekly")
    alt(qtbot, "g")  # the segments to export
    assert focused() is mapping.segments
    press(qtbot, Qt.Key.Key_Home)
    only = mapping.segments.item(0)
    assert only.checkState() == Qt.CheckState.Checked, "the only segment is chosen at first"
    press(qtbot, Qt.Key.Key_Space)  # left out: the export says one is needed
    settle(qtbot, window)
    assert only.checkState() == Qt.CheckState.Unchecked
    assert mapping.segments_problem.problems
    press(qtbot, Qt.Key.Key_Space)  # chosen again
    settle(qtbot, window)
    assert not mapping.segments_problem.problems
    email = mapping.fields.combo("Email")
    tab_to(qtbot, email)
    press(qtbot, Qt.Key.Key_Home)  # "not sent": the export says Email is required
    settle(qtbot, window)
    assert not mapping.run_button.isEnabled()
    assert any("Email" in p for p in mapping.mapping_problem.problems)
    type_in(qtbot, "Email")
    settle(qtbot, window)
    assert email.currentData() == "Email"
    assert mapping.run_button.isEnabled()

    # Run now, cancel while it sends, resume from History, save the rejected rows.
    job = window.ui.export
    with qtbot.waitSignal(
        job.progress, timeout=20_000, check_params_cb=lambda p: p.phase == "sending"
    ):
        alt(qtbot, "r")  # Run now
    with qtbot.waitSignal(job.finished, timeout=20_000) as stopped:
        alt(qtbot, "e")  # Cancel run, in the panel under the tabs
    cancelled = stopped.args[0]
    assert cancelled.status == RunStatus.CANCELLED and cancelled.sent < ROWS
    settle(qtbot, window)
    alt(qtbot, "4")
    assert window.tabs.currentIndex() == HISTORY
    history = window.history.view
    with qtbot.waitSignal(job.finished, timeout=60_000) as resumed:
        alt(qtbot, "r")  # Resume run (the run just stopped is the one chosen)
    run = resumed.args[0]
    assert (run.run_id, run.status) == (cancelled.run_id, RunStatus.SUCCEEDED)
    assert run.sent == ROWS and run.invalid == len(INVALID)
    assert len(sim.contacts()) == ROWS
    settle(qtbot, window)
    target = tmp_path / "rejected.csv"
    dialogs.answers["save_csv"] = target
    assert history.save_rejected_button.isEnabled()
    with qtbot.waitSignal(window.ui.background.idle, timeout=10_000):
        alt(qtbot, "j")  # Save rejected rows...
    with target.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == len(INVALID)
