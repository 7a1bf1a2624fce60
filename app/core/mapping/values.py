"""Turning a cell's text into the JSON value a custom field of a given type takes.

Each converter takes trimmed, non-empty text and returns the value, or raises
:class:`NotConvertible`, which says why in a whole sentence about the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from app.core.i18n import N_, _

Converter = Callable[[str], object]

# A decimal point or a decimal comma, never both and never a thousands separator: "1 000",
# "1.000,5" and "1,000.5" are refused rather than guessed at.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DOTTED_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
# Autopilot's servers speak JavaScript; whole numbers beyond 2**53 would silently lose digits
# there, so they are refused here where the user can see which row and why.
_MAX_SAFE_INTEGER = 2**53 - 1

_TRUE_WORDS = frozenset({"true", "yes", "ja", "1"})
_FALSE_WORDS = frozenset({"false", "no", "nei", "0"})
CONSENT_WORDS = frozenset({"true", "yes", "ja", "1", "x"})


_NOT_WHOLE = N_("{value} is not a whole number")
_TOO_LARGE = N_("{value} is too large for a whole-number field")
_NOT_NUMBER = N_("{value} is not a number")
_NOT_YES_NO = N_("{value} is not a yes/no value (use true/false, yes/no, ja/nei or 1/0)")
_NOT_DATE = N_("{value} is not a date (use YYYY-MM-DD, DD.MM.YYYY or ISO 8601)")


class NotConvertible(ValueError):
    """A cell's text that a custom field's type cannot take.

    ``message`` is the sentence (marked, English) with a ``{value}`` placeholder; ``describe``
    says it in the user's language. ``str()`` is that sentence's English ending without the
    value ("is not a whole number").
    """

    def __init__(self, message: str) -> None:
        super().__init__(message.removeprefix("{value} "))
        self.message = message

    def describe(self, value: str) -> str:
        return _(self.message).format(value=value)


def to_text(text: str) -> str:
    return text


def to_integer(text: str) -> int:
    number = _decimal(text, _NOT_WHOLE)
    if number != number.to_integral_value():
        raise NotConvertible(_NOT_WHOLE)
    if abs(number) > _MAX_SAFE_INTEGER:
        raise NotConvertible(_TOO_LARGE)
    return int(number)


def to_float(text: str) -> float:
    return float(_decimal(text, _NOT_NUMBER))


def to_boolean(text: str) -> bool:
    word = text.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise NotConvertible(_NOT_YES_NO)


def to_date(text: str) -> str:
    """ISO 8601 UTC with milliseconds, the form Autopilot documents for date fields."""
    try:
        moment = _parse_moment(text)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise NotConvertible(_NOT_DATE)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}Z"
    )


def is_consent(text: str) -> bool:
    """True when a consent cell says the person opted out; anything else says nothing."""
    return text.strip().lower() in CONSENT_WORDS


CONVERTERS: dict[str, Converter] = {
    "string": to_text,
    "integer": to_integer,
    "float": to_float,
    "date": to_date,
    "boolean": to_boolean,
}


def _decimal(text: str, message: str) -> Decimal:
    if _NUMBER.fullmatch(text) is None:
        raise NotConvertible(message)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise NotConvertible(message) from None


def _parse_moment(text: str) -> datetime | None:
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _midnight(date(year, month, day))
    match = _DOTTED_DATE.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return _midnight(date(year, month, day))
    if _ISO_DATETIME.fullmatch(text.upper()):
        moment = datetime.fromisoformat(text.upper().replace(",", "."))
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    return None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
