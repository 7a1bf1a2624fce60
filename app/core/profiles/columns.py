"""Column names from the header, and the checks that need the loaded table.

Duplicate names are refused before anything is loaded. A column without a name is decided by its
cells once they are in DuckDB: left out when it is empty everywhere (a trailing delimiter, common
in Excel exports), named ``column_N`` when it holds data. The table keeps ``c1``..``cN`` for the
columns that remain, in file order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from app.core.errors import InputFileError
from app.core.i18n import _, ngettext, number
from app.core.profiles.duckload import quote_identifier
from app.core.profiles.models import ROW_NUMBER_COLUMN, physical_name
from app.core.profiles.rowlist import numbers

_EMAIL_NAME = re.compile(r"e-?mail|e-?post", re.IGNORECASE)
_EMAIL_LIKE = "%_@_%._%"
_PROBE_ROWS = 1000
_SHOWN = 5


@dataclass(frozen=True)
class Finished:
    columns: tuple[str, ...]
    warnings: tuple[str, ...]


def clean_names(raw: Sequence[object]) -> list[str]:
    """Header cells as column names: surrounding whitespace (and a stray BOM) removed."""
    return [str(cell).replace("\ufeff", "").strip() for cell in raw]


def refuse_duplicates(path: Path, names: Sequence[str]) -> None:
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        if name:
            positions.setdefault(name.casefold(), []).append(position)
    clashes = [
        _('"{name}" (columns {numbers})').format(
            name=names[found[0] - 1], numbers=numbers(found, len(found))
        )
        for found in positions.values()
        if len(found) > 1
    ]
    if clashes:
        raise InputFileError(
            _(
                "{path}: column names must be unique (ignoring case), but these repeat: "
                "{clashes}. Rename them in the file and import again."
            ).format(path=path, clashes="; ".join(clashes))
        )


def finish_table(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, names: Sequence[str], *, padded: bool
) -> Finished:
    """Resolve unnamed columns, report padded short rows and a missing email column."""
    warnings: list[str] = []
    final = _name_blank_columns(con, table, names, warnings)
    kept = [index for index, name in enumerate(final) if name is not None]
    if not kept:
        raise InputFileError(
            _("{path} has no columns with a name or data; check the header line.").format(path=path)
        )
    if padded:
        warnings.extend(_short_rows(con, table, kept[-1]))
    columns = tuple(name for name in final if name is not None)
    if not _has_email_column(con, table, columns, kept):
        warnings.append(
            _(
                "No column looks like it holds email addresses; the export will need its Email "
                "field mapped to the column that does."
            )
        )
    _compact(con, table, len(final), kept)
    return Finished(columns=columns, warnings=tuple(warnings))


def _name_blank_columns(
    con: duckdb.DuckDBPyConnection, table: str, names: Sequence[str], warnings: list[str]
) -> list[str | None]:
    blanks = [index for index, name in enumerate(names) if not name]
    if not blanks:
        return list(names)
    probes = ", ".join(f"bool_or(trim({physical_name(i)}) <> '')" for i in blanks)
    row = con.execute(f"SELECT {probes} FROM {quote_identifier(table)}").fetchone()  # noqa: S608
    has_data = [bool(value) for value in (row or [None] * len(blanks))]
    final: list[str | None] = list(names)
    taken = {name.casefold() for name in names if name}
    dropped: list[int] = []
    renamed: list[tuple[int, str]] = []
    for index, filled in zip(blanks, has_data, strict=True):
        if filled:
            final[index] = _free_name(f"column_{index + 1}", taken)
            renamed.append((index + 1, f'"{final[index]}"'))
        else:
            final[index] = None
            dropped.append(index + 1)
    if dropped:
        warnings.append(
            ngettext(
                "Column {columns} has no name and no data; left out.",
                "Columns {columns} have no name and no data; left out.",
                len(dropped),
            ).format(columns=numbers(dropped, len(dropped)))
        )
    if renamed:
        warnings.append(
            ngettext(
                "Column {columns} has no name; it was named {names}.",
                "Columns {columns} have no name; they were named {names}.",
                len(renamed),
            ).format(
                columns=numbers([n for n, _new in renamed], len(renamed)),
                names=", ".join(new for _n, new in renamed),
            )
        )
    return final


def _free_name(wanted: str, taken: set[str]) -> str:
    name, suffix = wanted, 2
    while name.casefold() in taken:
        name, suffix = f"{wanted}_{suffix}", suffix + 1
    taken.add(name.casefold())
    return name


def _short_rows(con: duckdb.DuckDBPyConnection, table: str, last: int) -> list[str]:
    # Only padding is NULL (see duckload.NULL_MARKER), so a NULL last column is a short row.
    where = f"FROM {quote_identifier(table)} WHERE {physical_name(last)} IS NULL"
    count_row = con.execute(f"SELECT count(*) {where}").fetchone()
    count = int(count_row[0]) if count_row else 0
    if not count:
        return []
    first = con.execute(
        f"SELECT {ROW_NUMBER_COLUMN} {where} ORDER BY {ROW_NUMBER_COLUMN} LIMIT {_SHOWN}"
    ).fetchall()
    rows = numbers([int(r[0]) for r in first], count)
    return [
        ngettext(
            "{count} row has fewer cells than the header and was padded with empty cells: "
            "row {rows}.",
            "{count} rows have fewer cells than the header and were padded with empty cells: "
            "rows {rows}.",
            count,
        ).format(count=number(count), rows=rows)
    ]


def _has_email_column(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], kept: Sequence[int]
) -> bool:
    if any(_EMAIL_NAME.search(name) for name in columns):
        return True
    probes = ", ".join(
        f"count(*) FILTER (WHERE {c} LIKE '{_EMAIL_LIKE}'), count(*) FILTER (WHERE trim({c}) <> '')"
        for c in map(physical_name, kept)
    )
    sample = f"(SELECT * FROM {quote_identifier(table)} LIMIT {_PROBE_ROWS})"  # noqa: S608
    row = con.execute(f"SELECT {probes} FROM {sample}").fetchone() or ()  # noqa: S608
    pairs = zip(row[0::2], row[1::2], strict=True)
    return any(filled and emails * 2 >= filled for emails, filled in pairs)


def _compact(con: duckdb.DuckDBPyConnection, table: str, width: int, kept: Sequence[int]) -> None:
    """Drop left-out columns and renumber the rest so they are ``c1``..``cN`` again."""
    quoted = quote_identifier(table)
    for index in sorted(set(range(width)) - set(kept), reverse=True):
        con.execute(f"ALTER TABLE {quoted} DROP COLUMN {physical_name(index)}")
    for new, old in enumerate(kept):
        if new != old:
            con.execute(
                f"ALTER TABLE {quoted} RENAME COLUMN {physical_name(old)} TO {physical_name(new)}"
            )
