"""The state store: one SQLite file holding everything that is not profile data or a secret.

Connections, sources, segments, exports, runs, per-batch checkpoints and row-level details of
runs live in ``state.sqlite3``. It is opened per unit of work (never held for the life of the
window), in WAL mode with ``synchronous=FULL`` so that a committed checkpoint survives a power
loss, and shared safely by the window and the CLI running at the same time.

Migrations are small functions, applied in order and recorded in ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from app.core.errors import AlreadyExistsError, AppError, BusyError
from app.core.i18n import _
from app.core.paths import make_private
from app.core.state_backups import (
    DamagedStoreError,
    StateBackups,
    file_problem,
    is_damage,
    sqlite_says,
)

Row = TypeVar("Row")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z``, second precision: what the CLI's JSON shows."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def save_target(
    saved: Row | None,
    clash: Row | None,
    *,
    same: Callable[[Row, Row], bool],
    replace_existing: bool,
    exists: Callable[[Row], str],
) -> Row | None:
    """The row a save writes to; None inserts a new one.

    ``saved`` is the row being saved (found by the name it had), ``clash`` the row that already
    has the new name. A clash with another row is replaced only when ``replace_existing`` and
    nothing else is being saved (renaming onto another row never overwrites it); otherwise
    AlreadyExistsError with ``exists(clash)`` as its message.
    """
    if clash is None or (saved is not None and same(saved, clash)):
        return saved
    if saved is not None or not replace_existing:
        raise AlreadyExistsError(exists(clash))
    return clash


def _execute_script(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the migration's transaction half-way; run statement by statement.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def _v1_sources_and_segments(db: sqlite3.Connection) -> None:
    _execute_script(
        db,
        """
        CREATE TABLE sources (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
            table_name  TEXT NOT NULL UNIQUE,
            path        TEXT NOT NULL,
            sha256      TEXT NOT NULL,
            rows        INTEGER NOT NULL,
            columns     TEXT NOT NULL,          -- JSON list of column names, in file order
            file_format TEXT NOT NULL,          -- csv, excel, parquet
            encoding    TEXT,
            delimiter   TEXT,
            warnings    TEXT NOT NULL DEFAULT '[]',
            imported_at TEXT NOT NULL
        );
        CREATE TABLE segments (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE RESTRICT,
            match      TEXT NOT NULL CHECK (match IN ('all', 'any')),
            rules      TEXT NOT NULL,           -- JSON list of {"field", "op", "value"}
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    )


def _v2_connections_exports_runs(db: sqlite3.Connection) -> None:
    _execute_script(
        db,
        """
        CREATE TABLE connections (
            id              INTEGER PRIMARY KEY,
            name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
            base_url        TEXT NOT NULL,
            rate_limit      REAL NOT NULL,
            profile_cap     INTEGER NOT NULL,
            consent_at      TEXT NOT NULL,
            consent_version TEXT NOT NULL,
            key_stored      INTEGER NOT NULL DEFAULT 0,
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE TABLE exports (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
            connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE RESTRICT,
            mapping       TEXT NOT NULL,        -- JSON list of field mappings
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE TABLE export_segments (
            export_id  INTEGER NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
            segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE RESTRICT,
            position   INTEGER NOT NULL,
            PRIMARY KEY (export_id, position)
        );
        CREATE TABLE runs (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            export_id       INTEGER REFERENCES exports(id) ON DELETE SET NULL,
            export_name     TEXT NOT NULL,
            dry_run         INTEGER NOT NULL,
            status          TEXT NOT NULL,
            started_at      TEXT NOT NULL,
            finished_at     TEXT,
            active_seconds  REAL NOT NULL DEFAULT 0,
            snapshot        TEXT NOT NULL,      -- JSON: the configuration the run ran with
            planned         INTEGER NOT NULL DEFAULT 0,
            invalid         INTEGER NOT NULL DEFAULT 0,
            duplicates      INTEGER NOT NULL DEFAULT 0,
            unique_profiles INTEGER NOT NULL DEFAULT 0,
            lists           TEXT NOT NULL DEFAULT '{}',
            warnings        TEXT NOT NULL DEFAULT '[]',
            error           TEXT,
            output_path     TEXT,
            pid             INTEGER,
            heartbeat_at    TEXT,
            details_purged_at TEXT
        );
        CREATE INDEX runs_export ON runs(export_name);
        -- One row per batch Autopilot confirmed, written in the same transaction as its outcome.
        CREATE TABLE run_batches (
            run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            segment_index INTEGER NOT NULL,
            batch_no      INTEGER NOT NULL,
            sent          INTEGER NOT NULL,
            rejected      INTEGER NOT NULL,
            confirmed_at  TEXT NOT NULL,
            PRIMARY KEY (run_id, segment_index, batch_no)
        );
        -- Row-level detail of rejected and invalid rows (personal data: purged after retention).
        CREATE TABLE run_rows (
            run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            segment_index INTEGER NOT NULL,
            row_number    INTEGER NOT NULL,
            state         TEXT NOT NULL CHECK (state IN ('rejected', 'invalid')),
            email         TEXT NOT NULL,
            reason        TEXT NOT NULL
        );
        CREATE INDEX run_rows_run ON run_rows(run_id, segment_index, row_number);
        """,
    )


def _v3_run_owner(db: sqlite3.Connection) -> None:
    # The process (and attempt) that may write a run's checkpoints: two resumes of one run
    # must never both send.
    db.execute("ALTER TABLE runs ADD COLUMN owner TEXT")


