"""Connect: one live call that proves a key works, made off the GUI thread.

The check remembers which (base URL, key) Autopilot accepted, so the editor can allow Save for
exactly that key and no other.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.autopilot import AutopilotClient
from app.core.connections import Connection
from app.ui.ui_context import UiContext


def check_key(connection: Connection, api_key: str) -> None:
    """Runs on a worker thread; raises the client's AuthError, NetworkError, ... on failure."""
    client = AutopilotClient(
        connection.base_url, api_key, rate_limit=connection.rate_limit, max_attempts=3
    )
    try:
        client.check_key()
    finally:
        client.close()


class ConnectionCheck(QObject):
    succeeded = Signal(bool)  # True: a typed key was accepted; False: the stored key works
    failed = Signal(object)  # the exception

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.running = False
        self.verified: tuple[str, str] | None = None  # (base URL as typed, key) accepted

    def forget(self) -> None:
        self.verified = None

    def check_typed(self, connection: Connection, typed_url: str, key: str) -> None:
        self._start(connection, key, typed_url)

    def check_stored(self, connection: Connection, stored_name: str) -> None:
        """A saved connection without a new key: read its key on the keyring thread first."""
        self.running = True
        self.ui.vault.read_key(
            stored_name, lambda key: self._start(connection, str(key), None), self._on_failed
        )

    def _start(self, connection: Connection, key: str, typed_url: str | None) -> None:
        self.running = True

        def done(_: object) -> None:
            self.running = False
            if typed_url is not None:
                self.verified = (typed_url, key)
            self.succeeded.emit(typed_url is not None)

        self.ui.background.submit(lambda: check_key(connection, key), done, self._on_failed)

    def _on_failed(self, exc: BaseException) -> None:
        self.running = False
        self.failed.emit(exc)
