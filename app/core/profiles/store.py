"""ProfileStore: import, list and remove sources.

An import builds its table under a new generated name while holding the one DuckDB write
connection, then swaps the metadata row in one SQLite transaction, then drops the old table.
A failure anywhere before the swap drops the new table, so the old source stays intact; a crash
leaves at worst an orphan table, which the next import or removal drops.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb

from app.core import advice
from app.core.clock import Clock, SystemClock
from app.core.errors import AppError, InputFileError, UsageError
from app.core.i18n import _
from app.core.profiles import records
from app.core.profiles.cdm import model_file
from app.core.profiles.cdm_import import import_cdm
from app.core.profiles.csv_import import import_delimited
from app.core.profiles.database import (
    ProfileDatabase,
    drop_orphans,
    drop_table,
    new_table_name,
    progress_of,
)
from app.core.profiles.excel_import import import_excel
from app.core.profiles.formats import check_options, file_format
from app.core.profiles.loading import Loaded
from app.core.profiles.models import (
    FileStamp,
    ImportOptions,
    ImportResult,
    RebuildResult,
    RefreshResult,
    Source,
)
from app.core.profiles.parquet_import import import_parquet
from app.core.profiles.target import Target, digest_file
from app.core.store import StateStore, utc_now

log = logging.getLogger(__name__)

_WORKDIR_PREFIX = ".import-"
Progress = Callable[[float], None]


class ProfileStore:
    def __init__(
        self,
        db_path: Path,
        state: StateStore,
        *,
        clock: Clock | None = None,
        now: Callable[[], datetime] = utc_now,
        busy_wait_s: float = 5.0,
    ) -> None:
        self.db_path = db_path
        self._state = state
        self._now = now
        self._db = ProfileDatabase(db_path, clock=clock or SystemClock(), busy_wait_s=busy_wait_s)

    def connect(
        self, *, read_only: bool = True
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A short-lived connection to ``profiles.duckdb``; close it (leave the block) soon."""
        return self._db.connect(read_only=read_only)

    def list_sources(self) -> list[Source]:
        return records.all_sources(self._state)

    def get_source(self, name: str) -> Source:
        return records.get_source(self._state, name)

    def rebuild(self, on_progress: Progress | None = None) -> RebuildResult:
        """A damaged profile store set aside and made again from every source's recorded file
        and options. Sources whose file is gone or unreadable are named in the result; their
        segments work again once the file is imported under the same name."""
        sources = records.all_sources(self._state)
        aside = self._db.set_aside()
        rebuilt: list[str] = []
        failed: list[tuple[str, str]] = []
        for index, source in enumerate(sources):
            try:
                self._import(Path(source.path), source.name, source.options, None)
                rebuilt.append(source.name)
            except AppError as exc:
                failed.append((source.name, str(exc)))
            _report(on_progress, (index + 1) / max(1, len(sources)))
        return RebuildResult(aside, tuple(rebuilt), tuple(failed))

    def remove_source(self, name: str) -> None:
        with self._db.connect(read_only=False) as con:
            source = records.delete_source(self._state, name)
            drop_table(con, source.table_name)
            drop_orphans(con, records.known_tables(self._state))

    def import_file(
        self,
        path: Path,
        name: str,
        *,
        sheet: str | None = None,
        entity: str | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        on_progress: Progress | None = None,
    ) -> ImportResult:
        """Import (or re-import) ``path`` as source ``name``; ``on_progress`` gets 0..1.

        ``path`` is a file, or a Customer Insights (Common Data Model) folder or its model.json,
        of which ``entity`` (default: the only one) is imported. The options are remembered, so
        a refresh reads the file the same way. ``on_progress`` may be called from a helper
        thread.
        """
        options = ImportOptions(sheet=sheet, entity=entity, encoding=encoding, delimiter=delimiter)
        return self._import(path, _checked_name(name), options, on_progress)

    def refresh_source(
        self, name: str, *, if_changed: bool = False, on_progress: Progress | None = None
    ) -> RefreshResult:
        """Import the source again from its file, with the options it was imported with.

        ``if_changed``: do nothing when the file has not changed. Refused (RefreshRefused) when
        the new data lacks a column that a segment or export of the source uses; refused or
        failed, the old data stays as it was.
        """
        before = self.get_source(name)
        try:
            file_format(Path(before.path))
            if if_changed and not self.file_changed(before):
                return RefreshResult(before, None)
            result = self._import(
                Path(before.path), before.name, before.options, on_progress, refreshing=True
            )
        except InputFileError as exc:
            raise InputFileError(_not_refreshed(before, exc)) from exc
        return RefreshResult(before, result)

    def file_changed(self, source: Source) -> bool:
        """Whether the source's file differs from what was imported: the same size and time
        answer at once; otherwise the content decides (a file saved again unchanged is not a
        change, and its new size and time are remembered). A Customer Insights folder is
        judged by its model.json, which every export from Customer Insights writes anew."""
        path = Path(source.path)
        if source.file_format == "cdm":
            return source.stamp is None or file_stamp(model_file(path)) != source.stamp
        stamp = file_stamp(path)
        if source.stamp is not None and stamp == source.stamp:
            return False
        if digest_file(path).sha256 != source.sha256:
            return True
        records.update_stamp(self._state, source, stamp)
        return False

    def _import(
        self,
        path: Path,
        name: str,
        options: ImportOptions,
        on_progress: Progress | None,
        *,
        refreshing: bool = False,
    ) -> ImportResult:
        path = Path(os.path.abspath(path.expanduser()))
        kind = file_format(path)
        check_options(
            kind,
            path,
            sheet=options.sheet,
            encoding=options.encoding,
            delimiter=options.delimiter,
            entity=options.entity,
        )
        _report(on_progress, 0.0)
        with self._db.connect(read_only=False) as con:
            drop_orphans(con, records.known_tables(self._state))
            source, loaded = self._build(
                con, kind, path, name, options, on_progress, refreshing=refreshing
            )
        _report(on_progress, 1.0)
        return ImportResult(
            source=source,
            warnings=source.warnings,
            sheet=loaded.sheet,
            entity=loaded.entity,
            partitions=loaded.partitions,
        )

    def _build(
        self,
        con: duckdb.DuckDBPyConnection,
        kind: str,
        path: Path,
        name: str,
        options: ImportOptions,
        on_progress: Progress | None,
        *,
        refreshing: bool,
    ) -> tuple[Source, Loaded]:
        table = new_table_name()
        digested = model_file(path) if kind == "cdm" else path
        # Before the file is read: a file saved again during the import looks changed later.
        stamp = file_stamp(digested)
        try:
            with (
                _workspace(self.db_path.parent) as workdir,
                ThreadPoolExecutor(2, "import") as pool,
            ):
                target = Target(con, table, workdir, pool, pool.submit(digest_file, digested))
                if kind == "cdm":
                    loaded = import_cdm(
                        target,
                        path,
                        entity=options.entity,
                        encoding=options.encoding,
                        on_progress=on_progress,
                    )
                else:
                    with progress_of(con, on_progress, 0.02, 0.95):
                        loaded = _load(target, kind, path, options)
                source = self._source(name, table, path, kind, loaded, target)
            source = replace(source, options=options, stamp=stamp)
            old_table = records.save_source(self._state, source, refreshing=refreshing)
        except BaseException:
            drop_table(con, table)
            raise
        if old_table is not None:
            _drop_quietly(con, old_table)
        return source, loaded

    def _source(
        self, name: str, table: str, path: Path, kind: str, loaded: Loaded, target: Target
    ) -> Source:
        return Source(
            name=name,
            table_name=table,
            path=str(path),
            rows=loaded.rows,
            columns=loaded.columns,
            sha256=loaded.sha256 or target.digest.result().sha256,
            imported_at=self._now(),
            file_format=kind,
            encoding=loaded.encoding,
            delimiter=loaded.delimiter,
            warnings=loaded.warnings,
        )


