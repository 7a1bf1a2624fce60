"""How long the names the user gives can be.

A segment's name becomes the title of an Autopilot Journeys list and the name of an Ortto tag.
Ortto documents at most 255 characters for a string (ortto-api.md, person/merge); Autopilot's
documentation gives no limit for a list title (autopilot-api.md, POST /list), so the limit is
a conservative one that both take and that still reads as a name in their screens and ours.
An export's name is held to the same limit: it names the runs, the schedule and the history.
"""

from __future__ import annotations

NAME_LIMIT = 100


def too_long(subject: str, name: str, becomes: str = "") -> str | None:
    """The problem with a name over the limit, or None. ``subject`` starts the sentence
    ("A segment name"); ``becomes`` says what the name turns into ("it becomes ...")."""
    length = len(name.strip())
    if length <= NAME_LIMIT:
        return None
    why = f" ({becomes})" if becomes else ""
    return (
        f"{subject} can be at most {NAME_LIMIT} characters{why}; this one has {length:,}. "
        "Choose a shorter name."
    )
