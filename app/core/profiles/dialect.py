"""Which of the four delimiters a text file uses, and its header.

DuckDB's own sniffer misreads some real files (a BOM, ``;``, CRLF, a quoted newline and a short
row together defeat it), so the dialect is decided here and handed to DuckDB explicitly. The
test is the one a person would make: split the first records with each candidate and keep the
one that gives a header of several columns that the rows below agree with.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InputFileError, UsageError
from app.core.i18n import _
from app.core.profiles.encoding import TextSample

DELIMITERS = (",", ";", "\t", "|")
# The longest record (and so value) a file may have: far beyond any real profile, and a bound
# on what one record may cost in memory. Python's csv module stops at 128 KiB by default and
# DuckDB at 2 MiB; both are given this instead (a long note or an HTML snippet in one cell is
# a valid CSV).
MAX_RECORD_BYTES = 64 << 20
csv.field_size_limit(MAX_RECORD_BYTES)
_SNIFF_RECORDS = 200
# Excel writes and honours a first line "sep=;" naming the delimiter.
_SEP_LINE = re.compile(r"sep=(.)(\r\n|\n|\r|$)")


@dataclass(frozen=True)
class Dialect:
    """How to split a file into records: ``header`` names the columns.

    ``header_line`` says whether the file's first record is that header (a Common Data Model
    partition has none: its names come from model.json); ``quoting`` is False for files in which
    ``"`` is an ordinary character.
    """

    delimiter: str
    skip_lines: int
    header: tuple[str, ...]
    header_line: bool = True
    quoting: bool = True


def check_delimiter(delimiter: str | None) -> str | None:
    if delimiter is not None and delimiter not in DELIMITERS:
        raise UsageError(
            _("Unsupported delimiter {delimiter}; use one of , ; | or tab.").format(
                delimiter=repr(delimiter)
            )
        )
    return delimiter


def detect_dialect(path: Path, sample: TextSample, forced: str | None) -> Dialect:
    """The delimiter (``forced``, Excel's ``sep=`` line, or sniffed) and the header record."""
    text, hinted = _without_sep_line(sample.text)
    delimiter = forced or hinted or _sniff(text, sample.complete)
    header = next(_records(text, delimiter, complete=True), None)
    if not header:
        raise InputFileError(
            _("{path} has no header line; the first line must name the columns.").format(path=path)
        )
    return Dialect(delimiter=delimiter, skip_lines=1 if hinted else 0, header=header)


def _without_sep_line(text: str) -> tuple[str, str | None]:
    match = _SEP_LINE.match(text)
    if match is None or match.group(1) not in DELIMITERS:
        return text, None
    return text[match.end() :], match.group(1)


def _sniff(text: str, complete: bool) -> str:
    # max() keeps the first of equal scores, so ties go to the more common delimiter.
    return max(DELIMITERS, key=lambda delimiter: _score(text, delimiter, complete))


def _score(text: str, delimiter: str, complete: bool) -> tuple[bool, float, int]:
    widths = [len(record) for record in _records(text, delimiter, complete=complete)]
    if not widths:
        return (False, 0.0, 0)
    header, body = widths[0], widths[1:]
    if not body:
        return (header > 1, 1.0, header)
    agree = sum(width == header for width in body) - sum(width > header for width in body)
    return (header > 1, agree / len(body), header)


def _records(text: str, delimiter: str, *, complete: bool) -> Iterator[tuple[str, ...]]:
    """The first non-blank records; the last one is dropped when the sample was cut short."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous: tuple[str, ...] | None = None
    count = 0
    try:
        for record in reader:
            if not record:
                continue
            if previous is not None:
                yield previous
            previous, count = tuple(record), count + 1
            if count > _SNIFF_RECORDS:
                return
    except csv.Error:
        return
    if previous is not None and (complete or count == 1):
        yield previous


@dataclass(frozen=True)
class DelimitedFile:
    """A UTF-8 delimited text file as DuckDB will read it, with its dialect.

    ``path`` is the user's file itself or a UTF-8 copy of it; ``origin`` names the user's file in
    messages. ``quotes`` counts the ``"`` in ``path`` when known. ``trusted`` files were written
    by this program and are well-formed by construction.
    """

    path: Path
    origin: Path
    dialect: Dialect
    quotes: int | None = None
    trusted: bool = False
