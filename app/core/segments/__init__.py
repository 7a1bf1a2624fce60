"""Segments: rules over an imported profile source, evaluated in DuckDB.

The public face is :class:`SegmentService` and the values it takes and returns. The Data rules
of DESIGN.md are implemented in ``text_ops.py`` and ``comparisons.py`` (SQL) and ``values.py``
(reading a VALUE). Where the design leaves a choice open, this is what segments do:

- Whitespace is what ``str.strip()`` removes (spaces, tabs, line breaks, NBSP, the Unicode
  spaces) except the control codes U+001C..U+001F. A NULL cell is empty and reads as ``''``.
- Case-insensitive means DuckDB's ``lower()`` on both sides; text order (``gt`` on text) is code
  point order of the lower-cased, trimmed text, not a locale's.
- ``eq ""`` matches empty cells and ``ne ""`` the others. ``contains``, ``not-contains``,
  ``starts-with`` and the comparisons need a non-empty value (a validation problem otherwise:
  ``is-empty`` is the way to find empty cells).
- ``in``: items are trimmed; empty and repeated items are ignored, so a list needs at least one
  item; ``\\,`` is the only escape (any other backslash is itself).
- A number is an optional sign, digits and at most one decimal point or comma followed by digits
  (``,5`` too); no exponent, thousands separator or trailing separator.
- A date is exactly ``YYYY-MM-DD`` or ``DD.MM.YYYY`` (two-digit day and month); an impossible
  date as the VALUE is a validation problem, in a cell it never matches; a date with a time is
  not a date.
- ``within-days N`` / ``older-than-days N`` (``days.py``): N is a whole number from 0 to
  100000; a cell counts by its local day (a date with a time: the day as written, or with an
  offset the local day of the moment); later days, empty cells and non-dates match neither.
  Today is the calendar's (``app.core.clock``) unless a run passes the day it started on.
- A rule's field is the column of that exact name, else the only column equal to it ignoring
  surrounding spaces and case; a segment is saved with the source's spelling. Operators may be
  written in any case, with ``_`` for ``-``, or as ``= == != <> > >= < <=``.
"""

from app.core.segments.models import MATCHES, OPS, Match, Member, Rule, Segment
from app.core.segments.ports import ProfileReader, SourceInfo
from app.core.segments.service import SegmentService, SourceChangedError

__all__ = [
    "MATCHES",
    "OPS",
    "Match",
    "Member",
    "ProfileReader",
    "Rule",
    "Segment",
    "SegmentService",
    "SourceChangedError",
    "SourceInfo",
]
