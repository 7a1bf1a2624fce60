"""Numbers and names listed in warnings and errors: the first few, and how many more there are.

The sentence around a list says what is listed ("rows", "entities") and how many, in the
language's own plural; these give only the list itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.i18n import number


def numbers(first: Sequence[int], total: int) -> str:
    """``first`` (a few record or line numbers, ascending) out of ``total``: "3, 8, 12", or
    "3, 8, 12, …" when there are more than those."""
    shown = ", ".join(number(value) for value in first)
    return f"{shown}, \u2026" if total > len(first) else shown
