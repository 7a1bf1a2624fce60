"""``profiles.duckdb``: opened per operation, never held, and waited for briefly when busy.

DuckDB lets one process write a database file (and no other process read it meanwhile), so the
window and the CLI take turns: each operation opens its own short-lived connection, and an open
that finds the file locked retries for a few seconds before saying so.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from app.core import advice
from app.core.clock import Clock
from app.core.errors import AppError, BusyError
from app.core.i18n import _
from app.core.paths import make_private
from app.core.profiles.duckload import quote_identifier

# No extension is ever needed; an offline machine could not download one anyway.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_RETRY_EVERY_S = 0.2
_PROGRESS_EVERY_S = 0.2
_TABLE_NAME = re.compile(r"src_[0-9a-f]{32}")
_BUSY_SIGNS = ("Could not set lock", "Conflicting lock", "different configuration")


def new_table_name() -> str:
    """A physical table name that owes nothing to user text."""
    return f"src_{uuid.uuid4().hex}"


# DuckDB's words for a file that is damaged (a bad block, a cut-off or foreign file).
_DAMAGE_SIGNS = ("corrupt database file", "not a valid duckdb database file", "checksum")


def is_damage(exc: BaseException) -> bool:
    return any(sign in str(exc).lower() for sign in _DAMAGE_SIGNS)


class DamagedProfilesError(AppError):
    """The profile store cannot be read. It is a copy of the imported files: it can be rebuilt
    from them (ProfileStore.rebuild); the message says how."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        first = detail.strip().splitlines()[0] if detail.strip() else _("unreadable")
        super().__init__(
            _(
                "The profile data ({path}) is damaged ({detail}). It is a copy of the files you "
                "imported. {advice} Connections, segments, exports and history are not affected."
            ).format(path=path, detail=first, advice=advice.REBUILD_PROFILES)
        )


class ProfileDatabase:
    def __init__(self, path: Path, *, clock: Clock, busy_wait_s: float) -> None:
        self.path = path
        self._clock = clock
        self._busy_wait_s = busy_wait_s

    @contextmanager
    def connect(self, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        new = not self.path.exists()
        if read_only and new:
            self._open(read_only=False).close()
        con = self._open(read_only=read_only)
        if new:
            make_private(self.path, self.path.with_name(self.path.name + ".wal"))
        try:
            yield con
        except duckdb.Error as exc:
            if is_damage(exc):
                raise DamagedProfilesError(self.path, str(exc)) from exc
            raise
        finally:
            con.close()

    def set_aside(self) -> Path | None:
        """Move the database file (and its WAL) out of the way, keeping it for a specialist;
        the next connection makes a new, empty one. Returns where it was put."""
        if not self.path.exists():
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            os.replace(wal, aside.with_name(aside.name + ".wal"))
        os.replace(self.path, aside)
        return aside

    def _open(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = self._clock.monotonic() + self._busy_wait_s
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=dict(_CONFIG))
            except duckdb.Error as exc:
                if is_damage(exc):
                    raise DamagedProfilesError(self.path, str(exc)) from exc
                busy = isinstance(exc, duckdb.IOException | duckdb.ConnectionException)
                if not busy or not any(sign in str(exc) for sign in _BUSY_SIGNS):
                    raise
                if self._clock.monotonic() >= deadline:
                    raise BusyError(
                        _(
                            "The profile data is in use by another window or command; try again "
                            "when it has finished."
                        )
                    ) from exc
            self._clock.sleep(_RETRY_EVERY_S)


def source_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every table in the database that this program created for a source."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
    ).fetchall()
    return {str(row[0]) for row in rows if _TABLE_NAME.fullmatch(str(row[0]))}


def drop_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"DROP TABLE IF EXISTS {quote_identifier(table)}")


def drop_orphans(con: duckdb.DuckDBPyConnection, known: set[str]) -> None:
    """Drop source tables that no source names (left by an import that crashed half-way).

    Safe against a concurrent import only while ``con`` is the one writer: an import keeps its
    connection open from creating its table until the metadata names it.
    """
    for table in sorted(source_tables(con) - known):
        drop_table(con, table)


@contextmanager
def progress_of(
    con: duckdb.DuckDBPyConnection, report: Callable[[float], None] | None, start: float, end: float
) -> Iterator[None]:
    """Report DuckDB's progress on the running statements as ``start``..``end``, never backwards.

    ``report`` is called from a helper thread.
    """
    if report is None:
        yield
        return
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    stop = threading.Event()
    thread = threading.Thread(
        target=_poll, args=(con, report, start, end, stop), name="import-progress", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _poll(
    con: duckdb.DuckDBPyConnection,
    report: Callable[[float], None],
    start: float,
    end: float,
    stop: threading.Event,
) -> None:
    best = 0.0
    while not stop.wait(_PROGRESS_EVERY_S):
        percent = float(con.query_progress())
        if percent > best:
            best = min(percent, 100.0)
            report(start + (end - start) * best / 100.0)
