"""Messy customer files, written at test time, and a look at the profile store from outside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from app.core.profiles import ProfileStore
from app.core.store import StateStore

Rows = Sequence[Sequence[object]]


def make_store(home: Path) -> ProfileStore:
    """A profile store in ``home/data``, as the application lays it out."""
    data = home / "data"
    return ProfileStore(data / "profiles.duckdb", StateStore(data / "state.sqlite3"))


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Exactly ``text`` (line endings included) in ``encoding``; a BOM only if asked for."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def delimited(rows: Rows, delimiter: str = ",", newline: str = "\n") -> str:
    """Rows as delimited text, quoting only cells that need it (as Excel does)."""
    lines = []
    for row in rows:
        cells = []
        for cell in map(str, row):
            needs_quotes = any(c in cell for c in (delimiter, '"', "\n", "\r"))
            cells.append('"' + cell.replace('"', '""') + '"' if needs_quotes else cell)
        lines.append(delimiter.join(cells))
    return newline.join(lines) + newline


def sniffer_breaker() -> str:
    """What defeats DuckDB's sniffer: BOM, ``;``, CRLF, a quoted newline and a short row."""
    return (
        "\ufeffKundenr;Navn;E-post;Postnr\r\n"
        '1;"Nordmann,\r\nOla";ola@example.no;0150\r\n'
        "2;Kari;kari@example.no\r\n"
        '3;"Hansen; Per";per@example.no;0001\r\n'
    )


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_xls(path: Path, rows: Rows, sheet: str = "Sheet1") -> Path:
    import xlwt

    workbook = xlwt.Workbook()
    target = workbook.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                target.write(r, c, value, date_style)
            elif value is not None:
                target.write(r, c, value)
    workbook.save(str(path))
    return path


def write_parquet(path: Path, select_sql: str) -> Path:
    """A Parquet file holding the result of ``select_sql`` (DuckDB's built-in writer)."""
    with duckdb.connect() as con:
        con.execute(f"COPY ({select_sql}) TO '{path}' (FORMAT parquet)")
    return path


@dataclass(frozen=True)
class Snapshot:
    """Everything an import may change: metadata, DuckDB tables and their rows, scratch files."""

    sources: tuple[tuple[object, ...], ...]
    tables: dict[str, list[tuple[object, ...]]]
    scratch: tuple[str, ...]


def snapshot(store: ProfileStore) -> Snapshot:
    sources = tuple(
        (s.name, s.table_name, s.rows, s.columns, s.sha256) for s in store.list_sources()
    )
    tables: dict[str, list[tuple[object, ...]]] = {}
    with store.connect() as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for name in names:
            sql = f'SELECT * FROM "{name}" ORDER BY row_no'  # noqa: S608 (generated names)
            tables[name] = con.execute(sql).fetchall()
    scratch = tuple(sorted(p.name for p in store.db_path.parent.glob(".import-*")))
    return Snapshot(sources=sources, tables=tables, scratch=scratch)


def table_rows(store: ProfileStore, name: str) -> list[tuple[object, ...]]:
    """The stored rows of source ``name``: (row_no, c1, ..., cN), in order."""
    source = store.get_source(name)
    with store.connect() as con:
        sql = f'SELECT * FROM "{source.table_name}" ORDER BY row_no'  # noqa: S608 (generated name)
        return con.execute(sql).fetchall()
