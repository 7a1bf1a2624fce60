"""Deleting everything: profiles, segments, exports, connections, runs, their reports and the
state store's backups.

The keys are not deleted here: the face deletes them with ConnectionKeys.forget (the window on
its keyring thread), using the connection names this returns.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.core.profiles import ProfileStore
from app.core.store import StateStore

log = logging.getLogger(__name__)

# Children before parents, so foreign keys never object.
_TABLES = (
    "ledger",
    "ledger_connections",
    "run_rows",
    "run_batches",
    "runs",
    "export_segments",
    "exports",
    "segments",
)


def erase_everything(state: StateStore, profiles: ProfileStore, reports_dir: Path) -> list[str]:
    """Delete all data this program keeps; returns the names of the deleted connections."""
    with state.transaction() as db:
        for table in _TABLES:
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the constant above
    for source in profiles.list_sources():
        profiles.remove_source(source.name)
    with state.transaction() as db:
        names = [row["name"] for row in db.execute("SELECT name FROM connections")]
        db.execute("DELETE FROM connections")
    if reports_dir.is_dir():
        for path in reports_dir.iterdir():
            if path.is_file():
                path.unlink(missing_ok=True)
    state.backups.erase()  # copies of what was just deleted
    with state.read() as db:
        db.execute("VACUUM")  # deleted rows leave no trace in the file's free pages
    log.info("All data erased (%d connections)", len(names))
    return names
