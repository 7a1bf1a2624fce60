"""The fast path: DuckDB's ``read_csv`` with every option explicit, straight into the table.

Nothing is left to DuckDB's sniffer (see dialect.py). ``parallel=false`` is required for quoted
newlines together with ``null_padding`` (DuckDB refuses the combination otherwise), and costs
nothing here because numbering the rows in file order serialises the scan anyway.

Empty cells: with ``nullstr`` set to a marker no file contains, a real empty field reads as ''
and only the padding of a short row is NULL, so short rows can be found in SQL afterwards.
"""

from __future__ import annotations

import re

import duckdb

from app.core.profiles.dialect import MAX_RECORD_BYTES, DelimitedFile
from app.core.profiles.models import ROW_NUMBER_COLUMN, physical_name

NULL_MARKER = "\x01\x02"
_LINE = re.compile(r"CSV Error on Line: (\d+)")


class LoadFailure(Exception):
    """DuckDB refused the file; the subclasses say why, ``line`` says where (0 = unknown)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class NotUtf8(LoadFailure):
    pass


class TooManyCells(LoadFailure):
    pass


class Unparsable(LoadFailure):
    pass


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns_literal(width: int) -> str:
    # Only generated names (c1..cN) reach this SQL text, never a name from the file.
    inner = ", ".join(f"'{physical_name(i)}': 'VARCHAR'" for i in range(width))
    return "{" + inner + "}"


def load_delimited(
    con: duckdb.DuckDBPyConnection, table: str, file: DelimitedFile, width: int
) -> int:
    """Create ``table`` (row_no, c1..c{width}) from ``file``; return its number of rows."""
    sql = (
        f"CREATE TABLE {quote_identifier(table)} AS "  # noqa: S608 (generated names only)
        f"SELECT row_number() OVER () AS {ROW_NUMBER_COLUMN}, * FROM read_csv(?, "
        "auto_detect = false, header = ?, delim = ?, quote = ?, escape = ?, "
        "skip = ?, null_padding = true, parallel = false, nullstr = ?, max_line_size = ?, "
        f"columns = {_columns_literal(width)})"
    )
    dialect = file.dialect
    quote = '"' if dialect.quoting else ""
    parameters = [
        str(file.path),
        dialect.header_line,
        dialect.delimiter,
        quote,
        quote,
        dialect.skip_lines,
        NULL_MARKER,
        MAX_RECORD_BYTES,
    ]
    try:
        row = con.execute(sql, parameters).fetchone()
    except duckdb.InvalidInputException as exc:
        raise _classify(str(exc)) from exc
    return int(row[0]) if row else 0


def _classify(message: str) -> LoadFailure:
    match = _LINE.search(message)
    line = int(match.group(1)) if match else 0
    if "Invalid unicode" in message:
        return NotUtf8(line, "not valid UTF-8")
    if "Expected Number of Columns" in message:
        return TooManyCells(line, "more cells than the header")
    return Unparsable(line, _reason(message))


def _reason(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith("Original Line:") and index + 1 < len(lines):
            return lines[index + 1].rstrip(".")
    first = lines[0] if lines else message
    return first.removeprefix("Invalid Input Error:").strip().rstrip(".")
