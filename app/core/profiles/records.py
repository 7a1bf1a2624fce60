"""The ``sources`` rows in the state store (schema: app/core/store.py, migration v1)."""

from __future__ import annotations

import json
import sqlite3

from app.core.errors import InUseError, NotFoundError
from app.core.profiles.models import Source
from app.core.store import StateStore, from_iso, to_iso

_COLUMNS = (
    "name, table_name, path, sha256, rows, columns, file_format, encoding, delimiter, warnings, "
    "imported_at"
)


def _to_source(row: sqlite3.Row) -> Source:
    imported_at = from_iso(row["imported_at"])
    assert imported_at is not None  # NOT NULL in the schema
    return Source(
        name=row["name"],
        table_name=row["table_name"],
        path=row["path"],
        rows=int(row["rows"]),
        columns=tuple(json.loads(row["columns"])),
        sha256=row["sha256"],
        imported_at=imported_at,
        file_format=row["file_format"],
        encoding=row["encoding"],
        delimiter=row["delimiter"],
        warnings=tuple(json.loads(row["warnings"])),
    )


def _values(source: Source) -> tuple[object, ...]:
    return (
        source.name,
        source.table_name,
        source.path,
        source.sha256,
        source.rows,
        json.dumps(list(source.columns), ensure_ascii=False),
        source.file_format,
        source.encoding,
        source.delimiter,
        json.dumps(list(source.warnings), ensure_ascii=False),
        to_iso(source.imported_at),
    )


def all_sources(state: StateStore) -> list[Source]:
    with state.read() as db:
        rows = db.execute(f"SELECT {_COLUMNS} FROM sources ORDER BY name").fetchall()  # noqa: S608
    return [_to_source(row) for row in rows]


def find_source(db: sqlite3.Connection, name: str) -> Source | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM sources WHERE name = ?",  # noqa: S608
        (name.strip(),),
    ).fetchone()
    return None if row is None else _to_source(row)


def get_source(state: StateStore, name: str) -> Source:
    with state.read() as db:
        source = find_source(db, name)
    if source is None:
        raise NotFoundError(f'No source named "{name}"; see `source list` for the names.')
    return source


def known_tables(state: StateStore) -> set[str]:
    with state.read() as db:
        return {str(row[0]) for row in db.execute("SELECT table_name FROM sources")}


def save_source(state: StateStore, source: Source) -> str | None:
    """Insert ``source``, or swap it in for the one of the same name; return the old table.

    Updating in place keeps the row id, so segments defined on the old import now use this one.
    """
    with state.transaction() as db:
        old = db.execute("SELECT id, table_name FROM sources WHERE name = ?", (source.name,))
        existing = old.fetchone()
        if existing is None:
            db.execute(
                f"INSERT INTO sources ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                _values(source),
            )
            return None
        assignments = ", ".join(f"{column.strip()} = ?" for column in _COLUMNS.split(","))
        db.execute(
            f"UPDATE sources SET {assignments} WHERE id = ?",  # noqa: S608
            (*_values(source), existing["id"]),
        )
        return str(existing["table_name"])


def delete_source(state: StateStore, name: str) -> Source:
    """Delete the row; InUseError naming the segments defined on it."""
    with state.transaction() as db:
        source = find_source(db, name)
        if source is None:
            raise NotFoundError(f'No source named "{name}"; see `source list` for the names.')
        users = [
            str(row[0])
            for row in db.execute(
                "SELECT s.name FROM segments s JOIN sources src ON src.id = s.source_id "
                "WHERE src.name = ? ORDER BY s.name",
                (source.name,),
            )
        ]
        if users:
            listed = ", ".join(f'"{user}"' for user in users)
            raise InUseError(
                f'Source "{source.name}" is used by {_segments(len(users))} {listed}; '
                "remove or change those first."
            )
        db.execute("DELETE FROM sources WHERE name = ?", (source.name,))
    return source


def _segments(count: int) -> str:
    return "segment" if count == 1 else "segments"
