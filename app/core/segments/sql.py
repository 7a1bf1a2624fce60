"""Rules compiled into a DuckDB ``WHERE`` clause: fixed SQL text, every value a bound parameter.

The only identifiers that reach the SQL text are the generated physical names (``c1``..``cN``,
``row_no``) and the source's table name, each checked against a strict pattern and quoted. A
column named ``x"; DROP TABLE`` in a customer file therefore never appears in SQL at all, and
neither does any value a user typed: those travel as ``?`` parameters.

The operators themselves are in ``text_ops.py`` and ``comparisons.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.segments.comparisons import SYMBOLS, compare, is_typed
from app.core.segments.days import DAY_OPS, Today, counted_back
from app.core.segments.fragments import Fragment
from app.core.segments.text_ops import TEXT_OPS
from app.core.segments.values import parse_days, trimmed

ROW_NUMBER = "row_no"
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_COLUMN_NAME = re.compile(r"c[1-9][0-9]{0,5}")
# Cheapest first; measured per cell on a 1M-row source.
_COST = {
    "is-empty": 0,
    "not-empty": 0,
    "contains": 1,
    "not-contains": 1,
    "in": 3,
    "within-days": 4,
    "older-than-days": 4,
}

__all__ = [
    "ROW_NUMBER",
    "BoundRule",
    "Fragment",
    "Today",
    "compile_where",
    "quote_column",
    "quote_table",
]


@dataclass(frozen=True)
class BoundRule:
    """A rule resolved against a source: a physical column, a known op, the raw value."""

    column: str
    op: str
    value: str


def quote_table(name: str) -> str:
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(f"unexpected profile table name {name!r}")
    return f'"{name}"'


def quote_column(name: str) -> str:
    if name != ROW_NUMBER and not _COLUMN_NAME.fullmatch(name):
        raise ValueError(f"unexpected physical column name {name!r}")
    return f'"{name}"'


def compile_where(rules: Sequence[BoundRule], match: str, today: Today) -> Fragment:
    """All rules (match all) or any rule (match any); no rules selects every row. ``today`` is
    the day that ``within-days`` and ``older-than-days`` count back from.

    The rules become one CASE chain, cheapest first, so a later rule runs only on the rows the
    earlier ones left undecided (as separate conjuncts DuckDB may push each into the scan and
    run it over every row). Every rule fragment is true or false, never NULL, which the chain
    relies on.
    """
    if not rules:
        return Fragment("true")
    parts = [compile_rule(rule, today) for rule in sorted(rules, key=_cost)]
    if len(parts) == 1:
        return parts[0]
    params = tuple(param for part in parts for param in part.params)
    if match == "all":
        whens = " ".join(f"WHEN NOT ({part.sql}) THEN false" for part in parts)
        return Fragment(f"CASE {whens} ELSE true END", params)
    whens = " ".join(f"WHEN {part.sql} THEN true" for part in parts)
    return Fragment(f"CASE {whens} ELSE false END", params)


def compile_rule(rule: BoundRule, today: Today) -> Fragment:
    column = quote_column(rule.column)
    value = trimmed(rule.value)
    if rule.op in SYMBOLS:
        return compare(column, rule.op, value)
    if rule.op in DAY_OPS:
        days = parse_days(value)
        if days is None:
            raise ValueError(f"unchecked number of days {value!r}")
        return counted_back(column, rule.op, days, today)
    return TEXT_OPS[rule.op](column, value)


def _cost(rule: BoundRule) -> int:
    if rule.op in SYMBOLS:
        return 4 if is_typed(rule.value) else 5
    return _COST.get(rule.op, 2)
