"""How a rule's VALUE is read: trimmed text, a number, a date, or a list for ``in``.

The same definitions are compiled into SQL for the cells (see ``comparisons.py`` and
``text_ops.py``), so that a value and a cell that look alike are read alike.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

# Whitespace is what str.strip() removes (tab, line breaks, NBSP, the Unicode spaces) except the
# ASCII information separators U+001C..U+001F, control codes nobody types as a space. DuckDB's
# trim() removes only spaces, so the SQL side is given this set explicitly; and its number cast
# skips exactly the ASCII part of it, which comparisons.py relies on.
# Written out (computing it from str.isspace over all code points cost 40 ms at start-up);
# tests/core/test_segments_values.py checks it against str.isspace.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# The same set as an RE2 character class, for patterns that run inside DuckDB.
WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(char):x}}}" for char in WHITESPACE) + "]"

# Optional sign, digits, decimal point or comma; no exponent and no thousands separators.
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)"
_NUMBER = re.compile(NUMBER_PATTERN)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DOTTED_DATE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")

# ISO 8601 date and time, the form custom date fields take too (mapping/values.py): ``T`` or a
# space, hours and minutes, optional seconds and fraction, optional ``Z`` or offset (``+02``,
# ``+0200``, ``+02:00``). Groups: date, hour, minute, second, Z, sign, offset hours and minutes.
DATE_TIME_PATTERN = (
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([01][0-9]|2[0-3]):([0-5][0-9])"
    r"(?::([0-5][0-9])(?:[.,][0-9]{1,9})?)?"
    r"(?:([Zz])|([+-])([01][0-9]|2[0-3])(?::?([0-5][0-9]))?)?"
)
_DATE_TIME = re.compile(DATE_TIME_PATTERN)

# within-days / older-than-days N: a whole number of days; the bound keeps "N days ago" a date.
MAX_DAYS = 100_000
_DAYS = re.compile(r"[0-9]+")

# `in` lists: a comma separates items unless written as `\,`. Inside DuckDB a long list is
# joined with LIST_SEPARATOR, which an item therefore cannot contain.
_IN_SEPARATOR = re.compile(r"(?<!\\),")
LIST_SEPARATOR = "\x1f"


def trimmed(value: str) -> str:
    """``value`` without surrounding whitespace (as defined above)."""
    return value.strip(WHITESPACE)


def parse_number(value: str) -> float | None:
    """The number a value stands for, or None when it is not one (``1,5`` is one and a half)."""
    text = trimmed(value)
    if not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", "."))


def looks_like_date(value: str) -> bool:
    """True for text shaped like ``YYYY-MM-DD`` or ``DD.MM.YYYY``, real date or not."""
    text = trimmed(value)
    return bool(_ISO_DATE.fullmatch(text) or _DOTTED_DATE.fullmatch(text))


def parse_date(value: str) -> date | None:
    """The date of ``YYYY-MM-DD`` or ``DD.MM.YYYY``, or None (also for 2024-02-30)."""
    text = trimmed(value)
    iso = _ISO_DATE.fullmatch(text)
    dotted = _DOTTED_DATE.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dotted:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
    except ValueError:
        return None
    return None


def parse_date_time(value: str) -> datetime | None:
    """The moment of an ISO 8601 date and time, aware when it carries ``Z`` or an offset;
    None for anything else (a date alone included) and for impossible dates."""
    match = _DATE_TIME.fullmatch(trimmed(value))
    if match is None:
        return None
    day, hour, minute, second, zulu, sign, offset_hours, offset_minutes = match.groups()
    zone = None
    if zulu:
        zone = UTC
    elif sign:
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes or 0))
        zone = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime.fromisoformat(day)
    except ValueError:
        return None
    return moment.replace(hour=int(hour), minute=int(minute), second=int(second or 0), tzinfo=zone)


def parse_days(value: str) -> int | None:
    """A whole number of days from 0 to MAX_DAYS (``90``), or None."""
    text = trimmed(value)
    if not _DAYS.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(MAX_DAYS)) or int(digits) > MAX_DAYS:
        return None
    return int(digits)


def split_in_list(value: str) -> tuple[str, ...]:
    """The items of an ``in`` value: split on commas (``\\,`` is a literal comma), trimmed.

    Empty items are dropped, so a trailing comma is harmless; an empty cell is found with
    ``is-empty``, not with an empty item.
    """
    items = (trimmed(part.replace("\\,", ",")) for part in _IN_SEPARATOR.split(value))
    return tuple(dict.fromkeys(item for item in items if item))


def like_escape(text: str) -> str:
    """Text for a LIKE pattern with ``\\`` as the escape character, matching itself only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
