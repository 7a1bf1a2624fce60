"""Connection settings in the state store; the API key is never here (see keys.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from app.core import advice
from app.core.connections.models import Connection
from app.core.destinations import CustomField
from app.core.errors import InUseError, NotFoundError, UsageError
from app.core.i18n import _, ngettext
from app.core.store import StateStore, from_iso, save_target, to_iso, utc_now


def validate_settings(connection: Connection) -> Connection:
    """Normalise and check everything but the key; UsageError names the bad setting."""
    from app.core.destinations import destination_for
    from app.core.destinations.http.urls import validate_base_url

    name = connection.name.strip()
    if not name:
        raise UsageError(_("Give the connection a name."))
    destination = destination_for(connection.service)
    region = connection.region.strip().lower() if connection.region else None
    base_url = connection.base_url.strip() or destination.base_url(region)
    if region is not None and region not in destination.regions:
        destination.base_url(region)  # raises, naming the regions (or saying there are none)
    rate_limit = connection.rate_limit or destination.default_rate_limit
    if not 0.1 <= rate_limit <= 1000:
        raise UsageError(_("The rate limit must be between 0.1 and 1,000 requests per second."))
    if not 1 <= connection.profile_cap <= 10_000_000:
        raise UsageError(_("The profile cap must be between 1 and 10,000,000."))
    if connection.consent_at is None:
        raise UsageError(
            _("Accept the data-privacy notice first. {advice}").format(advice=advice.ACCEPT_NOTICE)
        )
    return replace(
        connection,
        name=name,
        base_url=validate_base_url(base_url),
        rate_limit=rate_limit,
        region=region,
    )


@dataclass(frozen=True)
class Saving:
    """A save resolved against the stored rows, before anything is written."""

    connection: Connection  # the settings, checked and normalised
    previous: str  # the name the connection had (its key is stored under it)
    row_id: int | None  # the row overwritten; None: a new connection
    key_stored: bool  # whether that row says its key is stored

    @property
    def renamed(self) -> bool:
        return self.row_id is not None and (
            self.previous.casefold() != self.connection.name.casefold()
        )


class ConnectionStore:
    """Reading, listing, saving and removing connection settings; keys are the caller's."""

    def __init__(self, state: StateStore) -> None:
        self._state = state

    @staticmethod
    def _from_row(row: sqlite3.Row) -> Connection:
        return Connection(
            name=row["name"],
            base_url=row["base_url"],
            rate_limit=float(row["rate_limit"]),
            profile_cap=int(row["profile_cap"]),
            consent_at=from_iso(row["consent_at"]),
            consent_version=row["consent_version"],
            key_stored=bool(row["key_stored"]),
            service=row["service"],
            region=row["region"],
        )

    def cached_fields(self, name: str) -> list[CustomField] | None:
        """The account's custom fields as last fetched (at Connect or a run); None: never."""
        with self._state.read() as db:
            row = db.execute(
                "SELECT custom_fields FROM connections WHERE name = ?", (name.strip(),)
            ).fetchone()
        if row is None or row["custom_fields"] is None:
            return None
        return [CustomField(**item) for item in json.loads(row["custom_fields"])]

    def cache_fields(self, name: str, fields: Sequence[CustomField]) -> None:
        text = json.dumps([asdict(field) for field in fields], ensure_ascii=False)
        with self._state.transaction() as db:
            db.execute(
                "UPDATE connections SET custom_fields = ? WHERE name = ?", (text, name.strip())
            )

    def all(self) -> list[Connection]:
        with self._state.read() as db:
            rows = db.execute("SELECT * FROM connections ORDER BY name COLLATE NOCASE").fetchall()
        return [self._from_row(row) for row in rows]

    def get(self, name: str) -> Connection:
        with self._state.read() as db:
            row = db.execute("SELECT * FROM connections WHERE name = ?", (name.strip(),)).fetchone()
        if row is None:
            known = ", ".join(c.name for c in self.all())
            if not known:
                raise NotFoundError(
                    _("No connection named '{name}' (no connections yet).").format(name=name)
                )
            raise NotFoundError(
                _("No connection named '{name}' (connections: {known}).").format(
                    name=name, known=known
                )
            )
        return self._from_row(row)

    def save(self, connection: Connection) -> Connection:
        """New settings under the connection's name (a new connection has no key yet); a key
        already stored stays where it is. Renaming moves a key: ConnectionKeys.save does that."""
        saving = self.saving(connection)
        return self.write(saving, key_stored=saving.key_stored)

    def saving(
        self,
        connection: Connection,
        *,
        replace_existing: bool = False,
        original_name: str | None = None,
    ) -> Saving:
        """Which row a save overwrites; ``original_name`` renames an existing connection.
        AlreadyExistsError when the name is another connection's and may not be replaced."""
        connection = validate_settings(connection)
        previous = original_name.strip() if original_name else connection.name
        old = save_target(
            self._find(previous),
            self._find(connection.name),
            same=lambda a, b: bool(a["id"] == b["id"]),
            replace_existing=replace_existing,
            exists=lambda _row: _("A connection named '{name}' exists. {advice}").format(
                name=connection.name, advice=advice.OTHER_NAME
            ),
        )
        if old is None:
            return Saving(connection, previous, None, False)
        return Saving(connection, previous, int(old["id"]), bool(old["key_stored"]))

    def _find(self, name: str) -> sqlite3.Row | None:
        with self._state.read() as db:
            row: sqlite3.Row | None = db.execute(
                "SELECT * FROM connections WHERE name = ?", (name,)
            ).fetchone()
        return row

    def write(self, saving: Saving, *, key_stored: bool) -> Connection:
        """Write the settings of a resolved save; returns the connection as stored."""
        connection = saving.connection
        now = to_iso(utc_now())
        values = (
            connection.name,
            connection.base_url,
            connection.rate_limit,
            connection.profile_cap,
            to_iso(connection.consent_at),
            connection.consent_version,
            int(key_stored),
            connection.service,
            connection.region,
            now,
        )
        with self._state.transaction() as db:
            if saving.row_id is None:
                db.execute(
                    "INSERT INTO connections (name, base_url, rate_limit, profile_cap, consent_at,"
                    " consent_version, key_stored, service, region, updated_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, now),
                )
            else:
                db.execute(
                    "UPDATE connections SET name = ?, base_url = ?, rate_limit = ?,"
                    " profile_cap = ?, consent_at = ?, consent_version = ?, key_stored = ?,"
                    " service = ?, region = ?, updated_at = ? WHERE id = ?",
                    (*values, saving.row_id),
                )
        return self.get(connection.name)

    def exports_using(self, name: str) -> list[str]:
        with self._state.read() as db:
            rows = db.execute(
                "SELECT e.name FROM exports e JOIN connections c ON c.id = e.connection_id"
                " WHERE c.name = ? ORDER BY e.name",
                (name.strip(),),
            ).fetchall()
        return [row["name"] for row in rows]

    def remove(self, name: str) -> str:
        """Delete the connection's settings, refused while an export uses it; returns its name.
        Its key is the caller's to delete (ConnectionKeys.remove does both)."""
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
                    ngettext(
                        "Connection '{name}' is used by the export {exports}; remove or change "
                        "it first.",
                        "Connection '{name}' is used by the exports {exports}; remove or change "
                        "them first.",
                        len(users),
                    ).format(name=connection.name, exports=", ".join(users))
                )
            db.execute("DELETE FROM connections WHERE name = ?", (connection.name,))
        return connection.name
