"""within-days and older-than-days: rules counted back from a day, so a segment moves with the
calendar.

``within-days N`` keeps the cells whose day is from N days before ``today`` up to ``today``
(0: today only); ``older-than-days N`` the cells whose day is before that. A later day matches
neither, nor does an empty cell or one that is not a date.

A cell's day: a date (``YYYY-MM-DD``, ``DD.MM.YYYY``, read as ``gt`` reads dates) is that day;
a date and time (ISO 8601, ``values.DATE_TIME_PATTERN``) without an offset is the day as
written, whatever the time; one with ``Z`` or an offset names a moment, and its day is the local
day of that moment. So the moments are compared with the moments the local days begin,
computed in Python (time zones, daylight saving time) and bound as UTC timestamps: DuckDB
needs no time zone. Days begin on a whole second, so a fraction of a second never moves a cell
across midnight and is not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.core.segments.comparisons import cell_date
from app.core.segments.fragments import Fragment, W, param, sql
from app.core.segments.values import DATE_TIME_PATTERN

DAY_OPS: tuple[str, ...] = ("within-days", "older-than-days")

# A cell with a time has two digits, a colon and two digits; a date alone never has.
_HAS_TIME = "*[0-9][0-9]:[0-9][0-9]*"
_PARTS = ("day", "hour", "minute", "second", "zulu", "sign", "offset_hours", "offset_minutes")


@dataclass(frozen=True)
class Today:
    """The day rules count back from, and when a local day begins (an aware moment)."""

    day: date
    start_of_day: Callable[[date], datetime]

    def utc_start(self, day: date) -> datetime:
        """The moment ``day`` begins locally, as a naive UTC timestamp for DuckDB."""
        return self.start_of_day(day).astimezone(UTC).replace(tzinfo=None)


def counted_back(c: str, op: str, days: int, today: Today) -> Fragment:
    first = today.day - timedelta(days=days)
    since = today.utc_start(first)
    if op == "within-days":
        until = today.utc_start(today.day + timedelta(days=1))
        on_day = _between(first, today.day)
        at = _from_until(since, until)
    else:
        on_day = _before(first)
        at = _before(since)
    return sql(
        f"CASE WHEN {c} GLOB ",
        param(_HAS_TIME),
        " THEN ",
        _moment(c, on_day, at),
        " ELSE coalesce(",
        on_day(cell_date(c)),
        ", false) END",
    )


Test = Callable[[Fragment], Fragment]


def _between(first: object, last: object) -> Test:
    return lambda x: sql(x, " BETWEEN ", param(first), " AND ", param(last))


def _from_until(since: object, until: object) -> Test:
    return lambda x: sql(x, " >= ", param(since), " AND ", x, " < ", param(until))


def _before(bound: object) -> Test:
    return lambda x: sql(x, " < ", param(bound))


def _moment(c: str, on_day: Test, at: Test) -> Fragment:
    """A date and time: its day as written, or (with Z or an offset) the moment it names.

    One RE2 pass splits the cell into its parts (all '' when it is not a date and time); the
    expression repeats it, and DuckDB computes such common subexpressions once.
    """
    names = ", ".join(f"'{name}'" for name in _PARTS)
    parts = sql(f"regexp_extract({c}, ", param(f"^{W}*{DATE_TIME_PATTERN}{W}*$"), f", [{names}])")

    def part(name: str) -> Fragment:
        return sql("struct_extract(", parts, f", '{name}')")

    def number(name: str) -> Fragment:
        return sql("coalesce(try_cast(nullif(", part(name), ", '') AS INTEGER), 0)")

    offset = sql(
        "CASE WHEN ", part("sign"), " = '-' THEN -1 ELSE 1 END * (",
        number("offset_hours"), " * 3600 + ", number("offset_minutes"), " * 60)",
    )  # fmt: skip
    seconds = sql(
        number("hour"), " * 3600 + ", number("minute"), " * 60 + ", number("second"), " - ", offset
    )
    moment = sql(
        "try_cast(", part("day"), " AS TIMESTAMP) + to_seconds(CAST(", seconds, " AS BIGINT))"
    )
    day = sql("try_cast(", part("day"), " AS DATE)")
    return sql(
        "coalesce(CASE WHEN ", part("day"), " = '' THEN false WHEN ",
        part("zulu"), " = '' AND ", part("sign"), " = '' THEN ", on_day(day),
        " ELSE ", at(moment), " END, false)",
    )  # fmt: skip
