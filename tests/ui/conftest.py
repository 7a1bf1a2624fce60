"""Fixtures for window tests: a data folder and keyring per test, scripted dialogs, the simulator.

Dialogs are the window's only modal calls; :class:`ScriptedDialogs` answers them from a script
and records what was asked, so no test blocks on a message box. Every window is shut down at
teardown and a test that leaves a thread or a worker pool busy fails.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool, qInstallMessageHandler
from pytestqt.qtbot import QtBot

from app.context import AppContext, build_context
from app.core.connections import Connection
from app.core.destinations import CustomField
from app.core.schedule import ScheduleInfo
from app.core.store import utc_now
from app.ui.application import build_main_window
from app.ui.dialogs import Dialogs
from app.ui.main_window import MainWindow
from app.ui.mapping.schedule_dialog import ScheduleChoice
from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.ortto_sim import OrttoSimulator

SIM_KEY = "apk-7d2e91c4a6b84f0e9b3c5d7f1a2e4c6b"
ORTTO_KEY = "ortto-private-3f9a6c1e5b7d4a2c8e0f"
ORTTO_FIELDS = {"Job Title": "text"}  # the Ortto test account's custom fields at the start
SIM_SEED = 4242
PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"
TEARDOWN_WAIT_MS = 30_000


class ScriptedDialogs(Dialogs):
    """Answers every question from ``answers``; records each call in ``calls``."""

    def __init__(self) -> None:
        super().__init__(None)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.answers: dict[str, Any] = {"confirm": True}

    def _answer(self, name: str, *args: Any) -> Any:
        self.calls.append((name, args))
        answer = self.answers.get(name)
        return answer(*args) if callable(answer) else answer

    def asked(self, name: str) -> list[tuple[Any, ...]]:
        return [args for called, args in self.calls if called == name]

    def information(self, title: str, message: str) -> None:
        self._answer("information", title, message)

    def warning(self, title: str, message: str) -> None:
        self._answer("warning", title, message)

    def error_details(self, title: str, message: str, details: str) -> None:
        self._answer("error_details", title, message, details)

    def confirm(self, title: str, message: str, action: str) -> bool:
        return bool(self._answer("confirm", title, message, action))

    def open_profile_files(self) -> list[Path]:
        return list(self._answer("open_profile_files") or [])

    def open_cdm_folder(self) -> Path | None:
        folder: Path | None = self._answer("open_cdm_folder")
        return folder

    def choose_entity(self, folder: str, entities: Sequence[tuple[str, int]]) -> str | None:
        chosen: str | None = self._answer("choose_entity", folder, list(entities))
        return chosen

    def save_csv(self, title: str, suggested: Path) -> Path | None:
        result: Path | None = self._answer("save_csv", title, suggested)
        return result

    def open_path(self, path: Path) -> None:
        self._answer("open_path", path)

    def ask_api_key(self, connection: str) -> str | None:
        result: str | None = self._answer("ask_api_key", connection)
        return result

    def ask_custom_field(self, known: Sequence[CustomField] = ()) -> tuple[str, str] | None:
        result: tuple[str, str] | None = self._answer("ask_custom_field", tuple(known))
        return result

    def ask_schedule(self, export: str, info: ScheduleInfo) -> ScheduleChoice | None:
        result: ScheduleChoice | None = self._answer("ask_schedule", export, info)
        return result

    def ask_source_name(self, file_name: str, suggested: str) -> str | None:
        """The suggested name unless the script says otherwise (None: cancelled)."""
        if "ask_source_name" not in self.answers:
            self.calls.append(("ask_source_name", (file_name, suggested)))
            return suggested
        result: str | None = self._answer("ask_source_name", file_name, suggested)
        return result


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Python threads started by a test (engine pools, heartbeats, servers) must be gone.

    Threads Qt started show up as dummy threads once they ran Python code and cannot be joined;
    Qt's pools are checked instead: the global one here, the window's in its fixture.
    """
    before = set(threading.enumerate())
    yield
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    leftover = []
    for thread in set(threading.enumerate()) - before:
        if isinstance(thread, threading._DummyThread):  # type: ignore[attr-defined]
            continue
        thread.join(timeout=10.0)
        if thread.is_alive():
            leftover.append(thread.name)
    assert not leftover, f"threads still running after the test: {leftover}"


@pytest.fixture
def keyring_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A persistent keyring in tmp_path (keyrings.alt's file backend, selected explicitly)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return PLAINTEXT


@pytest.fixture
def context(app_home: Path, keyring_backend: str) -> AppContext:
    return build_context()


@pytest.fixture
def fresh_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Starting the window installs hooks and a Qt message handler; the test puts them back."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield
    qInstallMessageHandler(None)


@pytest.fixture
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, dialogs: ScriptedDialogs) -> Iterator[WindowFactory]:
    """Windows over a context, ready (keyring known, tabs filled); all shut down at teardown."""
    made: list[MainWindow] = []

    def make(ctx: AppContext, script: ScriptedDialogs | None = None) -> MainWindow:
        window = build_main_window(ctx, script or dialogs)
        made.append(window)
        window.show()
        qtbot.waitUntil(window.is_settled, timeout=10_000)
        return window

    yield make
    for window in made:
        assert window.shutdown(TEARDOWN_WAIT_MS, wait_for_checks=True), (
            "a worker was still busy after the test"
        )
        for queue in window.ui.queues():
            assert queue.active_threads() == 0, queue.objectName()
        assert window.ui.export.wait(0), "the export's thread is still running"
        assert not window.ui.export.active
        window.hide()
        window.deleteLater()


@pytest.fixture
def window(make_window: WindowFactory, context: AppContext) -> MainWindow:
    return make_window(context)


@pytest.fixture
def keyless_window(
    make_window: WindowFactory, sim: AutopilotSimulator, monkeypatch: pytest.MonkeyPatch
) -> MainWindow:
    """No keyring, and a connection 'Marketing' to the simulator saved without its key."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    context = build_context()
    context.connections.save(
        Connection("Marketing", base_url=sim.base_url, rate_limit=50, consent_at=utc_now())
    )
    return make_window(context)


@pytest.fixture
def sim() -> Iterator[AutopilotSimulator]:
    print(f"simulator seed: {SIM_SEED}")
    simulator = AutopilotSimulator(keys={SIM_KEY}, rate=None, burst=50, seed=SIM_SEED)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def ortto_sim() -> Iterator[OrttoSimulator]:
    print(f"simulator seed: {SIM_SEED}")
    simulator = OrttoSimulator(
        keys={ORTTO_KEY}, rate=None, burst=50, seed=SIM_SEED, custom_fields=ORTTO_FIELDS
    )
    simulator.start()
    yield simulator
    simulator.stop()
