"""Wording for counts and row lists in warnings and errors ("rows 3, 8 and 12 more")."""

from __future__ import annotations

from collections.abc import Sequence


def word(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def count_of(count: int, one: str, many: str) -> str:
    return f"{count:,} {word(count, one, many)}"


def describe_rows(first: Sequence[int], total: int, *, noun: str = "row") -> str:
    """``first`` (a few record numbers, ascending) out of ``total`` records, as words."""
    shown = ", ".join(f"{number:,}" for number in first)
    rest = total - len(first)
    more = f" and {rest:,} more" if rest > 0 else ""
    return f"{word(total, noun, noun + 's')} {shown}{more}"
