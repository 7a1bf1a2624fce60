"""Suggesting a mapping from a source's column names (and, for Email, its contents).

Only suggestions: the user sees them and can change every one. The consent target and custom
fields are never suggested, because sending ``unsubscribed`` must be the user's explicit choice
and a custom field's type is theirs to decide.
"""

from __future__ import annotations

import collections.abc
import re
from collections.abc import Sequence
from typing import Protocol

from app.core.mapping.emails import looks_like_email
from app.core.mapping.fields import EMAIL_TARGET, FieldMapping
from app.core.mapping.mapping import Mapping

Row = collections.abc.Mapping[str, str]

_EMAIL_NAMES = frozenset(
    {"email", "mail", "epost", "emailaddress", "emailadresse", "epostadresse", "mailadresse"}
    | {"primaryemail", "primaryemailaddress", "emailaddress1", "emailprimary", "emails"}
)
_EMAIL_PARTS = ("email", "epost")
_MOSTLY = 0.5


class Suggestions(Protocol):
    """What a destination's field vocabulary offers for suggestions."""

    def standard_fields(self) -> Sequence[str]: ...

    def synonyms(self) -> collections.abc.Mapping[str, tuple[str, ...]]: ...


def auto_match(
    columns: Sequence[str], sample_rows: Sequence[Row] = (), *, vocabulary: Suggestions
) -> Mapping:
    """A suggested mapping; without any email-like column it has no Email field."""
    taken: set[str] = set()
    fields: list[FieldMapping] = []
    email = _email_column(columns, sample_rows)
    if email is not None:
        fields.append(FieldMapping(EMAIL_TARGET, email))
        taken.add(email)
    by_name = _columns_by_name(columns)
    synonyms = vocabulary.synonyms()
    for target in vocabulary.standard_fields():
        column = _first_free(by_name, _names_for(target, synonyms), taken)
        if column is not None:
            fields.append(FieldMapping(target, column))
            taken.add(column)
    return Mapping(tuple(fields))


def normalised(name: str) -> str:
    """A column name reduced to what matters for matching: "E-mail address" -> "emailaddress"."""
    return re.sub(r"[\W_]+", "", name.casefold())


def _names_for(
    target: str, synonyms: collections.abc.Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    return (normalised(target), *synonyms.get(target, ()))


def _columns_by_name(columns: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in columns:
        found.setdefault(normalised(column), column)
    return found


def _first_free(by_name: dict[str, str], names: Sequence[str], taken: set[str]) -> str | None:
    for name in names:
        column = by_name.get(name)
        if column is not None and column not in taken:
            return column
    return None


def _email_column(columns: Sequence[str], rows: Sequence[Row]) -> str | None:
    """By name first (exact names before names that merely contain "email"), then by content.

    With sample rows, a named column whose values are mostly not addresses (say "Email opt-in"
    holding yes/no) is passed over.
    """
    exact = [c for c in columns if normalised(c) in _EMAIL_NAMES]
    partial = [c for c in columns if c not in exact and _mentions_email(c)]
    # A column that is only *called* something like "Work email" needs its values to agree
    # when there are values to look at; an exact name is believed when its samples are empty.
    for column in exact:
        if _content_allows(column, rows, when_empty=True):
            return column
    for column in partial:
        if _content_allows(column, rows, when_empty=not rows):
            return column
    return _best_by_content(columns, rows)


def _mentions_email(column: str) -> bool:
    name = normalised(column)
    return any(part in name for part in _EMAIL_PARTS)


def _content_allows(column: str, rows: Sequence[Row], *, when_empty: bool) -> bool:
    share = _email_share(column, rows)
    return when_empty if share is None else share > _MOSTLY


def _best_by_content(columns: Sequence[str], rows: Sequence[Row]) -> str | None:
    best, best_share = None, _MOSTLY
    for column in columns:
        share = _email_share(column, rows)
        if share is not None and share > best_share:
            best, best_share = column, share
    return best


def _email_share(column: str, rows: Sequence[Row]) -> float | None:
    """The share of non-empty sample values that look like addresses; None when all are empty."""
    values = [text for row in rows if (text := (row.get(column) or "").strip())]
    if not values:
        return None
    return sum(1 for text in values if looks_like_email(text)) / len(values)
