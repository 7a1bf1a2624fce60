"""Segments in the state store (table ``segments``), one function per statement.

A segment refers to its source by id, so renaming or replacing a segment keeps the exports that
use it; it is read back with the source's name. Names are unique regardless of case (the column
is ``COLLATE NOCASE``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from app.core.segments.models import Match, Rule, Segment

_SELECT = (
    "SELECT s.id, s.name, s.source_id, src.name AS source, s.match, s.rules"
    " FROM segments s JOIN sources src ON src.id = s.source_id"
)


@dataclass(frozen=True)
class StoredSegment:
    id: int
    source_id: int
    segment: Segment


def find(db: sqlite3.Connection, name: str) -> StoredSegment | None:
    row = db.execute(f"{_SELECT} WHERE s.name = ?", (name.strip(),)).fetchone()
    return None if row is None else _from_row(row)


def load_all(db: sqlite3.Connection) -> list[StoredSegment]:
    rows = db.execute(f"{_SELECT} ORDER BY s.name COLLATE NOCASE").fetchall()
    return [_from_row(row) for row in rows]


def source_id(db: sqlite3.Connection, source_name: str) -> int | None:
    row = db.execute("SELECT id FROM sources WHERE name = ?", (source_name,)).fetchone()
    return None if row is None else int(row["id"])


def insert(db: sqlite3.Connection, segment: Segment, source: int, now: str) -> None:
    db.execute(
        "INSERT INTO segments (name, source_id, match, rules, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (segment.name, source, segment.match, _rules_json(segment), now, now),
    )


def update(
    db: sqlite3.Connection, segment_id: int, segment: Segment, source: int, now: str
) -> None:
    db.execute(
        "UPDATE segments SET name = ?, source_id = ?, match = ?, rules = ?, updated_at = ?"
        " WHERE id = ?",
        (segment.name, source, segment.match, _rules_json(segment), now, segment_id),
    )


def delete(db: sqlite3.Connection, segment_id: int) -> None:
    db.execute("DELETE FROM segments WHERE id = ?", (segment_id,))


def exports_using(db: sqlite3.Connection, segment_id: int) -> list[str]:
    rows = db.execute(
        "SELECT DISTINCT e.name FROM export_segments es JOIN exports e ON e.id = es.export_id"
        " WHERE es.segment_id = ? ORDER BY e.name COLLATE NOCASE",
        (segment_id,),
    ).fetchall()
    return [str(row["name"]) for row in rows]


def _rules_json(segment: Segment) -> str:
    return json.dumps([rule.to_json() for rule in segment.rules], ensure_ascii=False)


def _from_row(row: sqlite3.Row) -> StoredSegment:
    match: Match = "any" if row["match"] == "any" else "all"
    rules = tuple(Rule.from_json(item) for item in json.loads(row["rules"]))
    segment = Segment(name=row["name"], source=row["source"], match=match, rules=rules)
    return StoredSegment(id=int(row["id"]), source_id=int(row["source_id"]), segment=segment)
