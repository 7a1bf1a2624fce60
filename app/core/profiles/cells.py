"""Typed spreadsheet cells as the text a person sees in them."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta


def cell_text(value: object) -> str:
    """Whole numbers without ``.0``, other numbers in their shortest exact form, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds" if not value.microsecond else "auto")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _number(value: float) -> str:
    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value)
