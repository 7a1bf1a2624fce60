"""API keys of connections: the one object that reads and writes them in the SecretStore.

Only the two faces use it: the command line, and the window on its keyring thread. They read a
key before a run or a check and hand it in; plans, runs and the services see settings only.

A save writes the keyring before the database, outside its transaction: a keyring that asks to
be unlocked must not hold the state store's write lock meanwhile.
"""

from __future__ import annotations

from dataclasses import replace

from app.core import advice
from app.core.connections.models import Connection
from app.core.connections.store import ConnectionStore
from app.core.i18n import _
from app.core.secrets import KeyNeededError, KeyringStatus, SecretStore, SecretStoreError


class ConnectionKeys:
    def __init__(self, connections: ConnectionStore, secrets: SecretStore) -> None:
        self._connections = connections
        self._secrets = secrets

    @property
    def status(self) -> KeyringStatus:
        return self._secrets.status

    def use(self, store: SecretStore) -> None:
        """Keep keys in ``store`` from now on (the window's session-only keys when there is no
        keyring); called where every other keyring call is made, on the keyring thread."""
        self._secrets = store

    def with_backend(self, connection: Connection) -> Connection:
        """The connection as `connection list --json` shows it: with the keyring backend."""
        return replace(connection, keyring_backend=self.status.backend)

    def save(
        self,
        connection: Connection,
        api_key: str | None,
        *,
        replace_existing: bool = False,
        original_name: str | None = None,
    ) -> Connection:
        """Insert or update. ``api_key=None`` keeps the stored key (no reconnect needed);
        ``original_name`` renames an existing connection (its key moves with it)."""
        saving = self._connections.saving(
            connection, replace_existing=replace_existing, original_name=original_name
        )
        name, key_stored = saving.connection.name, saving.key_stored
        if saving.renamed and api_key is None and key_stored:
            api_key = self._secrets.get(saving.previous)  # the key moves with the name
        if api_key is not None:
            self._secrets.set(name, api_key)
            key_stored = self._secrets.status.persistent
        try:
            saved = self._connections.write(saving, key_stored=key_stored)
        except BaseException:
            if api_key is not None and saving.row_id is None:
                self._forget(name)
            raise
        if saving.renamed:
            self._forget(saving.previous)
        return self.with_backend(saved)

    def remove(self, name: str) -> None:
        """Delete the connection and its key; refused while an export uses it."""
        removed = self._connections.remove(name)
        # After the commit: a failed delete leaves the key where it was.
        self._forget(removed)

    def read(self, name: str) -> str:
        """The key for a run or a check; KeyNeededError when none is stored or kept."""
        connection = self._connections.get(name)
        key = self._secrets.get(connection.name)
        if not key:
            raise KeyNeededError(
                _("Connection '{name}' has no API key stored. {advice}").format(
                    name=connection.name, advice=advice.NEW_KEY
                )
            )
        return key

    def key_stored(self, name: str) -> bool | None:
        """Whether this user's keyring holds the connection's key now, asked of the keyring
        itself: the database only remembers that a key was saved once, and another OS user or a
        reset keyring has none. None when the keyring cannot be read (none usable, or locked)."""
        if not self._secrets.status.usable:
            return None
        try:
            return bool(self._secrets.get(name))
        except (KeyNeededError, SecretStoreError):
            return None

    def forget(self, names: list[str]) -> None:
        """Delete the keys of connections that no longer exist (after erasing all data)."""
        for name in names:
            self._forget(name)

    def _forget(self, name: str) -> None:
        """Delete a key if a keyring holds one; a missing keyring has nothing to delete."""
        if self._secrets.status.usable:
            self._secrets.delete(name)
