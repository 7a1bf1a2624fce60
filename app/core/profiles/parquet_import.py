"""Parquet through DuckDB's built-in reader, every column cast to text.

Casts follow the rules for Excel cells: a whole number stored as a float reads ``1``, not
``1.0`` (pandas writes integer columns with gaps as floats), and timestamps read as ISO 8601.

Nested columns (struct, list, map) are kept as one column each, as JSON text
(``{"city":"Oslo"}``, not DuckDB's ``{'city': Oslo}``), with a warning naming them. Flattening
them into new columns would give the source columns the file does not have, which segments,
mappings and refreshes would then depend on; JSON is exact, and a person can read it. To map a
part of one (the city alone), flatten it where the file is made.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from app.core.errors import InputFileError
from app.core.i18n import _, ngettext
from app.core.profiles.columns import clean_names, finish_table, refuse_duplicates
from app.core.profiles.duckload import quote_identifier
from app.core.profiles.loading import Loaded
from app.core.profiles.models import ROW_NUMBER_COLUMN, physical_name
from app.core.profiles.target import Target

_FLOATS = ("FLOAT", "DOUBLE", "REAL", "DECIMAL")
_NESTED = ("STRUCT", "MAP", "UNION")


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
        raise InputFileError(
            _("{path} has no rows; export the data again with its rows.").format(path=path)
        )
    finished = finish_table(con, target.table, path, names, padded=False)
    nested = [name for name, row in zip(names, described, strict=True) if _is_nested(str(row[1]))]
    warnings = finished.warnings + ((_nested_warning(nested),) if nested else ())
    return Loaded(rows=rows, columns=finished.columns, warnings=warnings)


def _is_nested(type_name: str) -> bool:
    upper = type_name.upper()
    return upper.startswith(_NESTED) or upper.endswith("]")  # INTEGER[], VARCHAR[3]


def _nested_warning(columns: list[str]) -> str:
    return ngettext(
        "The column {columns} holds nested values (a struct, list or map); they are kept as "
        "JSON text such as {example}. To send a part of them, flatten the column where the file "
        "is made.",
        "The columns {columns} hold nested values (structs, lists or maps); they are kept as "
        "JSON text such as {example}. To send a part of them, flatten the columns where the "
        "file is made.",
        len(columns),
    ).format(columns=", ".join(f"'{c}'" for c in columns), example='{"city":"Oslo"}')


def _not_parquet(path: Path, exc: duckdb.Error) -> InputFileError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputFileError(
        _("{path} is not a valid Parquet file ({reason}).").format(path=path, reason=detail)
    )


def _as_text(column: str, type_name: str) -> str:
    if type_name.upper().startswith(_FLOATS):
        number = f"CAST({column} AS DOUBLE)"
        return (
            f"CASE WHEN isfinite({number}) AND {number} = trunc({number}) "
            f"AND abs({number}) < 1e18 THEN CAST(CAST({number} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({column} AS VARCHAR) END"
        )
    if _is_nested(type_name):
        return f"CAST(to_json({column}) AS VARCHAR)"
    if type_name.upper() == "TIMESTAMP":
        return f"replace(CAST({column} AS VARCHAR), ' ', 'T')"
    return f"CAST({column} AS VARCHAR)"
