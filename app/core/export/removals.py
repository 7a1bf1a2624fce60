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

from app.core.errors import UsageError

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


class MassRemoval(UsageError):
    """A run would take most people off a list or tag; nothing was sent or removed. The window
    asks with ``removals``; the CLI names ``--allow-mass-removal``."""

    def __init__(self, removals: Sequence[LargeRemoval], noun: str, destination: str) -> None:
        self.removals = tuple(removals)
        parts = [
            f"{r.departed:,} of the {r.members:,} people {destination} has on the {noun} "
            f"'{r.segment}'"
            for r in self.removals
        ]
        super().__init__(
            f"Removing the people who left would take {'; '.join(parts)} (more than half). "
            "Nothing was sent or removed. If the segment really shrank that much, run the export "
            "again with --allow-mass-removal; otherwise check the source and the segment's rules."
        )


def departed_message(count: int, noun: str, segments: Sequence[str]) -> str:
    names = ", ".join(f"'{name}'" for name in segments)
    return (
        f"A real run would remove {count:,} people who left {names} from the {noun}"
        f"{'s' if len(segments) > 1 else ''} (nobody was removed by this dry run)."
    )