def _v4_destinations(db: sqlite3.Connection) -> None:
    # A connection is to one destination (Autopilot Journeys or Ortto, with Ortto's data
    # region); an export may create the custom fields it needs where the user said yes; the
    # account's custom fields are cached per connection for the window and the dry run.
    db.execute("ALTER TABLE connections ADD COLUMN service TEXT NOT NULL DEFAULT 'autopilot'")
    db.execute("ALTER TABLE connections ADD COLUMN region TEXT")
    db.execute("ALTER TABLE connections ADD COLUMN custom_fields TEXT")
    db.execute("ALTER TABLE exports ADD COLUMN create_fields INTEGER NOT NULL DEFAULT 0")


def _v5_ledger(db: sqlite3.Connection) -> None:
    # What each export's destination confirmed, per segment and email, so a repeated run sends
    # only what changed (DESIGN.md, Repeated runs). Personal data: deleted with the export.
    _execute_script(
        db,
        """
        CREATE TABLE ledger (
            export    TEXT NOT NULL,
            segment   TEXT NOT NULL,
            email_key TEXT NOT NULL,
            hash      TEXT NOT NULL,   -- of exactly what was confirmed: fields and audience
            run_id    INTEGER NOT NULL,
            PRIMARY KEY (export, segment, email_key)
        );
        -- Which connection an export's ledger is about: another one starts it afresh.
        CREATE TABLE ledger_connections (
            export     TEXT PRIMARY KEY,
            connection TEXT NOT NULL
        );
        ALTER TABLE runs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
        """,
    )


def _v6_removals(db: sqlite3.Connection) -> None:
    # An export may take people who left a segment off its list or tag (DESIGN.md, Repeated
    # runs); the emails a run removed, or could not, are row details like rejected ones (same
    # retention). SQLite cannot widen a CHECK: run_rows is rebuilt with the new states.
    _execute_script(
        db,
        """
        ALTER TABLE exports ADD COLUMN remove_departed INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE run_rows_v6 (
            run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            segment_index INTEGER NOT NULL,
            row_number    INTEGER NOT NULL,
            state         TEXT NOT NULL
                          CHECK (state IN ('rejected', 'invalid', 'removed', 'not_removed')),
            email         TEXT NOT NULL,
            reason        TEXT NOT NULL
        );
        INSERT INTO run_rows_v6 (run_id, segment_index, row_number, state, email, reason)
            SELECT run_id, segment_index, row_number, state, email, reason FROM run_rows;
        DROP TABLE run_rows;
        ALTER TABLE run_rows_v6 RENAME TO run_rows;
        CREATE INDEX run_rows_run ON run_rows(run_id, segment_index, row_number);
        """,
    )


def _v7_source_options(db: sqlite3.Connection) -> None:
    # A source can be refreshed from its file: what the user chose at import (NULL: detected
    # again, which is all a source imported before this version can do) and the file's size and
    # modification time at import, so a change is noticed without reading the file.
    _execute_script(
        db,
        """
        ALTER TABLE sources ADD COLUMN opt_sheet TEXT;
        ALTER TABLE sources ADD COLUMN opt_entity TEXT;
        ALTER TABLE sources ADD COLUMN opt_encoding TEXT;
        ALTER TABLE sources ADD COLUMN opt_delimiter TEXT;
        ALTER TABLE sources ADD COLUMN file_size INTEGER;
        ALTER TABLE sources ADD COLUMN file_mtime_ns INTEGER;
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_sources_and_segments,
    _v2_connections_exports_runs,
    _v3_run_owner,
    _v4_destinations,
    _v5_ledger,
    _v6_removals,
    _v7_source_options,
]


class StateStore:
    """Opens ``state.sqlite3`` per unit of work; see the module docstring."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 15.0) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        path.parent.mkdir(parents=True, exist_ok=True)
        self.backups = StateBackups(path, path.parent / "backups")
        if path.exists():
            problem = file_problem(path)
            if problem is not None:  # damage, never a fresh start
                raise DamagedStoreError(path, problem, self.backups.newest_good())
            self._migrate()
            self.backups.take_if_due()
        else:
            self._create()
        make_private(path, *(path.with_name(path.name + end) for end in ("-wal", "-shm")))

    def _create(self) -> None:
        """A new store appears whole or not at all: built aside, then linked into place (if
        another process made one meanwhile, that one is kept)."""
        partial = self.path.with_name(f"{self.path.name}.new-{os.getpid()}")
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(partial, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            for number, migration in enumerate(MIGRATIONS, start=1):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        finally:
            db.close()
        make_private(partial)
        try:
            os.link(partial, self.path)
        except FileExistsError:
            self._migrate()
        finally:
            partial.unlink(missing_ok=True)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self._busy_timeout_s, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            db.close()
            self._raise_if_damaged(exc)
            raise
        return db

    def _raise_if_damaged(self, exc: sqlite3.DatabaseError) -> None:
        if is_damage(exc):
            raise DamagedStoreError(
                self.path, sqlite_says(exc), self.backups.newest_good()
            ) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (or rollback on any error)."""
        db = self._open()
        try:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise BusyError(
                        _(
                            "The data store is busy in another window or command; try again in "
                            "a moment."
                        )
                    ) from exc
                raise
            try:
                yield db
            except BaseException as exc:
                with contextlib.suppress(sqlite3.DatabaseError):
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    self._raise_if_damaged(exc)
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection for reads (WAL readers never block writers)."""
        db = self._open()
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            self._raise_if_damaged(exc)
            raise
        finally:
            db.close()

    @property
    def version(self) -> int:
        with self.read() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self.transaction() as db:
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current > len(MIGRATIONS):
                raise AppError(
                    _(
                        "The data in {folder} was written by a newer version of this program; "
                        "install that version to use it."
                    ).format(folder=self.path.parent)
                )
            if 0 < current < len(MIGRATIONS):
                self.backups.take()  # before the migrations change it
            for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")
