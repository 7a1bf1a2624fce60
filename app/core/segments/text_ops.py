"""The text operators: trimmed, case-insensitive, an empty cell equal to nothing but "".

Each is written to equal its definition on ``lower(trim(cell))`` while sparing most cells the
expensive part: DuckDB's ``trim(cell, characters)`` and RE2 are slow on millions of distinct
strings, so an exact cheap test (equality, ILIKE, a byte bound) settles the common cells and a
``CASE`` hands only the rest to the full check. ``lower()`` is DuckDB's on both sides, applied to
the bound value in SQL, so the cell and the value are lower-cased by the same rules.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.segments.fragments import (
    Fragment,
    W,
    ilike,
    may_start_with_space,
    negate,
    param,
    sql,
)
from app.core.segments.values import LIST_SEPARATOR, WHITESPACE, split_in_list

_ALTERNATION_ITEMS = 32


def is_empty(c: str, _value: str = "") -> Fragment:
    return sql(
        f"({c} IS NULL OR {c} = '' OR CASE WHEN ",
        may_start_with_space(c),
        f" THEN regexp_full_match({c}, ",
        param(f"{W}+"),
        ") ELSE false END)",
    )


def not_empty(c: str, _value: str = "") -> Fragment:
    return negate(is_empty(c))


def eq(c: str, value: str) -> Fragment:
    """Equal after trimming, ignoring case; an empty VALUE means "the cell is empty"."""
    if not value:
        return is_empty(c)
    # ILIKE without wildcards is case-insensitive equality; a cell equal to the value only once
    # trimmed contains it, so a second ILIKE picks the few candidates for the full RE2 check.
    return sql(
        "CASE WHEN ",
        ilike(c, value),
        " THEN true WHEN ",
        ilike(c, value, before="%", after="%"),
        " THEN ",
        _padded(c, "regexp_full_match", value, f"{W}*"),
        " ELSE false END",
    )


def ne(c: str, value: str) -> Fragment:
    return negate(eq(c, value))


def contains(c: str, value: str) -> Fragment:
    # A trimmed, non-empty value cannot overlap the cell's surrounding whitespace: no trim needed.
    return sql("coalesce(", ilike(c, value, before="%", after="%"), ", false)")


def not_contains(c: str, value: str) -> Fragment:
    return negate(contains(c, value))


def starts_with(c: str, value: str) -> Fragment:
    return sql(
        "CASE WHEN ",
        ilike(c, value, after="%"),
        " THEN true WHEN ",
        may_start_with_space(c),
        " THEN ",
        _padded(c, "regexp_matches", value, ""),
        " ELSE false END",
    )


def in_list(c: str, value: str) -> Fragment:
    """One of the listed items: one RE2 alternation for a short list, a hash lookup for a long
    one (an alternation of thousands of items is slow, and each item would deepen the SQL)."""
    items = split_in_list(value)
    if len(items) > _ALTERNATION_ITEMS:
        return _in_long_list(c, items)
    alternatives = " || '|' || ".join(["regexp_escape(lower(?))"] * len(items))
    return Fragment(
        f"coalesce(regexp_full_match(lower({c}), ? || {alternatives} || ?), false)",
        (f"{W}*(?:", *items, f"){W}*"),
    )


def _in_long_list(c: str, items: tuple[str, ...]) -> Fragment:
    # DuckDB lower-cases the items as one string, so that no lambda is needed; the separator
    # U+001F is refused inside items by validation.
    lowered = sql(
        "(SELECT unnest(string_split(lower(array_to_string(",
        param(list(items)),
        f", chr({ord(LIST_SEPARATOR)}))), chr({ord(LIST_SEPARATOR)}))))",
    )
    # IN (subquery) becomes a join over every row, so the key is computed once per row: the
    # trimmed cell where it may be padded, the cell as it stands everywhere else.
    key = sql(
        "CASE WHEN ",
        may_start_with_space(c),
        f" OR regexp_matches({c}, ",
        param(f"{W}$"),
        f") THEN lower(trim({c}, ",
        param(WHITESPACE),
        f")) ELSE lower({c}) END",
    )
    return sql("coalesce(", key, " IN ", lowered, ", false)")


def _padded(c: str, function: str, value: str, after: str) -> Fragment:
    """``function(lower(cell), '^W*' value after)``: the value with any leading whitespace."""
    return sql(
        f"{function}(lower({c}), ",
        param(f"^{W}*"),
        " || regexp_escape(lower(",
        param(value),
        ")) || ",
        param(after),
        ")",
    )


TEXT_OPS: dict[str, Callable[[str, str], Fragment]] = {
    "eq": eq,
    "ne": ne,
    "contains": contains,
    "not-contains": not_contains,
    "starts-with": starts_with,
    "in": in_list,
    "is-empty": is_empty,
    "not-empty": not_empty,
}
