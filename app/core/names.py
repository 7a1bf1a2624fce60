"""How long the names the user gives can be.

A segment's name becomes the title of an Autopilot Journeys list and the name of an Ortto tag.
Ortto documents at most 255 characters for a string (ortto-api.md, person/merge); Autopilot's
documentation gives no limit for a list title (autopilot-api.md, POST /list), so the limit is
a conservative one that both take and that still reads as a name in their screens and ours.
An export's name is held to the same limit: it names the runs, the schedule and the history.
"""

from __future__ import annotations

from app.core.i18n import N_, _, number

NAME_LIMIT = 100

# The whole message for each kind of name that is too long; {limit} and {length} are numbers.
_EXPORT = N_(
    "An export name can be at most {limit} characters; this one has {length}. Choose a shorter "
    "name."
)
_SEGMENT = N_(
    "A segment name can be at most {limit} characters (it becomes the list's title in Autopilot "
    "and the tag in Ortto); this one has {length}. Choose a shorter name."
)


def export_name_too_long(name: str) -> str | None:
    """The problem with an export name over the limit, or None."""
    return _problem(_EXPORT, name)


def segment_name_too_long(name: str) -> str | None:
    """The problem with a segment name over the limit, or None."""
    return _problem(_SEGMENT, name)


def _problem(message: str, name: str) -> str | None:
    length = len(name.strip())
    if length <= NAME_LIMIT:
        return None
    return _(message).format(limit=number(NAME_LIMIT), length=number(length))
