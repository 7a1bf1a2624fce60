"""Connections: consent before Connect, a live key check, Save after it, keys in the keyring."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from pytestqt.qtbot import QtBot

from app.context import build_context
from app.core.connections.check import CheckLimits
from app.core.secrets import SERVICE
from app.ui.main_window import MainWindow
from tests.support.autopilot_sim import AutopilotSimulator
from tests.ui.conftest import NO_KEYRING, SIM_KEY, ScriptedDialogs, WindowFactory
from tests.ui.steps import add_connection, click, connect, fill_connection, save_connection


def test_connect_needs_consent_and_save_needs_a_checked_key(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    view = window.connections.view
    assert view.empty.isVisible() and "No connections yet" in view.empty.text()
    fill_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url, agree=False)
    assert not view.connect_button.isEnabled()
    assert not view.save_button.isEnabled()
    view.agree.setChecked(True)
    assert view.connect_button.isEnabled()
    assert not view.save_button.isEnabled(), "a new key is saved only after Connect"
    assert "accepted" in connect(qtbot, window)
    assert view.save_button.isEnabled()
    view.key.setText(SIM_KEY + "x")
    assert not view.save_button.isEnabled(), "a changed key must be checked again"


def test_saved_connection_keeps_its_key_in_the_keyring_only(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, app_home: Path
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    view = window.connections.view
    assert window.connections.model.rowCount() == 1
    assert window.connections.key_state(window.connections.model.record(0)) == "Saved"
    assert "not encrypted" in view.key_place.text()  # the explicitly chosen file backend
    assert keyring.get_password(SERVICE, "marketing") == SIM_KEY
    state = (app_home / "data" / "state.sqlite3").read_bytes()
    assert SIM_KEY.encode() not in state
    assert view.key.text() == "", "the key field is cleared once the key is stored"


def test_wrong_key_says_so_and_nothing_is_saved(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    fill_connection(qtbot, window, "Marketing", "apk-wrong-key-000000", sim.base_url)
    status = connect(qtbot, window)
    assert "rejected this API key" in status
    assert window.connections.view.status.text.objectName() == "problem"
    assert not window.connections.view.save_button.isEnabled()
    assert window.connections.model.rowCount() == 0


def test_unreachable_autopilot_is_reported_as_a_network_problem(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    base_url = sim.base_url
    sim.stop()  # nothing listens on that port any more
    fill_connection(qtbot, window, "Marketing", SIM_KEY, base_url)
    status = connect(qtbot, window)
    assert "rejected" not in status and "resum" not in status
    assert status.startswith("\u2716")
    assert not window.connections.view.save_button.isEnabled()


def test_plain_http_is_refused_next_to_the_base_url(qtbot: QtBot, window: MainWindow) -> None:
    fill_connection(qtbot, window, "Marketing", SIM_KEY, "http://autopilot.example.com/v1")
    click(qtbot, window.connections.view.connect_button)
    problems = window.connections.view.settings_problem.problems
    assert problems and "https://" in problems[0]
    assert window.connections.view.advanced.isVisible()


def test_settings_change_without_reconnecting_and_remove_deletes_the_key(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, dialogs: ScriptedDialogs
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    view = window.connections.view
    view.table.selectRow(0)
    view.profile_cap.setValue(500)
    assert view.save_button.isEnabled(), "no reconnect needed for other settings"
    save_connection(qtbot, window)
    assert window.ui.app.connections.get("Marketing").profile_cap == 500
    assert keyring.get_password(SERVICE, "marketing") == SIM_KEY
    with qtbot.waitSignal(window.connections.changed, timeout=10_000):
        click(qtbot, view.remove_button)
    assert dialogs.asked("confirm"), "removal asks first"
    assert window.connections.model.rowCount() == 0
    assert keyring.get_password(SERVICE, "marketing") is None


def test_no_keyring_offers_session_only_keys_and_asks_again_next_time(
    qtbot: QtBot,
    make_window: WindowFactory,
    sim: AutopilotSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    window = make_window(build_context())
    view = window.connections.view
    assert view.keyring_bar.isVisible()
    assert "No system keyring" in view.keyring_bar.text.text()
    fill_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    assert "accepted" in connect(qtbot, window)
    assert not view.save_button.isEnabled(), "nothing can store the key yet"
    with qtbot.waitSignal(window.ui.vault.status_changed, timeout=5000):
        click(qtbot, view.keyring_bar.action("&Keep keys for this session only"))
    assert "only until you quit" in view.key_place.text()
    save_connection(qtbot, window)
    saved = window.connections.model.record(0)
    assert not saved.key_stored
    assert window.connections.key_state(saved) == "Kept until you quit"
    assert window.ui.app.keys.read("Marketing") == SIM_KEY

    # The next start: the connection is there, its key is not.
    later = make_window(build_context())
    assert later.connections.key_state(later.connections.model.record(0)) == "Key needed"


class SilentHost:
    """A server on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.base_url = f"http://127.0.0.1:{self._server.getsockname()[1]}/v1"
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-host")
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.accepted.append(conn)

    def close(self) -> None:
        """Drop every connection: the waiting client gets its answer (a reset) at once."""
        self._stop.set()
        self._thread.join()
        for conn in self.accepted:
            conn.close()
        self._server.close()


