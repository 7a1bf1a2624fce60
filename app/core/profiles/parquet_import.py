"""Parquet through DuckDB's built-in reader, every column cast to text.

Casts follow the rules for Excel cells: a whole number stored as a float reads ``1``, not
``1.0`` (pandas writes integer columns with gaps as floats), and timestamps read as ISO 8601.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from app.core.errors import InputFileError
from app.core.profiles.columns import clean_names, finish_table, refuse_duplicates
from app.core.profiles.duckload import quote_identifier
from app.core.profiles.loading import Loaded
from app.core.profiles.models import ROW_NUMBER_COLUMN, physical_name
from app.core.profiles.target import Target

_FLOATS = ("FLOAT", "DOUBLE", "REAL", "DECIMAL")


def import_parquet(target: Target, path: Path) -> Loaded:
    con = target.con
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise _not_parquet(path, exc) from exc
    names = clean_names([row[0] for row in described])
    refuse_duplicates(path, names)
    casts = ", ".join(
        f"{_as_text(quote_identifier(str(row[0])), str(row[1]))} AS {physical_name(index)}"
        for index, row in enumerate(described)
    )
    sql = (
        f"CREATE TABLE {quote_identifier(target.table)} AS SELECT row_number() OVER () AS "  # noqa: S608
        f"{ROW_NUMBER_COLUMN}, {casts} FROM read_parquet(?)"
    )
    try:
        row = con.execute(sql, [str(path)]).fetchone()
    except duckdb.Error as exc:
        raise _not_parquet(path, exc) from exc
    rows = int(row[0]) if row else 0
    if rows == 0:
        raise InputFileError(f"{path} has no rows; export the data again with its rows.")
    finished = finish_table(con, target.table, path, names, padded=False)
    return Loaded(rows=rows, columns=finished.columns, warnings=finished.warnings)


def _not_parquet(path: Path, exc: duckdb.Error) -> InputFileError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputFileError(f"{path} is not a valid Parquet file ({detail}).")


def _as_text(column: str, type_name: str) -> str:
    if type_name.upper().startswith(_FLOATS):
        number = f"CAST({column} AS DOUBLE)"
        return (
            f"CASE WHEN isfinite({number}) AND {number} = trunc({number}) "
            f"AND abs({number}) < 1e18 THEN CAST(CAST({number} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({column} AS VARCHAR) END"
        )
    if type_name.upper() == "TIMESTAMP":
        return f"replace(CAST({column} AS VARCHAR), ' ', 'T')"
    return f"CAST({column} AS VARCHAR)"
