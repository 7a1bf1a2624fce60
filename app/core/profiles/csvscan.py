"""Reading a delimited file record by record in Python: the careful (slower) second opinion.

DuckDB does the import; these scans answer what it cannot say well: which records have too many
cells, whether a quote is left open (DuckDB 2.0.1 silently drops the rest of the file then), and a
canonical rewrite of files its strict parser refuses but that are valid CSV (mixed line endings).
Both parsers skip blank lines, so record numbers agree: 1 is the first record after the header.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from app.core.errors import InputFileError
from app.core.i18n import _, number
from app.core.profiles.dialect import DelimitedFile

_STOP_CHECK_EVERY = 10_000
_AFTER_QUOTE = "expected after"


@dataclass(frozen=True)
class WideRecord:
    """A record with more cells than the header; ``spills`` when the extra cells hold data."""

    record_no: int
    line_no: int
    width: int
    spills: bool


def _open(file: DelimitedFile) -> TextIO:
    handle = file.path.open("r", encoding="utf-8-sig", newline="")
    for _skipped in range(file.dialect.skip_lines):
        handle.readline()
    return handle


def _records(
    file: DelimitedFile, handle: TextIO, *, lenient: bool = False
) -> Iterator[tuple[int, int, list[str]]]:
    """(record number, line where it starts, cells) for every data record, strictly parsed.

    ``lenient`` counts a record with text after a closing quote (``"Ola" ,``, which DuckDB
    reads, trimming the space) instead of refusing it; its cells are then not known ([]).
    """
    reader = csv.reader(
        handle,
        delimiter=file.dialect.delimiter,
        quoting=csv.QUOTE_MINIMAL if file.dialect.quoting else csv.QUOTE_NONE,
        strict=True,
    )
    skipped = file.dialect.skip_lines
    record_no = 0
    header_seen = not file.dialect.header_line
    while True:
        start = reader.line_num + 1 + skipped
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if not (lenient and header_seen and _AFTER_QUOTE in str(exc)):
                raise _parse_error(file, exc, start, reader.line_num + skipped) from exc
            cells = []
            record_no += 1
            yield record_no, start, cells
            continue
        if not cells:
            continue
        if not header_seen:
            header_seen = True
            continue
        record_no += 1
        yield record_no, start, cells


def _parse_error(file: DelimitedFile, exc: csv.Error, start: int, line: int) -> InputFileError:
    reason = str(exc)
    where = file.origin
    if "unexpected end of data" in reason:
        return InputFileError(
            _(
                "{path}: the quoted value starting on line {line} is never closed; add the "
                'missing " or remove the stray one.'
            ).format(path=where, line=number(start))
        )
    if _AFTER_QUOTE in reason:
        return InputFileError(
            _(
                "{path}: line {line} has text right after a closing quote; quote the whole "
                'value and double any " inside it.'
            ).format(path=where, line=number(line))
        )
    if "field larger than field limit" in reason:
        return InputFileError(
            _(
                "{path}: line {line} has a value longer than {limit} characters, the most one "
                "value may have; check that line for an unclosed quote, or shorten the value."
            ).format(path=where, line=number(line), limit=number(csv.field_size_limit()))
        )
    return InputFileError(
        _("{path}: line {line} cannot be read ({reason}).").format(
            path=where, line=number(line), reason=reason
        )
    )


def count_records(file: DelimitedFile, stop: threading.Event | None = None) -> int:
    """The number of data records (-1 when stopped early); InputFileError for a quote left open.

    DuckDB 2.0.1 reads an unclosed quote to the end of the file and then drops that value or
    its whole record without an error; this count is how such a file is caught.
    """
    count = 0
    with _open(file) as handle:
        for count, _line, _cells in _records(file, handle, lenient=True):
            if stop is not None and count % _STOP_CHECK_EVERY == 0 and stop.is_set():
                return -1
    return count


def wide_records(file: DelimitedFile, width: int) -> list[WideRecord]:
    """Every record with more than ``width`` cells."""
    found: list[WideRecord] = []
    with _open(file) as handle:
        for record_no, line_no, cells in _records(file, handle):
            if len(cells) > width:
                spills = any(cell.strip() for cell in cells[width:])
                found.append(WideRecord(record_no, line_no, len(cells), spills))
    return found


def normalize(file: DelimitedFile, dest: Path) -> DelimitedFile:
    """Rewrite ``file`` as canonical CSV (same cells, ``\\n`` line ends) that DuckDB accepts."""
    delimiter = file.dialect.delimiter
    with _open(file) as handle, dest.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, delimiter=delimiter, lineterminator="\n")
        writer.writerow(file.dialect.header)
        for _record, _line, cells in _records(file, handle):
            writer.writerow(cells)
    dialect = replace(file.dialect, skip_lines=0, header_line=True, quoting=True)
    return replace(file, path=dest, dialect=dialect, quotes=None, trusted=True)
