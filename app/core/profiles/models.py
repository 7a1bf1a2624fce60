"""What an imported source is: its metadata, and the way its columns are stored.

Column names come from customer files, so they never reach SQL: the profile table stores the
N columns of a source as ``c1`` ... ``cN`` (plus ``row_no``), and :meth:`Source.physical_column`
maps a name the user sees to its stored name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.errors import NotFoundError
from app.core.store import to_iso

ROW_NUMBER_COLUMN = "row_no"
_SHOWN_COLUMNS = 30


def physical_name(index: int) -> str:
    """The stored name of the column at 0-based ``index``."""
    return f"c{index + 1}"


def delimiter_label(delimiter: str | None) -> str:
    """A delimiter the way a person writes it (a tab is invisible)."""
    if delimiter is None:
        return "none"
    return "tab" if delimiter == "\t" else delimiter


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose at import; None was detected (and is detected again on refresh)."""

    sheet: str | None = None
    entity: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class FileStamp:
    """The file's size and modification time when it was imported: a change costs one stat."""

    size: int
    mtime_ns: int


def has_column(columns: tuple[str, ...], name: str) -> bool:
    """Whether ``name`` finds a column the way :meth:`Source.physical_column` does."""
    if name in columns:
        return True
    folded = name.casefold()
    return sum(1 for column in columns if column.casefold() == folded) == 1


@dataclass(frozen=True)
class Source:
    """An imported file: one DuckDB table ``table_name`` plus this metadata row."""

    name: str
    table_name: str
    path: str
    rows: int
    columns: tuple[str, ...]
    sha256: str
    imported_at: datetime
    file_format: str
    encoding: str | None
    delimiter: str | None
    warnings: tuple[str, ...] = ()
    options: ImportOptions = field(default_factory=ImportOptions)
    stamp: FileStamp | None = None  # None: imported before sizes were recorded

    def physical_column(self, name: str) -> str:
        """``cN`` for a column name: an exact match first, then a unique case-insensitive one."""
        if name in self.columns:
            return physical_name(self.columns.index(name))
        folded = name.casefold()
        matches = [i for i, column in enumerate(self.columns) if column.casefold() == folded]
        if len(matches) == 1:
            return physical_name(matches[0])
        raise NotFoundError(
            f'Source "{self.name}" has no column "{name}"; its columns are: {self._column_list()}.'
        )

    def _column_list(self) -> str:
        shown = ", ".join(self.columns[:_SHOWN_COLUMNS])
        hidden = len(self.columns) - _SHOWN_COLUMNS
        return f"{shown} and {hidden} more" if hidden > 0 else shown

    def to_json(self) -> dict[str, object]:
        """The object ``source list --json`` prints (DESIGN.md section 4)."""
        return {
            "name": self.name,
            "path": self.path,
            "rows": self.rows,
            "columns": list(self.columns),
            "sha256": self.sha256,
            "imported_at": to_iso(self.imported_at),
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }


@dataclass(frozen=True)
class ImportResult:
    source: Source
    warnings: tuple[str, ...] = ()
    sheet: str | None = field(default=None)
    entity: str | None = field(default=None)
    partitions: int = 0

    def summary(self) -> str:
        """One line: rows, columns, what was detected, and how many warnings follow."""
        source = self.source
        return (
            f'Imported "{source.name}": {_count(source.rows, "row")}, '
            f"{_count(len(source.columns), 'column')} "
            f"({self._detected()}), {_count(len(self.warnings), 'warning')}."
        )

    def _detected(self) -> str:
        source = self.source
        if source.file_format == "csv":
            return f"CSV, encoding {source.encoding}, delimiter {delimiter_label(source.delimiter)}"
        if source.file_format == "excel":
            return f'Excel, sheet "{self.sheet}"' if self.sheet else "Excel"
        if source.file_format == "cdm":
            files = _count(self.partitions, "partition file")
            return f'Customer Insights folder, entity "{self.entity}" from {files}'
        return "Parquet"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


@dataclass(frozen=True)
class RefreshResult:
    """A refresh: the source before, and the new import (None: the file had not changed)."""

    before: Source
    imported: ImportResult | None

    @property
    def source(self) -> Source:
        return self.imported.source if self.imported is not None else self.before

    @property
    def refreshed(self) -> bool:
        return self.imported is not None

    def summary(self) -> str:
        before = self.before
        if self.imported is None:
            return (
                f'Source "{before.name}" is unchanged: {before.path} is the file imported '
                f"at {to_iso(before.imported_at)}; nothing to do."
            )
        source = self.imported.source
        return (
            f'Refreshed "{source.name}": {_count(source.rows, "row")} '
            f"({before.rows:,} before), {_count(len(source.columns), 'column')} "
            f"({self.imported._detected()}), {_count(len(self.imported.warnings), 'warning')}."
        )


@dataclass(frozen=True)
class RebuildResult:
    """A damaged profile store rebuilt from the sources' files."""

    aside: Path | None  # where the damaged file was kept (None: there was none)
    rebuilt: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (source, why)

    def summary(self) -> str:
        kept = f" The damaged file is kept as {self.aside}." if self.aside else ""
        done = f"Rebuilt the profile data: {_count(len(self.rebuilt), 'source')} imported again"
        if not self.failed:
            return f"{done}.{kept}"
        names = ", ".join(f'"{name}"' for name, _ in self.failed)
        return (
            f"{done}; {_count(len(self.failed), 'source')} could not be: {names} (their files "
            f"are gone or unreadable; import each again under the same name to use its "
            f"segments).{kept}"
        )