@pytest.fixture
def silent_host() -> Iterator[SilentHost]:
    host = SilentHost()
    yield host
    host.close()


def test_connect_is_short_and_never_speaks_of_runs(
    qtbot: QtBot, window: MainWindow, silent_host: SilentHost
) -> None:
    check = window.connections.editor.check
    assert check.limits == CheckLimits(connect_timeout=5.0, read_timeout=15.0, max_attempts=2)
    check.limits = CheckLimits(connect_timeout=1.0, read_timeout=0.2, max_attempts=2)
    fill_connection(qtbot, window, "Marketing", SIM_KEY, silent_host.base_url)
    status = connect(qtbot, window)
    assert "did not answer within 0.2 s" in status
    assert "(2 attempts)" in status
    assert "resum" not in status and status.endswith("try again.")
    assert len(silent_host.accepted) == 2


def test_closing_during_connect_to_a_silent_host_does_not_wait_for_it(
    qtbot: QtBot, window: MainWindow, silent_host: SilentHost, caplog: pytest.LogCaptureFixture
) -> None:
    fill_connection(qtbot, window, "Marketing", SIM_KEY, silent_host.base_url)
    click(qtbot, window.connections.view.connect_button)
    qtbot.waitUntil(lambda: len(silent_host.accepted) == 1, timeout=5000)
    with caplog.at_level(logging.WARNING):
        window.close()
    assert not window.isVisible()
    # Autopilot's answer would take 15 seconds per attempt: the window closed without it.
    assert window.ui.checks.active_threads() == 1, "the key check ended before the window closed"
    assert "checks worker was still busy" in caplog.text
    silent_host.close()
    qtbot.waitUntil(lambda: window.ui.checks.active_threads() == 0, timeout=10_000)


def test_an_answer_for_a_form_that_was_cleared_is_not_shown(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = threading.Event()

    def slow_check(connection: object, key: str, limits: object = None) -> None:
        assert answer.wait(10)

    monkeypatch.setattr("app.ui.connections.check.check_key", slow_check)
    view = window.connections.view
    fill_connection(qtbot, window, "Marketing", SIM_KEY, "https://api2.autopilothq.com/v1")
    click(qtbot, view.connect_button)
    assert view.status.busy.isVisible()
    click(qtbot, view.new_button)
    assert view.status.text.text() == ""
    with qtbot.waitSignal(window.ui.checks.idle, timeout=10_000):
        answer.set()
    assert view.status.text.text() == "", "the earlier answer was painted on the new form"
    assert window.connections.editor.check.verified is None
    assert view.connect_button.isEnabled() is False, "a new form needs its own key and consent"
