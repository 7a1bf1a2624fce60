"""Starting the window as a double-click does: the frame paints first, then it is filled.

The frame (title, menus, tab captions, status bar) must reach the screen before the core is
imported: DuckDB, requests, keyring and email validation are most of the start-up time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext
from app.ui.application import main_window_frame
from app.ui.main_window import MainWindow
from tests.ui.conftest import TEARDOWN_WAIT_MS, ScriptedDialogs
from tests.ui.steps import drop_files

ROOT = Path(__file__).resolve().parents[2]
# What the frame must not wait for; each is loaded by the time the window is ready.
HEAVY = ("duckdb", "requests", "keyring", "email_validator", "app.core.export", "logging.handlers")

Frame = Callable[..., MainWindow]


@pytest.fixture
def frame(dialogs: ScriptedDialogs, context: AppContext) -> Iterator[Frame]:
    """Frames over the test's context, each shut down (and its workers checked) afterwards."""
    made: list[MainWindow] = []

    def make(**options: int) -> MainWindow:
        window = main_window_frame(context, dialogs, **options)
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
    """In a fresh process (this one has the core loaded already), as ``run_gui`` starts it."""
    code = f"""
import json, sys
from PySide6.QtWidgets import QApplication
from app.bootstrap import build_context
from app.ui.application import application, main_window_frame
HEAVY = {HEAVY!r}
seen = {{}}
def loaded(when):
    seen[when] = [name for name in HEAVY if name in sys.modules]
app = application()
window = main_window_frame(build_context(open_log=False))
window.painted.connect(lambda: loaded("painted"))
window.ready.connect(lambda: (loaded("ready"), app.quit()))
window.show()
app.exec()
window.shutdown()
print(json.dumps(seen))
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
    assert not drop_files(window, [tmp_path / "people.csv"])
    assert not window.is_built
