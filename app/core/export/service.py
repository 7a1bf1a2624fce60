"""Saving, listing, duplicating and removing exports (saving never runs one)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from app.core import advice
from app.core.errors import NotFoundError, UsageError
from app.core.export.models import Export
from app.core.i18n import _
from app.core.mapping import Mapping
from app.core.names import export_name_too_long
from app.core.store import StateStore, save_target, to_iso, utc_now


class ExportService:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    def _segments_of(self, db: sqlite3.Connection, export_id: int) -> tuple[str, ...]:
        rows = db.execute(
            "SELECT s.name FROM export_segments es JOIN segments s ON s.id = es.segment_id"
            " WHERE es.export_id = ? ORDER BY es.position",
            (export_id,),
        ).fetchall()
        return tuple(row["name"] for row in rows)

    def _from_row(self, db: sqlite3.Connection, row: sqlite3.Row) -> Export:
        return Export(
            name=row["name"],
            connection=row["connection"],
            segments=self._segments_of(db, row["id"]),
            mapping=Mapping.from_json(json.loads(row["mapping"])),
            create_fields=bool(row["create_fields"]),
            remove_departed=bool(row["remove_departed"]),
        )

    _SELECT = (
        "SELECT e.id, e.name, e.mapping, e.create_fields, e.remove_departed,"
        " c.name AS connection FROM exports e JOIN connections c ON c.id = e.connection_id"
    )

    def all(self) -> list[Export]:
        with self._state.read() as db:
            rows = db.execute(self._SELECT + " ORDER BY e.name COLLATE NOCASE").fetchall()
            return [self._from_row(db, row) for row in rows]

    def get(self, name: str) -> Export:
        with self._state.read() as db:
            row = db.execute(self._SELECT + " WHERE e.name = ?", (name.strip(),)).fetchone()
            if row is not None:
                return self._from_row(db, row)
        known = ", ".join(e.name for e in self.all())
        if not known:
            raise NotFoundError(
                _("No export named '{name}'; there are no exports yet.").format(name=name)
            )
        raise NotFoundError(
            _("No export named '{name}' (exports: {names}).").format(name=name, names=known)
        )

    def save(
        self, export: Export, *, replace_existing: bool = False, original_name: str | None = None
    ) -> Export:
        """Insert or update (``original_name`` renames). References must exist."""
        name = export.name.strip()
        if not name:
            raise UsageError(_("Give the export a name."))
        if (long := export_name_too_long(name)) is not None:
            raise UsageError(long)
        if not export.segments:
            raise UsageError(_("Choose at least one segment to export."))
        if len({s.casefold() for s in export.segments}) != len(export.segments):
            raise UsageError(_("A segment is listed twice in the export."))
        export = replace(export, name=name)
        now = to_iso(utc_now())
        with self._state.transaction() as db:
            connection = db.execute(
                "SELECT id FROM connections WHERE name = ?", (export.connection.strip(),)
            ).fetchone()
            if connection is None:
                raise NotFoundError(
                    _("No connection named '{name}'.").format(name=export.connection)
                )
            segment_ids = [self._segment_id(db, s) for s in export.segments]
            previous = (original_name or name).strip()
            old = save_target(
                db.execute("SELECT id FROM exports WHERE name = ?", (previous,)).fetchone(),
                db.execute("SELECT id FROM exports WHERE name = ?", (name,)).fetchone(),
                same=lambda a, b: bool(a["id"] == b["id"]),
                replace_existing=replace_existing,
                exists=lambda _row: _("An export named '{name}' exists. {advice}").format(
                    name=name, advice=advice.OTHER_NAME
                ),
            )
            mapping = json.dumps(export.mapping.to_json())
            if old is None:
                cursor = db.execute(
                    "INSERT INTO exports (name, connection_id, mapping, create_fields,"
                    " remove_departed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        connection["id"],
                        mapping,
                        int(export.create_fields),
                        int(export.remove_departed),
                        now,
                        now,
                    ),
                )
                export_id = int(cursor.lastrowid or 0)
            else:
                export_id = int(old["id"])
                db.execute(
                    "UPDATE exports SET name = ?, connection_id = ?, mapping = ?,"
                    " create_fields = ?, remove_departed = ?, updated_at = ? WHERE id = ?",
                    (
                        name,
                        connection["id"],
                        mapping,
                        int(export.create_fields),
                        int(export.remove_departed),
                        now,
                        export_id,
                    ),
                )
                db.execute("DELETE FROM export_segments WHERE export_id = ?", (export_id,))
                if previous != name:  # the record of what was sent goes with the export
                    for table in ("ledger", "ledger_connections"):
                        db.execute(
                            f"UPDATE {table} SET export = ? WHERE export = ?",  # noqa: S608
                            (name, previous),
                        )
            db.executemany(
                "INSERT INTO export_segments (export_id, segment_id, position) VALUES (?, ?, ?)",
                [(export_id, sid, pos) for pos, sid in enumerate(segment_ids)],
            )
        return self.get(name)

    @staticmethod
    def _segment_id(db: sqlite3.Connection, name: str) -> int:
        row = db.execute("SELECT id FROM segments WHERE name = ?", (name.strip(),)).fetchone()
        if row is None:
            raise NotFoundError(_("No segment named '{name}'.").format(name=name))
        return int(row["id"])

    def duplicate(self, name: str, new_name: str) -> Export:
        return self.save(replace(self.get(name), name=new_name))

    def remove(self, name: str) -> None:
        """Remove the export and its record of what was sent (emails); its runs stay in the
        history (with the export's name)."""
        export = self.get(name)
        with self._state.transaction() as db:
            db.execute("DELETE FROM exports WHERE name = ?", (export.name,))
            db.execute("DELETE FROM ledger WHERE export = ?", (export.name,))
            db.execute("DELETE FROM ledger_connections WHERE export = ?", (export.name,))
