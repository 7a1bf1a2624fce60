"""A run reads its members from its own copy of the source, taken when it starts sending.

The profile store is one DuckDB file, and DuckDB lets one process write it at a time: while the
window imports or refreshes a file (which can take minutes for a large one), another process
cannot even read it. A run that read its members from the store batch by batch would stop at
its next read ("the profile data is in use"), and the user would have to choose between
importing and exporting. So when a run starts sending, its source's table is copied once (a
single short read) into a Parquet file of the run's own, and the run reads only that: imports,
refreshes and counts in any window or command go on beside it, and the run sends exactly the
rows its plan counted even when the source is refreshed meanwhile.

The copy holds customer data: it lives in the program's private data folder and is deleted when
the run stops sending; copies left by a process that was killed are deleted by the next run.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from app.core.errors import NotFoundError
from app.core.history.lifecycle import process_alive
from app.core.i18n import _
from app.core.paths import PRIVATE_DIR_MODE, make_private
from app.core.profiles import Source
from app.core.profiles.duckload import quote_identifier
from app.core.segments import SegmentService

FOLDER = "runs-in-progress"
ABANDONED_AFTER_S = 7 * 24 * 3600


class FrozenProfiles:
    """The one source a run sends from, as it was when the run started (a ProfileReader)."""

    def __init__(self, source: Source, copy: Path) -> None:
        self._source = source
        self._copy = copy

    def get_source(self, name: str) -> Source:
        if name.casefold() != self._source.name.casefold():
            raise NotFoundError(_("No source named '{name}' in this run.").format(name=name))
        return self._source

    @contextmanager
    def connect(self, *, read_only: bool = True) -> Iterator[Any]:
        con = duckdb.connect()  # in memory: nothing is locked but the run's own copy
        try:
            copy = str(self._copy).replace("'", "''")
            table = quote_identifier(self._source.table_name)
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{copy}')")  # noqa: S608
            yield con
        finally:
            con.close()


@contextmanager
def frozen_members(
    source: Source, segments: SegmentService, profiles: Any, data_dir: Path
) -> Iterator[SegmentService]:
    """A segment service reading ``source`` from a private copy, deleted afterwards."""
    folder = data_dir / FOLDER
    folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    _delete_abandoned(folder)
    copy = folder / f"{os.getpid()}-{uuid.uuid4().hex}.parquet"
    target = str(copy).replace("'", "''")
    try:
        with profiles.connect(read_only=True) as con:
            segments.ensure_unchanged(source)  # the very import the plan counted
            table = quote_identifier(source.table_name)
            con.execute(f"COPY (SELECT * FROM {table}) TO '{target}' (FORMAT parquet)")  # noqa: S608
        make_private(copy)
        yield segments.reading(FrozenProfiles(source, copy))
    finally:
        copy.unlink(missing_ok=True)


def _delete_abandoned(folder: Path) -> None:
    """Copies whose process is gone (a run killed mid-way) are deleted; where that cannot be
    told (Windows), copies untouched for a week."""
    week_ago = time.time() - ABANDONED_AFTER_S
    for copy in folder.glob("*.parquet"):
        pid = copy.name.split("-", 1)[0]
        with contextlib.suppress(OSError):
            mine = pid.isdigit() and int(pid) == os.getpid()
            gone = pid.isdigit() and not process_alive(int(pid))
            if not mine and (gone or copy.stat().st_mtime < week_ago):
                copy.unlink()