def _load(target: Target, kind: str, path: Path, options: ImportOptions) -> Loaded:
    if kind == "excel":
        return import_excel(target, path, sheet=options.sheet)
    if kind == "parquet":
        return import_parquet(target, path)
    return import_delimited(target, path, encoding=options.encoding, delimiter=options.delimiter)


def file_stamp(path: Path) -> FileStamp:
    status = path.stat()
    return FileStamp(size=status.st_size, mtime_ns=status.st_mtime_ns)


def _not_refreshed(source: Source, exc: InputFileError) -> str:
    if not Path(source.path).exists():
        return _(
            'Source "{name}" was not refreshed: its file {path} is gone (moved, renamed or '
            "deleted). The data imported before stays as it was. {advice}"
        ).format(name=source.name, path=source.path, advice=advice.REIMPORT)
    return _(
        'Source "{name}" was not refreshed: {reason} The data imported before stays as it was.'
    ).format(name=source.name, reason=exc)


@contextmanager
def _workspace(data_dir: Path) -> Iterator[Path]:
    """A scratch folder beside the database (never the system temp: it may be too small).

    Entered while holding the write connection, so any other scratch folder there was left by
    an import that crashed.
    """
    for leftover in data_dir.glob(f"{_WORKDIR_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=_WORKDIR_PREFIX, dir=data_dir) as work:
        yield Path(work)


def _checked_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise UsageError(_("A source needs a name: pass --name NAME."))
    return cleaned


def _report(on_progress: Progress | None, fraction: float) -> None:
    if on_progress is not None:
        on_progress(fraction)


def _drop_quietly(con: duckdb.DuckDBPyConnection, table: str) -> None:
    # The new source is already saved; an old table that will not drop is an orphan for later.
    try:
        drop_table(con, table)
    except duckdb.Error:
        log.warning("Could not drop replaced table %s; it will be dropped later", table)
