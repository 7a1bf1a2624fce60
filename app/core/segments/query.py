"""Running a compiled segment against its profile table in DuckDB.

Every call opens its own short read-only connection, so the window never holds the profile
database and a ``source import`` from the command line can run beside it. That includes
streaming: instead of one cursor held for a whole export (minutes at Autopilot's rate limit),
members are read in windows of row numbers, each with a fresh connection. Windows are keyed on
``row_no`` (imports write tables in that order, so DuckDB skips the row groups outside a window)
and widen while a sparse segment returns little, so a scan stays linear in the table size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from app.core.errors import NotFoundError
from app.core.i18n import _
from app.core.segments.models import Member
from app.core.segments.ports import ProfileReader, SourceInfo
from app.core.segments.sql import ROW_NUMBER, Fragment, quote_column, quote_table

_MAX_WINDOW = 1 << 20


@dataclass(frozen=True)
class Plan:
    """A segment ready to run: its source and its WHERE clause."""

    source: SourceInfo
    where: Fragment


@dataclass(frozen=True)
class Columns:
    """Which cells to read: names as the user sees them and their physical names."""

    names: tuple[str, ...]
    physical: tuple[str, ...]

    @classmethod
    def of(cls, source: SourceInfo, names: Sequence[str]) -> Columns:
        return cls(tuple(names), tuple(source.physical_column(name) for name in names))

    def select_list(self) -> str:
        return ", ".join(quote_column(name) for name in (ROW_NUMBER, *self.physical))

    def member(self, row: Sequence[Any]) -> Member:
        cells = ("" if cell is None else str(cell) for cell in row[1:])
        return Member(int(row[0]), dict(zip(self.names, cells, strict=True)))


def count(profiles: ProfileReader, plan: Plan) -> int:
    sql = _statement("count(*)", plan, plan.where.sql)
    rows = _fetch(profiles, plan.source, sql, plan.where.params)
    return int(rows[0][0])


def first_members(
    profiles: ProfileReader, plan: Plan, columns: Columns, limit: int
) -> list[Member]:
    sql = _statement(columns.select_list(), plan, plan.where.sql, f" ORDER BY {ROW_NUMBER} LIMIT ?")
    rows = _fetch(profiles, plan.source, sql, (*plan.where.params, limit))
    return [columns.member(row) for row in rows]


def stream_members(
    profiles: ProfileReader,
    plan: Plan,
    columns: Columns,
    chunk_size: int,
    verify: Callable[[], None],
) -> Iterator[Member]:
    """Members in row order, at most ``chunk_size`` rows in memory; ``verify`` runs between
    windows and raises when the source changed under the reader."""
    window_and_rules = f"{ROW_NUMBER} > ? AND {ROW_NUMBER} <= ? AND ({plan.where.sql})"
    sql = _statement(
        columns.select_list(), plan, window_and_rules, f" ORDER BY {ROW_NUMBER} LIMIT ?"
    )
    after, window = 0, chunk_size
    while after < plan.source.rows:
        if after:
            verify()
        params = (after, after + window, *plan.where.params, chunk_size)
        rows = _fetch(profiles, plan.source, sql, params)
        yield from (columns.member(row) for row in rows)
        if len(rows) == chunk_size:
            after = int(rows[-1][0])
        else:
            after += window
            window = min(window * 2, _MAX_WINDOW)


def _statement(select: str, plan: Plan, condition: str, tail: str = "") -> str:
    # Formatted in: fixed SQL from this package and generated identifiers, checked and quoted.
    # Every value, and so every piece of user text, is a bound parameter.
    table = quote_table(plan.source.table_name)
    return f"SELECT {select} FROM {table} WHERE {condition}{tail}"  # noqa: S608


def _fetch(
    profiles: ProfileReader, source: SourceInfo, sql: str, params: Sequence[object]
) -> list[tuple[Any, ...]]:
    try:
        with profiles.connect(read_only=True) as con:
            rows: list[tuple[Any, ...]] = con.execute(sql, list(params)).fetchall()
            return rows
    except duckdb.CatalogException as exc:
        raise NotFoundError(
            _(
                "The data of source '{name}' is gone (removed or re-imported meanwhile); try again."
            ).format(name=source.name)
        ) from exc
