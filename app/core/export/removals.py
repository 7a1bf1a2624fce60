"""Removing who left: the people an export's destination confirmed for a segment who are no
longer in it, and the guard against taking most of a list or tag away by mistake.

*Departed* are the emails the ledger holds for an export and segment (confirmed by the
destination in earlier runs) that no row of the segment has any more. Every row of the segment
keeps its email present: a valid or unchanged row, a duplicate, and an invalid row too (an email
that cannot be sent this time because, say, a field value is wrong is still in the segment, and
taking it off the list would be a surprise). Only people absent from the segment are removed.

A run that would remove more than half of a segment's confirmed people, when there are at least
``MASS_MINIMUM`` of them, stops before sending or removing anything (:class:`MassRemoval`) unless
the user allowed it: an emptied or mis-filtered source file must not empty a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core import advice
from app.core.errors import UsageError
from app.core.i18n import N_, _, ngettext, number

MASS_MINIMUM = 100  # confirmed people of a segment below which any share may go


def is_mass_removal(members: int, departed: int) -> bool:
    """More than half of at least ``MASS_MINIMUM`` confirmed people."""
    return members >= MASS_MINIMUM and departed * 2 > members


@dataclass(frozen=True)
class LargeRemoval:
    """A segment whose departed people are more than half of those the destination has."""

    segment: str
    departed: int
    members: int  # confirmed by the destination for the segment before this run


# One whole sentence per kind of audience (never a translated noun put into a sentence).
_ONE_LARGE = {
    "list": N_(
        "Removing the people who left would take {departed} of the {members} people {name} has "
        "on the list '{segment}' (more than half). Nothing was sent or removed. {advice}"
    ),
    "tag": N_(
        "Removing the people who left would take {departed} of the {members} people {name} has "
        "with the tag '{segment}' (more than half). Nothing was sent or removed. {advice}"
    ),
}
_SEVERAL_LARGE = {
    "list": N_(
        "Removing the people who left would take more than half of the people {name} has on "
        "these lists: {removals}. Nothing was sent or removed. {advice}"
    ),
    "tag": N_(
        "Removing the people who left would take more than half of the people {name} has with "
        "these tags: {removals}. Nothing was sent or removed. {advice}"
    ),
}


class MassRemoval(UsageError):
    """A run would take most people off a list or tag; nothing was sent or removed. The window
    asks with ``removals``; the CLI names ``--allow-mass-removal``."""

    def __init__(self, removals: Sequence[LargeRemoval], noun: str, destination: str) -> None:
        self.removals = tuple(removals)
        if len(self.removals) == 1:
            (only,) = self.removals
            message = _(_ONE_LARGE[noun]).format(
                departed=number(only.departed),
                members=number(only.members),
                name=destination,
                segment=only.segment,
                advice=advice.MASS_REMOVAL,
            )
        else:
            each = [
                _("'{segment}': {departed} of {members}").format(
                    segment=r.segment, departed=number(r.departed), members=number(r.members)
                )
                for r in self.removals
            ]
            message = _(_SEVERAL_LARGE[noun]).format(
                name=destination, removals="; ".join(each), advice=advice.MASS_REMOVAL
            )
        super().__init__(message)


def departed_message(count: int, noun: str, segments: Sequence[str]) -> str:
    """What a dry run says about the people a real run would take off the lists or tags."""
    names = ", ".join(f"'{name}'" for name in segments)
    if noun == "tag":
        if len(segments) == 1:
            text = ngettext(
                "A real run would take the tag off {count} person who left {segments} "
                "(nobody was removed by this dry run).",
                "A real run would take the tag off {count} people who left {segments} "
                "(nobody was removed by this dry run).",
                count,
            )
        else:
            text = ngettext(
                "A real run would take the tags off {count} person who left {segments} "
                "(nobody was removed by this dry run).",
                "A real run would take the tags off {count} people who left {segments} "
                "(nobody was removed by this dry run).",
                count,
            )
    elif len(segments) == 1:
        text = ngettext(
            "A real run would remove {count} person who left {segments} from the list "
            "(nobody was removed by this dry run).",
            "A real run would remove {count} people who left {segments} from the list "
            "(nobody was removed by this dry run).",
            count,
        )
    else:
        text = ngettext(
            "A real run would remove {count} person who left {segments} from the lists "
            "(nobody was removed by this dry run).",
            "A real run would remove {count} people who left {segments} from the lists "
            "(nobody was removed by this dry run).",
            count,
        )
    return text.format(count=number(count), segments=names)
