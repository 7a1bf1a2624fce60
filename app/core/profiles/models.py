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
from app.core.i18n import _, listed, moment, ngettext, number
from app.core.store import to_iso

ROW_NUMBER_COLUMN = "row_no"
_SHOWN_COLUMNS = 30


def physical_name(index: int) -> str:
    """The stored name of the column at 0-based ``index``."""
    return f"c{index + 1}"


def delimiter_label(delimiter: str | None) -> str:
    """A delimiter the way a person writes it (a tab is invisible)."""
    if delimiter is None:
        return _("none")
    return _("tab") if delimiter == "\t" else delimiter


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
            _('Source "{source}" has no column "{name}"; its columns are: {columns}.').format(
                source=self.name, name=name, columns=listed(self.columns, _SHOWN_COLUMNS)
            )
        )

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
        """One line: rows, what was detected, columns, and how many warnings follow."""
        source = self.source
        rows = ngettext(
            'Imported "{name}": {count} row.', 'Imported "{name}": {count} rows.', source.rows
        )
        return _sentences(
            rows.format(name=source.name, count=number(source.rows)), self._described()
        )

    def _described(self) -> list[str]:
        """What was read, the columns and the warnings, one sentence each."""
        source = self.source
        columns = len(source.columns)
        warnings = len(self.warnings)
        return [
            self._detected(),
            ngettext(
                "Each row has {count} column.", "Each row has {count} columns.", columns
            ).format(count=number(columns)),
            ngettext("{count} warning.", "{count} warnings.", warnings).format(
                count=number(warnings)
            )
            if warnings
            else _("No warnings."),
        ]

    def _detected(self) -> str:
        source = self.source
        if source.file_format == "csv":
            return _("Read as CSV (encoding {encoding}, delimiter {delimiter}).").format(
                encoding=source.encoding, delimiter=delimiter_label(source.delimiter)
            )
        if source.file_format == "excel":
            if self.sheet:
                return _('Read from the Excel sheet "{sheet}".').format(sheet=self.sheet)
            return _("Read from an Excel workbook.")
        if source.file_format == "cdm":
            return ngettext(
                'Read from the entity "{entity}" of a Customer Insights folder, in {count} '
                "partition file.",
                'Read from the entity "{entity}" of a Customer Insights folder, in {count} '
                "partition files.",
                self.partitions,
            ).format(entity=self.entity, count=number(self.partitions))
        return _("Read from a Parquet file.")


def _sentences(*parts: str | list[str]) -> str:
    """Whole sentences, one after the other."""
    texts: list[str] = []
    for part in parts:
        texts.extend([part] if isinstance(part, str) else part)
    return " ".join(texts)


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
            return _(
                'Source "{name}" is unchanged: {path} is the file imported at {when}; nothing '
                "to do."
            ).format(name=before.name, path=before.path, when=moment(before.imported_at))
        source = self.imported.source
        rows = ngettext(
            'Refreshed "{name}": {count} row ({before} before).',
            'Refreshed "{name}": {count} rows ({before} before).',
            source.rows,
        )
        return _sentences(
            rows.format(name=source.name, count=number(source.rows), before=number(before.rows)),
            self.imported._described(),
        )


@dataclass(frozen=True)
class RebuildResult:
    """A damaged profile store rebuilt from the sources' files."""

    aside: Path | None  # where the damaged file was kept (None: there was none)
    rebuilt: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (source, why)

    def summary(self) -> str:
        done = ngettext(
            "Rebuilt the profile data: {count} source imported again.",
            "Rebuilt the profile data: {count} sources imported again.",
            len(self.rebuilt),
        ).format(count=number(len(self.rebuilt)))
        texts = [done]
        if self.failed:
            names = ", ".join(f'"{name}"' for name, _why in self.failed)
            texts.append(
                ngettext(
                    "{count} source could not be imported again: {names} (its file is gone or "
                    "unreadable; import it again under the same name to use its segments).",
                    "{count} sources could not be imported again: {names} (their files are gone "
                    "or unreadable; import each again under the same name to use its segments).",
                    len(self.failed),
                ).format(count=number(len(self.failed)), names=names)
            )
        if self.aside:
            texts.append(_("The damaged file is kept as {path}.").format(path=self.aside))
        return _sentences(texts)
