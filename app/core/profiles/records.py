"""The ``sources`` rows in the state store (schema: app/core/store.py, migration v1)."""

from __future__ import annotations

import json
import sqlite3

from app.core.errors import InUseError, NotFoundError
from app.core.i18n import N_, _, ngettext, number
from app.core.profiles.models import FileStamp, ImportOptions, Source, has_column
from app.core.store import StateStore, from_iso, to_iso

# What uses the columns a refresh would drop, by kind of user.
_USES = {
    "segment": N_('the segment "{name}" uses {columns}'),
    "export": N_('the export "{name}" uses {columns}'),
}
_COLUMNS = (
    "name, table_name, path, sha256, rows, columns, file_format, encoding, delimiter, warnings, "
    "imported_at, opt_sheet, opt_entity, opt_encoding, opt_delimiter, file_size, file_mtime_ns"
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
        options=ImportOptions(
            sheet=row["opt_sheet"],
            entity=row["opt_entity"],
            encoding=row["opt_encoding"],
            delimiter=row["opt_delimiter"],
        ),
        stamp=(
            None
            if row["file_size"] is None or row["file_mtime_ns"] is None
            else FileStamp(int(row["file_size"]), int(row["file_mtime_ns"]))
        ),
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
        source.options.sheet,
        source.options.entity,
        source.options.encoding,
        source.options.delimiter,
        None if source.stamp is None else source.stamp.size,
        None if source.stamp is None else source.stamp.mtime_ns,
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
        raise NotFoundError(_no_source(name))
    return source


def _no_source(name: str) -> str:
    return _('No source named "{name}"; see `source list` for the names.').format(name=name)


def known_tables(state: StateStore) -> set[str]:
    with state.read() as db:
        return {str(row[0]) for row in db.execute("SELECT table_name FROM sources")}


def save_source(state: StateStore, source: Source, *, refreshing: bool = False) -> str | None:
    """Insert ``source``, or swap it in for the one of the same name; return the old table.

    Updating in place keeps the row id, so segments defined on the old import now use this one.
    ``refreshing``: the source must exist, and a new import that lacks a column its segments or
    exports use is refused (RefreshRefused), in the same transaction as the swap.
    """
    with state.transaction() as db:
        old = db.execute("SELECT id, table_name FROM sources WHERE name = ?", (source.name,))
        existing = old.fetchone()
        if existing is None and refreshing:
            raise NotFoundError(
                _(
                    'Source "{name}" was removed while it was being refreshed; import the file '
                    "again."
                ).format(name=source.name)
            )
        if existing is None:
            marks = ", ".join("?" for _ in _COLUMNS.split(","))
            db.execute(
                f"INSERT INTO sources ({_COLUMNS}) VALUES ({marks})",  # noqa: S608
                _values(source),
            )
            return None
        if refreshing:
            _refuse_dropped_columns(db, int(existing["id"]), source)
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
            raise NotFoundError(_no_source(name))
        users: list[str] = [
            str(row[0])
            for row in db.execute(
                "SELECT s.name FROM segments s JOIN sources src ON src.id = s.source_id "
                "WHERE src.name = ? ORDER BY s.name",
                (source.name,),
            )
        ]
        if users:
            raise InUseError(
                ngettext(
                    'Source "{name}" is used by the segment {segments}; remove or change it first.',
                    'Source "{name}" is used by the segments {segments}; remove or change those '
                    "first.",
                    len(users),
                ).format(name=source.name, segments=", ".join(f'"{user}"' for user in users))
            )
        db.execute("DELETE FROM sources WHERE name = ?", (source.name,))
    return source


def update_stamp(state: StateStore, source: Source, stamp: FileStamp) -> None:
    """The file was found unchanged by its content: remember its new size and time."""
    with state.transaction() as db:
        db.execute(
            "UPDATE sources SET file_size = ?, file_mtime_ns = ? WHERE name = ? AND table_name = ?",
            (stamp.size, stamp.mtime_ns, source.name, source.table_name),
        )


class RefreshRefused(InUseError):
    """A refresh would drop columns that segments or exports of the source use."""


def _refuse_dropped_columns(db: sqlite3.Connection, source_id: int, new: Source) -> None:
    missing: dict[tuple[str, str], list[str]] = {}  # (kind, name) -> its missing columns
    for user, columns in _column_users(db, source_id):
        for column in columns:
            if not has_column(new.columns, column):
                listed = missing.setdefault(user, [])
                if column not in listed:
                    listed.append(column)
    if not missing:
        return
    every = list(dict.fromkeys(c for columns in missing.values() for c in columns))
    uses = "; ".join(
        _(_USES[kind]).format(name=name, columns=", ".join(_quoted(c) for c in columns))
        for (kind, name), columns in missing.items()
    )
    if len(every) == 1:
        text = _(
            'Source "{name}" was not refreshed: the file no longer has the column "{column}" '
            "({uses}). The data imported before stays as it was; put the column back in the "
            "file, or change what uses it, then refresh again."
        )
    else:
        text = ngettext(
            'Source "{name}" was not refreshed: the file no longer has {count} column in use '
            "({uses}). The data imported before stays as it was; put the column back in the "
            "file, or change what uses it, then refresh again.",
            'Source "{name}" was not refreshed: the file no longer has {count} columns in use '
            "({uses}). The data imported before stays as it was; put the columns back in the "
            "file, or change what uses them, then refresh again.",
            len(every),
        )
    raise RefreshRefused(
        text.format(name=new.name, column=every[0], count=number(len(every)), uses=uses)
    )


def _quoted(text: str) -> str:
    return f'"{text}"'


def _column_users(
    db: sqlite3.Connection, source_id: int
) -> list[tuple[tuple[str, str], list[str]]]:
    """Each segment of the source with its rules' fields, each export of those segments with
    the columns of its mapping."""
    users: list[tuple[tuple[str, str], list[str]]] = []
    for name, rules in db.execute(
        "SELECT name, rules FROM segments WHERE source_id = ? ORDER BY name COLLATE NOCASE",
        (source_id,),
    ):
        fields = [str(rule["field"]) for rule in json.loads(rules) if rule.get("field")]
        users.append((("segment", str(name)), fields))
    for name, mapping in db.execute(
        "SELECT DISTINCT e.name, e.mapping FROM exports e"
        " JOIN export_segments es ON es.export_id = e.id"
        " JOIN segments s ON s.id = es.segment_id"
        " WHERE s.source_id = ? ORDER BY e.name COLLATE NOCASE",
        (source_id,),
    ):
        columns = [str(item["column"]) for item in json.loads(mapping) if item.get("column")]
        users.append((("export", str(name)), columns))
    return users
