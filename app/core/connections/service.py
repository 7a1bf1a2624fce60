"""Saving, reading and removing connections; the key goes to the SecretStore, never SQLite."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from app.core.connections.models import Connection
from app.core.errors import AlreadyExistsError, InUseError, NotFoundError, UsageError
from app.core.secrets import KeyNeededError, SecretStore
from app.core.store import StateStore, from_iso, to_iso, utc_now


def validate_settings(connection: Connection) -> Connection:
    """Normalise and check everything but the key; UsageError names the bad setting."""
    from app.core.autopilot import validate_base_url

    name = connection.name.strip()
    if not name:
        raise UsageError("Give the connection a name.")
    if not 0.1 <= connection.rate_limit <= 1000:
        raise UsageError("The rate limit must be between 0.1 and 1,000 requests per second.")
    if not 1 <= connection.profile_cap <= 10_000_000:
        raise UsageError("The profile cap must be between 1 and 10,000,000.")
    if connection.consent_at is None:
        raise UsageError(
            "Accept the data-privacy notice first (--accept-privacy-notice, or tick I agree)."
        )
    return replace(connection, name=name, base_url=validate_base_url(connection.base_url))


class ConnectionService:
    def __init__(self, state: StateStore, secrets: SecretStore) -> None:
        self._state = state
        self.secrets = secrets

    def _from_row(self, row: sqlite3.Row) -> Connection:
        return Connection(
            name=row["name"],
            base_url=row["base_url"],
            rate_limit=float(row["rate_limit"]),
            profile_cap=int(row["profile_cap"]),
            consent_at=from_iso(row["consent_at"]),
            consent_version=row["consent_version"],
            key_stored=bool(row["key_stored"]),
            keyring_backend=self.secrets.status.backend,
        )

    def all(self) -> list[Connection]:
        with self._state.read() as db:
            rows = db.execute("SELECT * FROM connections ORDER BY name COLLATE NOCASE").fetchall()
        return [self._from_row(row) for row in rows]

    def get(self, name: str) -> Connection:
        with self._state.read() as db:
            row = db.execute("SELECT * FROM connections WHERE name = ?", (name.strip(),)).fetchone()
        if row is None:
            known = ", ".join(c.name for c in self.all()) or "none yet"
            raise NotFoundError(f"No connection named '{name}' (connections: {known}).")
        return self._from_row(row)

    def save(
        self,
        connection: Connection,
        api_key: str | None,
        *,
        replace_existing: bool = False,
        original_name: str | None = None,
    ) -> Connection:
        """Insert or update. ``api_key=None`` keeps the stored key (no reconnect needed);
        ``original_name`` renames an existing connection (its key moves with it).

        The keyring is written before the database, outside its transaction: a keyring that
        asks to be unlocked must not hold the state store's write lock meanwhile.
        """
        connection = validate_settings(connection)
        previous = original_name.strip() if original_name else connection.name
        old, clash = self._find(previous), self._find(connection.name)
        if clash is not None and (old is None or clash["id"] != old["id"]):
            if old is not None or not replace_existing:
                raise AlreadyExistsError(
                    f"A connection named '{connection.name}' exists; "
                    "choose another name (or use --replace to overwrite it)."
                )
            old = clash
        key_stored = bool(old["key_stored"]) if old is not None else False
        renamed = old is not None and previous.casefold() != connection.name.casefold()
        if renamed and api_key is None and key_stored:
            api_key = self.secrets.get(previous)  # the key moves with the name
        if api_key is not None:
            self.secrets.set(connection.name, api_key)
            key_stored = self.secrets.status.persistent
        try:
            self._write(connection, key_stored, None if old is None else int(old["id"]))
        except BaseException:
            if api_key is not None and old is None:
                self._forget_key(connection.name)
            raise
        if renamed:
            self._forget_key(previous)
        return self.get(connection.name)

    def _find(self, name: str) -> sqlite3.Row | None:
        with self._state.read() as db:
            row: sqlite3.Row | None = db.execute(
                "SELECT * FROM connections WHERE name = ?", (name,)
            ).fetchone()
        return row

    def _write(self, connection: Connection, key_stored: bool, row_id: int | None) -> None:
        now = to_iso(utc_now())
        values = (
            connection.name,
            connection.base_url,
            connection.rate_limit,
            connection.profile_cap,
            to_iso(connection.consent_at),
            connection.consent_version,
            int(key_stored),
            now,
        )
        with self._state.transaction() as db:
            if row_id is None:
                db.execute(
                    "INSERT INTO connections (name, base_url, rate_limit, profile_cap, consent_at,"
                    " consent_version, key_stored, updated_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, now),
                )
            else:
                db.execute(
                    "UPDATE connections SET name = ?, base_url = ?, rate_limit = ?,"
                    " profile_cap = ?, consent_at = ?, consent_version = ?, key_stored = ?,"
                    " updated_at = ? WHERE id = ?",
                    (*values, row_id),
                )

    def _forget_key(self, name: str) -> None:
        """Delete a key if a keyring holds one; a missing keyring has nothing to delete."""
        if self.secrets.status.usable:
            self.secrets.delete(name)

    def exports_using(self, name: str) -> list[str]:
        with self._state.read() as db:
            rows = db.execute(
                "SELECT e.name FROM exports e JOIN connections c ON c.id = e.connection_id"
                " WHERE c.name = ? ORDER BY e.name",
                (name.strip(),),
            ).fetchall()
        return [row["name"] for row in rows]

    def remove(self, name: str) -> None:
        """Delete the connection and its key; refused while an export uses it."""
        connection = self.get(name)
        with self._state.transaction() as db:
            users = [
                row["name"]
                for row in db.execute(
                    "SELECT e.name FROM exports e JOIN connections c ON c.id = e.connection_id"
                    " WHERE c.name = ? ORDER BY e.name",
                    (connection.name,),
                )
            ]
            if users:
                raise InUseError(
                    f"Connection '{connection.name}' is used by the export(s) "
                    f"{', '.join(users)}; remove or change them first."
                )
            db.execute("DELETE FROM connections WHERE name = ?", (connection.name,))
        # After the commit: a failed delete above leaves the key where it was.
        self._forget_key(connection.name)

    def api_key(self, name: str) -> str:
        """The key for a run or a check; KeyNeededError when none is stored or kept."""
        connection = self.get(name)
        key = self.secrets.get(connection.name)
        if not key:
            raise KeyNeededError(
                f"Connection '{connection.name}' has no API key stored; "
                "enter the key again (connection add --replace, or Connect in the window)."
            )
        return key
