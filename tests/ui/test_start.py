"""Starting the window as a double-click does: the frame paints first, then it is filled.

The frame (title, menus, tab captions, status bar) must reach the screen before the core is
imported: DuckDB, requests, keyring and email validation are most of the start-up time.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.ui.application import main_window_frame
from app.ui.main_window import MainWindow
from tests.ui.conftest import TEARDOWN_WAIT_MS, ScriptedDialogs
from tests.ui.steps import drag_files_over, drop_files

ROOT = Path(__file__).resolve().parents[2]
# What the frame must not wait for; each is loaded by the time the window is ready.
HEAVY = ("duckdb", "requests", "keyring", "email_validator", "app.core.export", "logging.handlers")

Frame = Callable[..., MainWindow]


@pytest.fixture
def frame(dialogs: ScriptedDialogs, context: AppContext, fresh_hooks: None) -> Iterator[Frame]:
    """Frames over the test's context, each shut down (and its workers checked) afterwards."""
    made: list[MainWindow] = []

    def make(over: AppContext | None = None, **options: int) -> MainWindow:
        window = main_window_frame(over or context, dialogs, **options)
        made.append(window)
        return window

    yield make
    for window in made:
        assert window.shutdown(TEARDOWN_WAIT_MS, wait_for_checks=True)
        if window.is_built:
            assert all(queue.active_threads() == 0 for queue in window.ui.queues())
        window.hide()
        window.deleteLater()


def test_the_frame_paints_before_the_core_is_loaded(tmp_path: Path) -> None:
    """In a fresh process (this one has the core loaded already), started as a double-click
    starts it: ``app.cli.main([])``."""
    code = f"""
import json, sys
from PySide6.QtWidgets import QApplication
from app.ui.main_window import MainWindow
HEAVY = {HEAVY!r}
seen = {{}}
def loaded(when):
    seen.setdefault(when, [name for name in HEAVY if name in sys.modules])
paint, ready = MainWindow.paintEvent, MainWindow._on_ready
def painted(self, event):
    loaded("painted")
    paint(self, event)
def on_ready(self, status):
    ready(self, status)
    loaded("ready")
    QApplication.quit()
MainWindow.paintEvent, MainWindow._on_ready = painted, on_ready
from app.bootstrap import main
code = main([])
print(json.dumps(seen))
sys.exit(code)
"""
    env = dict(os.environ, AUTOPILOT_EXPORTER_HOME=str(tmp_path / "home"))
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["painted"] == []
    assert seen["ready"] == list(HEAVY), "the filled window loads all of them"


def test_the_frame_is_filled_after_its_first_paint(qtbot: QtBot, frame: Frame) -> None:
    window = frame()
    built_when_painted: list[bool] = []
    window.painted.connect(lambda: built_when_painted.append(window.is_built))
    assert [window.tabs.tabText(i) for i in range(4)] == [
        "&1  Connections",
        "&2  Segments",
        "&3  Mapping",
        "&4  History",
    ]
    assert [menu.title() for menu in (window.file_menu, window.help_menu)] == ["&File", "&Help"]
    assert window.file_menu.isEmpty()
    assert window.statusBar().currentMessage() == "Opening..."
    with qtbot.waitSignals([window.painted, window.built, window.ready], timeout=10_000):
        window.show()
    assert built_when_painted == [False]
    assert window.tabs.widget(1).findChild(type(window.segments.view)) is window.segments.view
    assert not window.file_menu.isEmpty()
    assert window.statusBar().currentMessage() == "Ready."


def test_a_frame_that_is_never_painted_is_filled_anyway(qtbot: QtBot, frame: Frame) -> None:
    window = frame(build_without_paint_ms=0)  # not shown: no paint comes
    qtbot.waitUntil(lambda: window.is_ready, timeout=10_000)
    assert window.is_built


def test_a_frame_closed_before_it_is_filled_starts_nothing(frame: Frame) -> None:
    window = frame(build_without_paint_ms=0)
    window.close()
    QCoreApplication.processEvents()  # the fill is due now
    assert window.shut_down
    assert not window.is_built


def test_a_file_dropped_on_the_frame_is_refused(frame: Frame, tmp_path: Path) -> None:
    window = frame()
    assert not drag_files_over(window, [tmp_path / "people.csv"])
    assert not drop_files(window, [tmp_path / "people.csv"])
    assert not window.is_built


def test_a_failure_while_filling_is_shown_and_later_event_loops_still_run(
    qtbot: QtBot, frame: Frame, dialogs: ScriptedDialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("the style sheet is broken")

    monkeypatch.setattr(MainWindow, "build", broken)
    window = frame()
    with qtbot.waitSignal(window.could_not_open, timeout=10_000):
        window.show()
    assert window.start_failed
    assert not window.isVisible()
    [(title, _, details)] = dialogs.asked("error_details")
    assert title == "Autopilot Segment Exporter could not start"
    assert "RuntimeError: the style sheet is broken" in details
    ran: list[bool] = []
    loop = QEventLoop()
    QTimer.singleShot(0, lambda: (ran.append(True), loop.quit()))
    loop.exec()
    assert ran == [True], "an event loop started after the failure runs"


def test_a_damaged_store_is_offered_its_backup_and_restored(
    qtbot: QtBot, frame: Frame, dialogs: ScriptedDialogs, app_home: Path
) -> None:
    from app.context import build_context
    from app.core.state_backups import quick_check

    first = build_context()
    state = first.state.path
    backup = first.state.backups.take()
    assert backup is not None
    state.write_bytes(b"")  # emptied, as by a crash on a full disk

    dialogs.answers["confirm"] = True
    window = frame(build_context())
    with qtbot.waitSignal(window.could_not_open, timeout=10_000):
        window.show()
    [(_, question, action)] = dialogs.asked("confirm")
    assert "damaged" in question and backup.label in question and action == "Restore the backup"
    [(title, said)] = dialogs.asked("information")
    assert title == "Backup restored" and "Open Autopilot Segment Exporter again" in said
    assert not dialogs.asked("error_details"), "not the crash dialog"
    assert quick_check(state) is None
    assert build_context().state.version > 0


def test_a_broken_install_is_told_with_qt_alone(
    qtbot: QtBot, frame: Frame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "app.ui.errors", None)  # importing it fails
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "app.ui.application.QMessageBox.critical",
        lambda parent, title, text: shown.append((title, text)),
    )
    window = frame()
    with qtbot.waitSignal(window.could_not_open, timeout=10_000):
        window.show()
    [(title, text)] = shown
    assert title == "Autopilot Segment Exporter could not start"
    assert text.startswith("The program is damaged: ModuleNotFoundError: ")
    assert text.endswith("Install it again; your data is kept.")
    assert not window.isVisible()


def test_a_log_file_that_cannot_be_written_is_said_and_the_window_opens(
    qtbot: QtBot,
    frame: Frame,
    context: AppContext,
    dialogs: ScriptedDialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    others = [h for h in root.handlers if not getattr(h, "_autopilot_exporter", False)]
    monkeypatch.setattr(root, "handlers", others)  # as if the log file were not open yet
    context.paths.log_file.unlink(missing_ok=True)
    context.paths.log_file.mkdir()  # a folder where the file should be
    window = frame()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    [(title, message)] = dialogs.asked("warning")
    assert title == "The log file cannot be written"
    assert str(context.paths.log_file) in message
    assert "It works without it" in message
    assert window.is_built
