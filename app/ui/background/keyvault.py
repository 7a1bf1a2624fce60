"""The keyring's own thread: every call that may touch the keyring runs there, and only there.

A keyring can prompt to be unlocked and block for as long as the prompt is open, and some
backends hold a connection (D-Bus) that belongs to the thread that opened it. So one long-lived
thread creates the secret store and makes every keyring call (saving, removing and reading keys
through the context's ConnectionKeys); the window never waits for it, it is called back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core.connections import Connection
from app.core.destinations import CustomField
from app.core.secrets import KeyringStatus, MemorySecretStore
from app.ui.background.workers import Done, Failed, TaskQueue

if TYPE_CHECKING:
    from app.context import AppContext

SESSION_LABEL = "memory only: the key is kept until you quit"


class KeyVault(QObject):
    ready = Signal(object)  # KeyringStatus, once the store exists
    status_changed = Signal(object)  # KeyringStatus, after switching to session-only keys

    def __init__(self, context: AppContext, on_error: Failed, parent: QObject | None = None):
        super().__init__(parent)
        self._context = context
        self._queue = TaskQueue("keyring", 1, on_error, self, keep_threads=True)
        self.status: KeyringStatus | None = None
        self.session_keys: set[str] = set()

    # -- life -------------------------------------------------------------------------------

    def start(self) -> None:
        """Create the secret store (which picks the keyring backend) on the keyring thread."""
        self._queue.submit(lambda: self._context.keys.status, self._on_ready)

    @property
    def is_ready(self) -> bool:
        return self.status is not None

    @property
    def usable(self) -> bool:
        return self.status is not None and self.status.usable

    @property
    def session_only(self) -> bool:
        return self.status is not None and self.status.usable and not self.status.persistent

    def busy(self) -> bool:
        return self._queue.busy()

    @property
    def queue(self) -> TaskQueue:
        return self._queue

    def keep_keys_for_session(self) -> None:
        """No keyring: keep keys in memory until the program quits (never on disk)."""
        self._queue.submit(self._use_memory, self._on_switched)

    def _use_memory(self) -> KeyringStatus:
        """Runs on the keyring thread, like every other use of the store."""
        store = MemorySecretStore(SESSION_LABEL)
        self._context.keys.use(store)
        return store.status

    # -- calls ------------------------------------------------------------------------------

    def save(
        self,
        connection: Connection,
        api_key: str | None,
        on_done: Done,
        on_error: Failed | None = None,
        *,
        original_name: str | None = None,
        custom_fields: Sequence[CustomField] | None = None,
    ) -> None:
        """Save the settings and the key; ``custom_fields`` (read at Connect) are cached with
        the connection in the same step, so whoever hears of the save finds them."""

        def work() -> Connection:
            context = self._context
            saved = context.keys.save(connection, api_key, original_name=original_name)
            if custom_fields is not None:
                context.connections.cache_fields(saved.name, custom_fields)
            return saved

        def done(saved: Any) -> None:
            if api_key is not None:
                self._remember(connection.name, original_name)
            on_done(saved)

        self._queue.submit(work, done, on_error)

    def remove(self, name: str, on_done: Done, on_error: Failed | None = None) -> None:
        def done(result: Any) -> None:
            self.session_keys.discard(name.casefold())
            on_done(result)

        self._queue.submit(lambda: self._context.keys.remove(name), done, on_error)

    def forget_keys(self, names: list[str], on_done: Done, on_error: Failed | None = None) -> None:
        """Delete the keys of connections that no longer exist (after erasing all data)."""

        def work() -> int:
            self._context.keys.forget(names)
            return len(names)

        def done(result: Any) -> None:
            self.session_keys.clear()
            on_done(result)

        self._queue.submit(work, done, on_error)

    def read_key(self, name: str, on_done: Done, on_error: Failed | None = None) -> None:
        self._queue.submit(lambda: self._context.keys.read(name), on_done, on_error)

    def keep_key(
        self, name: str, api_key: str, on_done: Done, on_error: Failed | None = None
    ) -> None:
        """A key typed in for a saved connection that had none: stored as Save would.

        Without a keyring, typing the key in is the user's choice to keep it for this session.
        """
        context = self._context
        switch = not self.usable

        def work() -> tuple[Connection, KeyringStatus]:
            if switch:
                self._use_memory()
            return context.keys.save(context.connections.get(name), api_key), context.keys.status

        def done(result: Any) -> None:
            saved, status = result
            if switch:
                self.status = status
            self._remember(name, None)
            if switch:
                self.status_changed.emit(self.status)
            on_done(saved)

        self._queue.submit(work, done, on_error)

    def has_session_key(self, name: str) -> bool:
        return name.casefold() in self.session_keys

    def _remember(self, name: str, original_name: str | None) -> None:
        if self.session_only:
            if original_name:
                self.session_keys.discard(original_name.casefold())
            self.session_keys.add(name.strip().casefold())

    def _on_ready(self, status: Any) -> None:
        self.status = status
        self.ready.emit(status)

    def _on_switched(self, status: Any) -> None:
        self.status = status
        self.status_changed.emit(status)
