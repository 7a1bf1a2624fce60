"""Loading a delimited file into its table, with the fallbacks and checks DuckDB needs.

The fast path is one ``read_csv`` (duckload.py). Around it:

- rows with more cells than the header: when every extra cell is empty (trailing delimiters) the
  file is loaded again wider and the unnamed empty columns are left out; otherwise an error names
  the rows;
- a file DuckDB's strict parser refuses but Python's reads (mixed line endings) is rewritten as
  canonical CSV and loaded from that;
- DuckDB 2.0.1 reads an unclosed quote to the end of the file and then drops what it read,
  without an error, so the file is also read in Python: in a thread while DuckDB works (files up
  to 64 MiB, which is nearly every real one), or afterwards when the number of quotes is odd.
  An unclosed quote, or a record count different from DuckDB's, is an error.

``load_exact`` is the same load for a file whose column names come from elsewhere (a Common Data
Model partition): every record must then have exactly as many cells as there are names.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from threading import Event

import duckdb

from app.core import advice
from app.core.errors import InputFileError
from app.core.i18n import _, ngettext, number
from app.core.profiles import csvscan
from app.core.profiles.columns import clean_names, finish_table, refuse_duplicates
from app.core.profiles.database import drop_table
from app.core.profiles.dialect import DelimitedFile
from app.core.profiles.duckload import TooManyCells, Unparsable, load_delimited, quote_identifier
from app.core.profiles.models import ROW_NUMBER_COLUMN, delimiter_label, physical_name
from app.core.profiles.rowlist import numbers

VERIFY_IN_PARALLEL_UP_TO = 64 << 20
_SHOWN = 5


@dataclass(frozen=True)
class Loaded:
    """What a format's importer made of the file (the table itself is in DuckDB)."""

    rows: int
    columns: tuple[str, ...]
    warnings: tuple[str, ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    entity: str | None = None
    partitions: int = 0
    sha256: str | None = None  # when not the digest of the one file imported


def load_checked(
    con: duckdb.DuckDBPyConnection,
    table: str,
    file: DelimitedFile,
    workdir: Path,
    pool: Executor,
    quotes: Callable[[], int | None],
) -> Loaded:
    """Create ``table`` from ``file`` and check it; InputFileError (and no table) if it is bad."""
    names = clean_names(file.dialect.header)
    refuse_duplicates(file.origin, names)
    stop = Event()
    verifying = _start_verification(file, pool, stop)
    try:
        rows, loaded_file, width = _load(con, table, file, len(names), workdir)
        if not loaded_file.trusted:
            _verify(loaded_file, rows, verifying, quotes)
    finally:
        stop.set()
    if rows == 0:
        raise InputFileError(
            _("{path} has a header but no data rows; export the data again with its rows.").format(
                path=file.origin
            )
        )
    names += [""] * (width - len(names))
    finished = finish_table(con, table, file.origin, names, padded=True)
    return Loaded(rows=rows, columns=finished.columns, warnings=finished.warnings)


def load_exact(
    con: duckdb.DuckDBPyConnection,
    table: str,
    file: DelimitedFile,
    workdir: Path,
    pool: Executor,
    quotes: Callable[[], int | None],
) -> int:
    """Create ``table`` from ``file`` (``c1``..``cN`` for its N header names); return its rows.

    InputFileError (and no table) when a record has more or fewer cells than N. No names are
    checked and no warnings made: that is for the caller, once every file is in.
    """
    width = len(file.dialect.header)
    stop = Event()
    verifying = _start_verification(file, pool, stop)
    try:
        rows, loaded_file, _width = _load(con, table, file, width, workdir, exact=True)
        if not loaded_file.trusted:
            _verify(loaded_file, rows, verifying, quotes)
    finally:
        stop.set()
    _refuse_short_rows(con, table, file, width)
    return rows


def _refuse_short_rows(
    con: duckdb.DuckDBPyConnection, table: str, file: DelimitedFile, width: int
) -> None:
    # Only padding is NULL (see duckload.NULL_MARKER), so a NULL last cell is a short record.
    where = f"FROM {quote_identifier(table)} WHERE {physical_name(width - 1)} IS NULL"
    count_row = con.execute(f"SELECT count(*) {where}").fetchone()
    count = int(count_row[0]) if count_row else 0
    if not count:
        return
    first = con.execute(
        f"SELECT {ROW_NUMBER_COLUMN} {where} ORDER BY {ROW_NUMBER_COLUMN} LIMIT {_SHOWN}"
    ).fetchall()
    drop_table(con, table)
    raise InputFileError(
        ngettext(
            "{path}: {count} row has fewer cells than the {width} columns it should have: "
            "row {rows}. The file does not match its description; export the data again.",
            "{path}: {count} rows have fewer cells than the {width} columns they should have: "
            "rows {rows}. The file does not match its description; export the data again.",
            count,
        ).format(
            path=file.origin,
            count=number(count),
            width=number(width),
            rows=numbers([int(row[0]) for row in first], count),
        )
    )


def _start_verification(file: DelimitedFile, pool: Executor, stop: Event) -> Future[int] | None:
    if file.trusted or file.path.stat().st_size > VERIFY_IN_PARALLEL_UP_TO:
        return None
    return pool.submit(csvscan.count_records, file, stop)


def _load(
    con: duckdb.DuckDBPyConnection,
    table: str,
    file: DelimitedFile,
    width: int,
    workdir: Path,
    original: DelimitedFile | None = None,
    *,
    exact: bool = False,
) -> tuple[int, DelimitedFile, int]:
    """Load ``file``; ``original`` is the user's file when ``file`` is a rewritten copy of it.

    ``exact`` refuses records wider than ``width`` instead of widening the table for them.
    """
    try:
        return load_delimited(con, table, file, width), file, width
    except TooManyCells as failure:
        if exact:
            raise _too_wide(original or file, width, failure.line) from failure
        wider = _widen(original or file, width, failure.line)
        return _load(con, table, file, wider, workdir, original)
    except Unparsable as failure:
        if file.trusted:
            if failure.line:
                text = _("{path} cannot be read near line {line}: {reason}.").format(
                    path=file.origin, line=number(failure.line), reason=failure.reason
                )
            else:
                text = _("{path} cannot be read: {reason}.").format(
                    path=file.origin, reason=failure.reason
                )
            raise InputFileError(text) from failure
        rewritten = csvscan.normalize(file, workdir / "normalized.csv")
        return _load(con, table, rewritten, width, workdir, original=file, exact=exact)


def _widen(file: DelimitedFile, width: int, line: int) -> int:
    """The width that holds every record, when the extra cells are all empty; else an error."""
    wide = csvscan.wide_records(file, width)
    spilling = [record for record in wide if record.spills]
    if spilling:
        first = spilling[:_SHOWN]
        raise InputFileError(
            ngettext(
                "{path}: {count} row has more cells than the header ({width}): row {rows} "
                "(file line {lines}). The delimiter may be wrong: it was read as "
                "'{delimiter}'. {advice}",
                "{path}: {count} rows have more cells than the header ({width}): rows {rows} "
                "(file lines {lines}). The delimiter may be wrong: it was read as "
                "'{delimiter}'. {advice}",
                len(spilling),
            ).format(
                path=file.origin,
                count=number(len(spilling)),
                width=number(width),
                rows=numbers([record.record_no for record in first], len(spilling)),
                lines=numbers([record.line_no for record in first], len(spilling)),
                delimiter=delimiter_label(file.dialect.delimiter),
                advice=advice.OTHER_DELIMITER,
            )
        )
    if not wide or max(record.width for record in wide) <= width:
        raise InputFileError(
            _("{path}: line {line} has more cells than the header ({width}). {advice}").format(
                path=file.origin,
                line=number(line),
                width=number(width),
                advice=advice.CHECK_DELIMITER,
            )
        )
    return max(record.width for record in wide)


def _too_wide(file: DelimitedFile, width: int, line: int) -> InputFileError:
    wide = csvscan.wide_records(file, width)
    if not wide:
        return InputFileError(
            _(
                "{path}: line {line} has more cells than the {width} columns it should have; "
                "the file does not match its description. Export the data again."
            ).format(path=file.origin, line=number(line), width=number(width))
        )
    first = wide[:_SHOWN]
    return InputFileError(
        ngettext(
            "{path}: {count} row has more cells than the {width} columns it should have: "
            "row {rows} (file line {lines}). The file does not match its description; export "
            "the data again.",
            "{path}: {count} rows have more cells than the {width} columns they should have: "
            "rows {rows} (file lines {lines}). The file does not match its description; export "
            "the data again.",
            len(wide),
        ).format(
            path=file.origin,
            count=number(len(wide)),
            width=number(width),
            rows=numbers([record.record_no for record in first], len(wide)),
            lines=numbers([record.line_no for record in first], len(wide)),
        )
    )


def _verify(
    file: DelimitedFile, rows: int, verifying: Future[int] | None, quotes: Callable[[], int | None]
) -> None:
    if verifying is not None:
        expected = verifying.result()
    else:
        known = quotes()
        if known is None or known % 2 == 0:
            return
        expected = csvscan.count_records(file)
    if expected != rows:
        raise InputFileError(
            _(
                "{path} could not be read consistently: the number of rows read ({rows}) and "
                "of records found ({records}) differ. Check the file for a stray or unclosed "
                'quote (").'
            ).format(path=file.origin, rows=number(rows), records=number(expected))
        )
