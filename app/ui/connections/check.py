"""Connect: one live call that proves a key works, made off the GUI thread.

The check remembers which (base URL, key) Autopilot accepted, so the editor can allow Save for
exactly that key and no other. It is the core's key check with the window's short limits
(WINDOW_CHECK): the user is waiting for it, and it sends nothing, so the program does not wait
for it when it quits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.connections import Connection
from app.core.connections.check import WINDOW_CHECK, check_key
from app.ui.background.workers import Failed
from app.ui.context import UiContext


class ConnectionCheck(QObject):
    succeeded = Signal(bool)  # True: a typed key was accepted; False: the stored key works
    failed = Signal(object)  # the exception

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.limits = WINDOW_CHECK
        self.running = False
        self.verified: tuple[str, str] | None = None  # (base URL as typed, key) accepted
        # Which form the check belongs to: a new or another connection in the form makes the
        # answer to an earlier check meaningless, so it is not shown.
        self._generation = 0

    def forget(self) -> None:
        """The form now shows something else: drop what was verified and any answer to come."""
        self.verified = None
        self.running = False
        self._generation += 1

    def check_typed(self, connection: Connection, typed_url: str, key: str) -> None:
        self._start(connection, key, typed_url)

    def check_stored(self, connection: Connection, stored_name: str) -> None:
        """A saved connection without a new key: read its key on the keyring thread first."""
        self.running = True
        generation = self._generation

        def read(key: object) -> None:
            if generation == self._generation:
                self._start(connection, str(key), None)

        self.ui.vault.read_key(stored_name, read, self._failure_handler(generation))

    def _start(self, connection: Connection, key: str, typed_url: str | None) -> None:
        self.running = True
        generation, limits = self._generation, self.limits

        def done(_: object) -> None:
            if generation != self._generation:
                return
            self.running = False
            if typed_url is not None:
                self.verified = (typed_url, key)
            self.succeeded.emit(typed_url is not None)

        self.ui.checks.submit(
            lambda: check_key(connection, key, limits), done, self._failure_handler(generation)
        )

    def _failure_handler(self, generation: int) -> Failed:
        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.running = False
                self.failed.emit(exc)

        return failed
