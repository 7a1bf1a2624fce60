"""gt ge lt le: as numbers if the VALUE is one, else as dates if it is one, else as text.

A cell that does not read the same way as the value never matches (an empty cell included).

Numbers and dates are read in DuckDB with casts that cannot fail (``try_cast``, ``try_strptime``)
and RE2 patterns, never in Python. Casts are far cheaper than RE2, so the usual cells take a cast
and only the cells a cast cannot settle go through the exact pattern: see ``_number`` and
``cell_date``. Brute-force tests (tests/core/test_segments_reference.py) hold DuckDB's casts to the
assumptions made here.
"""

from __future__ import annotations

from app.core.segments.fragments import (
    NON_ASCII,
    Fragment,
    W,
    cannot_be_numeric,
    ilike,
    may_start_with_space,
    param,
    sql,
)
from app.core.segments.values import (
    NUMBER_PATTERN,
    WHITESPACE,
    parse_date,
    parse_number,
)

SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}

_NUMBER_IN_CELL = f"^{W}*({NUMBER_PATTERN}){W}*$"
_ISO_DATE = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_DOTTED_DATE = "[0-9][0-9].[0-9][0-9].[0-9][0-9][0-9][0-9]"
_DATE_BODY = r"(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{2})\.([0-9]{2})\.([0-9]{4}))"
_DATE_OR_ANYTHING = f"(?s)^(?:{W}*{_DATE_BODY}{W}*|.*)$"
_DATE_AS_ISO = r"\1\6-\2\5-\3\4"  # one form's groups are empty: YYYY-MM-DD, or "--" for no date
_PLAIN_DATE_LENGTH = 10


def compare(c: str, op: str, value: str) -> Fragment:
    symbol = SYMBOLS[op]
    number = parse_number(value)
    if number is not None:
        return _number(c, symbol, number)
    day = parse_date(value)
    if day is not None:
        return sql("coalesce(", cell_date(c), f" {symbol} ", param(day), ", false)")
    return _text(c, symbol, value)


def is_typed(value: str) -> bool:
    """Whether the comparison reads cells as numbers or dates (cheaper than text)."""
    return parse_number(value) is not None or parse_date(value) is not None


def _number(c: str, symbol: str, number: float) -> Fragment:
    """DuckDB's cast first, then the exact pattern on the rows the cast let through.

    For text without non-ASCII characters DuckDB's cast accepts every number of ours (it skips
    the ASCII whitespace, after ``,`` became ``.``) and reads it to the same double, but also
    more (``1e3``, ``nan``, ``1_000``, ``5.``); so a row whose cast passes the comparison is
    confirmed by the pattern, and a row whose cast fails can only be one of ours if it has
    non-ASCII (NBSP-like) padding, which the pattern then reads.
    """
    exact = sql(
        f"try_cast(replace(regexp_extract({c}, ",
        param(_NUMBER_IN_CELL),
        ", 1), ',', '.') AS DOUBLE)",
    )
    return sql(
        "CASE WHEN ",
        cannot_be_numeric(c),
        f" THEN false WHEN try_cast(replace({c}, ',', '.') AS DOUBLE) {symbol} ",
        param(number),
        f" THEN regexp_full_match({c}, ",
        param(_NUMBER_IN_CELL),
        f") WHEN strlen({c}) <> length({c}) THEN coalesce(",
        exact,
        f" {symbol} ",
        param(number),
        ", false) ELSE false END",
    )


def cell_date(c: str) -> Fragment:
    """The cell's date (DATE), or NULL when it is not a date (a date with a time is not one).

    A cell that is exactly ``DDDD-DD-DD`` or ``DD.DD.DDDD`` (GLOB) is cast directly; one that
    may be padded with whitespace is rewritten to ``YYYY-MM-DD`` by one RE2 pass first. Both
    casts refuse impossible dates such as 2024-02-30."""
    return sql(
        "CASE WHEN ",
        cannot_be_numeric(c),
        f" THEN NULL WHEN {c} GLOB ",
        param(_ISO_DATE),
        f" THEN try_cast({c} AS DATE) WHEN {c} GLOB ",
        param(_DOTTED_DATE),
        f" THEN CAST(try_strptime({c}, '%d.%m.%Y') AS DATE) WHEN {c} < ",
        param("0"),
        f" OR {c} >= ",
        param(NON_ASCII),
        f" OR strlen({c}) > {_PLAIN_DATE_LENGTH} THEN try_cast(regexp_replace({c}, ",
        param(_DATE_OR_ANYTHING),
        ", ",
        param(_DATE_AS_ISO),
        ") AS DATE) END",
    )


def _text(c: str, symbol: str, value: str) -> Fragment:
    """Trimmed, lower-cased text order; empty cells never match.

    Most cells have no surrounding whitespace and compare as they stand. Leading whitespace is
    found by byte bounds; trailing whitespace changes the outcome only when the trimmed cell is
    a prefix of the value, so it is looked for (RE2) only in cells that begin like the value.
    Only the cells found get DuckDB's slow ``trim(cell, characters)``.
    """
    return sql(
        f"CASE WHEN {c} IS NULL THEN false WHEN ",
        may_start_with_space(c),
        " OR (",
        ilike(c, value[0], after="%"),
        f" AND regexp_matches({c}, ",
        param(f"{W}$"),
        f")) THEN coalesce(nullif(lower(trim({c}, ",
        param(WHITESPACE),
        f")), '') {symbol} lower(",
        param(value),
        f"), false) ELSE {c} <> '' AND lower({c}) {symbol} lower(",
        param(value),
        ") END",
    )
