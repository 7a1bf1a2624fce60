"""What each export's destination confirmed: a repeated run sends only what changed.

For every export and segment the ledger keeps, per email, a hash of exactly what the
destination confirmed (the contact's fields, its consent and the segment's audience) and the
run that sent it. Entries are written by the run store in the same transaction as the batch's
checkpoint (``RunStore.record_batch``), so a kill at any moment leaves the ledger and the history
in agreement.

A row is *unchanged* when the ledger holds its hash from another run. Entries a run wrote itself
do not count for that run: a resumed run then rebuilds exactly the batches it planned, and skips
the confirmed ones by their checkpoints, not by the ledger.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from app.core.connections import Connection
from app.core.history import LedgerEntry
from app.core.i18n import _, ngettext
from app.core.mapping.contact import Contact
from app.core.store import StateStore

__all__ = ["NOTHING", "Known", "Ledger", "LedgerEntry", "connection_identity", "contact_hash"]


def contact_hash(contact: Contact, segment: str) -> str:
    """Of exactly what is sent for a contact in a segment: its fields, consent and audience."""
    data = [contact.email, sorted(contact.fields.items()), contact.opted_out, segment.strip()]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def connection_identity(connection: Connection) -> str:
    """What the ledger is about: the same people in the same account."""
    return f"{connection.service}|{connection.base_url}|{connection.name.casefold()}"


class Known:
    """The ledger of one export and segment as a run sees it: hashes confirmed by other runs."""

    def __init__(self, hashes: Mapping[str, str]) -> None:
        self._hashes = hashes

    def unchanged(self, email_key: str, contact: Contact, segment: str) -> bool:
        known = self._hashes.get(email_key)
        return known is not None and known == contact_hash(contact, segment)

    def __len__(self) -> int:
        return len(self._hashes)


NOTHING = Known({})


class Ledger:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    def known(self, export: str, segment: str, *, excluding_run: int | None = None) -> Known:
        with self._state.read() as db:
            rows = db.execute(
                "SELECT email_key, hash FROM ledger WHERE export = ? AND segment = ?"
                " AND run_id IS NOT ?",
                (export, segment, excluding_run),
            ).fetchall()
        return Known({row["email_key"]: row["hash"] for row in rows})

    def emails(self, export: str, segment: str) -> set[str]:
        """Every email the destination confirmed for the export's segment (any run)."""
        with self._state.read() as db:
            rows = db.execute(
                "SELECT email_key FROM ledger WHERE export = ? AND segment = ?", (export, segment)
            ).fetchall()
        return {row["email_key"] for row in rows}

    def identity(self, export: str) -> str | None:
        with self._state.read() as db:
            row = db.execute(
                "SELECT connection FROM ledger_connections WHERE export = ?", (export,)
            ).fetchone()
        return None if row is None else str(row["connection"])

    def adopt(self, export: str, identity: str, segments: Iterable[str]) -> list[str]:
        """Before a run: start the ledger afresh for another connection, and forget segments
        the export no longer has (renamed or removed). Returns the warnings to record."""
        keep = list(segments)
        warnings: list[str] = []
        with self._state.transaction() as db:
            row = db.execute(
                "SELECT connection FROM ledger_connections WHERE export = ?", (export,)
            ).fetchone()
            if row is not None and row["connection"] != identity:
                db.execute("DELETE FROM ledger WHERE export = ?", (export,))
                warnings.append(
                    _(
                        "The export's connection changed since its last run, so its record of "
                        "what was sent starts afresh: everyone is sent again."
                    )
                )
            db.execute(
                "INSERT INTO ledger_connections (export, connection) VALUES (?, ?)"
                " ON CONFLICT (export) DO UPDATE SET connection = excluded.connection",
                (export, identity),
            )
            marks = ", ".join("?" for _ in keep) or "NULL"
            gone = [
                r["segment"]
                for r in db.execute(
                    "SELECT DISTINCT segment FROM ledger WHERE export = ?"  # noqa: S608
                    f" AND segment NOT IN ({marks}) ORDER BY segment",
                    (export, *keep),
                )
            ]
            if gone:
                db.execute(
                    "DELETE FROM ledger WHERE export = ?"  # noqa: S608 - placeholders only
                    f" AND segment NOT IN ({marks})",
                    (export, *keep),
                )
                names = ", ".join(f"'{name}'" for name in gone)
                warnings.append(
                    ngettext(
                        "The record of what was sent for {segments} was cleared: the export no "
                        "longer has that segment (renamed or removed); a renamed segment is sent "
                        "again.",
                        "The record of what was sent for {segments} was cleared: the export no "
                        "longer has those segments (renamed or removed); a renamed segment is "
                        "sent again.",
                        len(gone),
                    ).format(segments=names)
                )
        return warnings

    def forget_export(self, export: str) -> None:
        with self._state.transaction() as db:
            db.execute("DELETE FROM ledger WHERE export = ?", (export,))
            db.execute("DELETE FROM ledger_connections WHERE export = ?", (export,))

    def size(self, export: str) -> int:
        with self._state.read() as db:
            row = db.execute("SELECT COUNT(*) AS n FROM ledger WHERE export = ?", (export,))
            return int(row.fetchone()["n"])
