"""Connect: one live call that proves a key works, made off the GUI thread.

The check remembers which (service, base URL, key) the destination accepted, so the editor can
allow Save for exactly that key and no other. It is the core's key check with the window's short
limits (WINDOW_CHECK): the user is waiting for it, and it sends nothing, so the program does not
wait for it when it quits. Once the key works it reads the account's custom fields (Ortto's must
exist before a run uses them), which the mapping tab offers; they are cached with the connection
when it is saved, or at once when the saved connection itself was checked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.core.connections import Connection
from app.core.connections.check import WINDOW_CHECK, CheckLimits, check_key
from app.core.connections.client import open_client
from app.core.destinations import CustomField
from app.core.destinations.errors import DestinationError
from app.ui.background.workers import Failed
from app.ui.context import UiContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """What a successful check found: the account's custom fields at that service and URL."""

    service: str
    base_url: str
    fields: tuple[CustomField, ...] | None  # None: they could not be read


def read_fields(
    connection: Connection, api_key: str, limits: CheckLimits
) -> tuple[CustomField, ...]:
    """The account's custom fields (empty where the destination creates them itself)."""
    client = open_client(connection, api_key, limits.limits())
    try:
        fields = tuple(client.custom_fields())
    finally:
        client.close()
    return fields


def check_and_read_fields(
    connection: Connection, api_key: str, limits: CheckLimits
) -> tuple[CustomField, ...] | None:
    """The key check; then the custom fields (None when only they could not be read)."""
    check_key(connection, api_key, limits)
    try:
        return read_fields(connection, api_key, limits)
    except DestinationError as exc:  # the key works: Connect succeeded all the same
        log.warning("The custom fields of '%s' could not be read: %s", connection.name, exc)
        return None


class ConnectionCheck(QObject):
    succeeded = Signal(bool)  # True: a typed key was accepted; False: the stored key works
    failed = Signal(object)  # the exception

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.limits = WINDOW_CHECK
        self.running = False
        self.verified: tuple[str, str, str] | None = None  # (service, URL as typed, key)
        self.accepted: Accepted | None = None  # the last success, typed key or stored
        # Which form the check belongs to: a new or another connection in the form makes the
        # answer to an earlier check meaningless, so it is not shown.
        self._generation = 0

    def forget(self) -> None:
        """The form now shows something else: drop what was verified and any answer to come."""
        self.verified = None
        self.accepted = None
        self.running = False
        self._generation += 1

    def fields_for(self, connection: Connection) -> Sequence[CustomField] | None:
        """The custom fields read at Connect, if that check was for this service and URL."""
        accepted = self.accepted
        if accepted is None or accepted.fields is None:
            return None
        if (accepted.service, accepted.base_url) != (connection.service, connection.base_url):
            return None
        return accepted.fields

    def check_typed(self, connection: Connection, typed_url: str, key: str) -> None:
        self._start(connection, key, typed_url, None)

    def check_stored(self, connection: Connection, stored: Connection) -> None:
        """A saved connection without a new key: read its key on the keyring thread first.
        When the form still has the saved service and URL, the fields are cached at once."""
        self.running = True
        generation = self._generation
        same = (connection.service, connection.base_url) == (stored.service, stored.base_url)

        def read(key: object) -> None:
            if generation == self._generation:
                self._start(connection, str(key), None, stored.name if same else None)

        self.ui.vault.read_key(stored.name, read, self._failure_handler(generation))

    def _start(
        self, connection: Connection, key: str, typed_url: str | None, cache_as: str | None
    ) -> None:
        self.running = True
        generation, limits = self._generation, self.limits
        connections = self.ui.app.connections

        def work() -> tuple[CustomField, ...] | None:
            fields = check_and_read_fields(connection, key, limits)
            if cache_as is not None and fields is not None:
                connections.cache_fields(cache_as, fields)
            return fields

        def done(fields: object) -> None:
            if generation != self._generation:
                return
            self.running = False
            found = fields if isinstance(fields, tuple) else None
            self.accepted = Accepted(connection.service, connection.base_url, found)
            if typed_url is not None:
                self.verified = (connection.service, typed_url, key)
            self.succeeded.emit(typed_url is not None)

        self.ui.checks.submit(work, done, self._failure_handler(generation))

    def _failure_handler(self, generation: int) -> Failed:
        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.running = False
                self.failed.emit(exc)

        return failed
